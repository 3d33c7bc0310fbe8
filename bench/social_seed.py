"""Set-based seeding of a social graph for the feed and search benchmarks: people, friendships, posts with
words, and the home timelines the app's fan-out would have written.

Everything is `INSERT … SELECT generate_series`, deterministic (pseudo-random choices come from `hashint8` of
the row number, so two runs seed the same rows), and written in the shape the app writes it:

- **people** `1..users`, named from short lists (so a name prefix or a typo finds a few hundred of them); one in
  20 has a friends-only profile, one in 50 a private one, one in 101 is deactivated. Person 1 is the bench user
  (public, active), whose password the benchmark sets to log in.
- **friendships**, two rows per pair (`user_id → friend_id` and back), as `friends.accept` writes them: the bench
  user has exactly `circle` friends, spread over the ids; everyone else has a few to tens (each person starts
  1 to 8 friendships with pseudo-random others, one in a hundred starts 30 more; none of them with the bench user).
- **posts** `first..last`, one every ~30 s of a year, ids in time order as the app gives them: `circle_share` of
  them by the bench user and their friends (a person follows an active circle), the rest by anyone. 80 %
  public, 15 % friends-only, 5 % private; 0.5 % hidden by a moderator; 10 % shares of a recent post (so that
  nearly every page of 20 has some, and pages compared with each other do the same work). Their text
  is 6 to 20 words from `VOCABULARY`, drawn so that its first words are common and its last ones uncommon, and
  `RARE_WORD` in one post in 50,000 (posts 7, 50,007, 100,007, ...).
- **feed_entries** for those posts, by one `INSERT … SELECT` mirroring `app.services.timelines.fan_out`: each
  post into its author's timeline and each of its author's friends'.
"""

import os
from datetime import datetime, timedelta

from sqlalchemy import text

FIRST_NAMES = (
    "Maria", "Marco", "Markus", "Martin", "Marta", "Anna", "Andrea", "Jonas", "John", "Johanna", "Lena", "Lukas",
    "Sofia", "Samuel", "Sara", "Elena", "Emil", "Emma", "David", "Daniel", "Nina", "Noah", "Olga", "Oscar",
    "Paula", "Peter", "Rosa", "Ruben", "Tom", "Tina", "Ivan", "Irene", "Hugo", "Helena", "Felix", "Fatima",
    "Carlos", "Clara", "Bruno", "Bianca",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Rossi", "Garcia", "Novak", "Silva", "Kowalski", "Jensen", "Dubois", "Muller", "Costa", "Ivanova",
    "Nakamura", "Okafor", "Larsen", "Horvat", "Fischer", "Moreau", "Santos", "Berg", "Lindqvist", "Weber",
    "Marino", "Petrov", "Keller", "Young", "Walker", "Lopez", "Haddad", "Tanaka", "Brown",
)  # fmt: skip
LOCATIONS = ("Berlin", "Lisbon", "Madrid", "Oslo", "Vienna", "Zagreb", "Lyon", "Osaka", "Lagos", "Denver")
# Most common first: a post's words are drawn with P(word <= k) = sqrt(k / len), so "run" is in about half
# the posts and each of the last few in about 3 % of them.
VOCABULARY = (
    "run", "today", "morning", "workout", "great", "legs", "training", "felt", "strong", "easy", "long",
    "tempo", "gym", "coffee", "after", "before", "week", "sunday", "squat", "deadlift", "bench", "press",
    "pullups", "pushups", "plank", "core", "stretch", "yoga", "swim", "bike", "ride", "hill", "intervals",
    "sprint", "recovery", "rest", "day", "sore", "tired", "happy", "new", "personal", "record", "pace",
    "kilometres", "miles", "marathon", "half", "race", "trail", "park", "river", "rain", "sun", "wind", "cold",
    "hot", "early", "late", "evening", "lunch", "break", "friends", "club", "coach", "plan", "goal", "habit",
    "streak", "stairs", "walk", "hike", "mountain", "lake", "beach", "sand", "snow", "ski", "climb", "boulder",
    "rope", "kettlebell", "dumbbell", "barbell", "rowing", "erg", "cycling", "spin", "class", "pilates",
    "mobility", "hamstrings", "shoulders", "back", "chest", "arms", "glutes", "calves", "knee", "ankle",
    "warmup", "cooldown", "protein", "breakfast", "dinner", "sleep", "hydration", "electrolytes", "shoes",
    "watch", "heart", "rate", "zone", "threshold", "fartlek", "progression", "taper", "carbs", "banana",
    "oatmeal", "smoothie", "stadium", "track", "laps", "pool", "open", "water", "triathlon", "transition",
)  # fmt: skip
RARE_WORD = "axolotl"  # in one post in 50,000 (20 at a million)
RARE_EVERY = 50_000


def _hash(salt: int, of: str = "g") -> str:
    """SQL: a non-negative pseudo-random int from the row number `of`, one stream per `salt`."""
    return f"(hashint8({of} * 64 + {salt}) & 2147483647)"


def seed_people(conn, *, users: int, circle: int, now: datetime) -> list[int]:
    """People 1..users and their friendships (see the module). Returns the bench user's friends' ids."""
    if users < circle + 1:
        raise SystemExit(f"need --users > {circle} (the bench user has {circle} friends)")
    params = {
        "users": users,
        "firsts": list(FIRST_NAMES),
        "lasts": list(LAST_NAMES),
        "places": list(LOCATIONS),
        "created": now - timedelta(days=800),
        "step": (users - 1) // circle,
        "circle": circle,
    }
    conn.execute(
        text(
            f"""
            INSERT INTO users (id, username, email, password_hash, role, privacy, timezone, first_name, last_name,
                               location, bio, created_at, deactivated_at)
            SELECT i, lower(n.first || n.last) || i, 'bench' || i || '@bench.invalid', 'not-a-hash', 'user',
                   CASE WHEN i = 1 THEN 'public' WHEN i % 50 = 0 THEN 'private' WHEN i % 20 = 0 THEN 'friends'
                        ELSE 'public' END,
                   'UTC', n.first, n.last,
                   (CAST(:places AS text[]))[1 + {_hash(3, "i")} % cardinality(CAST(:places AS text[]))],
                   CASE WHEN i % 3 = 0 THEN 'Training for my next ' || n.last || ' run' END,
                   :created,
                   CASE WHEN i % 101 = 0 THEN CAST(:created AS timestamptz) + interval '700 days' END
            FROM generate_series(1, :users) AS i,
                 LATERAL (SELECT (CAST(:firsts AS text[]))[1 + {_hash(1, "i")} % cardinality(CAST(:firsts AS text[]))]
                                 AS first,
                                 (CAST(:lasts AS text[]))[1 + {_hash(2, "i")} % cardinality(CAST(:lasts AS text[]))]
                                 AS last) AS n
            """
        ),
        params,
    )
    conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), :users)"), params)
    # The bench user's friends: every `step`-th person from 2 on (exactly `circle` of them).
    conn.execute(
        text(
            """
            INSERT INTO friendships (user_id, friend_id, created_at)
            SELECT a, b, :created FROM generate_series(0, :circle - 1) AS k,
                 LATERAL (VALUES (1, 2 + k * :step), (2 + k * :step, 1)) AS pair(a, b)
            """
        ),
        params,
    )
    # Everyone else: person i starts 1..8 friendships (one in a hundred 30 more) with people 2..users.
    conn.execute(
        text(
            f"""
            INSERT INTO friendships (user_id, friend_id, created_at)
            SELECT pair.a, pair.b, :created
            FROM (
                SELECT DISTINCT least(i, j) AS low, greatest(i, j) AS high
                FROM generate_series(2, :users) AS i,
                     generate_series(1, 1 + {_hash(4, "i")} % 8 + CASE WHEN i % 100 = 0 THEN 30 ELSE 0 END) AS m,
                     LATERAL (SELECT 2 + {_hash(5, "(i * 64 + m)")} % (:users - 1) AS j) AS other
                WHERE j <> i
            ) AS pairs,
            LATERAL (VALUES (pairs.low, pairs.high), (pairs.high, pairs.low)) AS pair(a, b)
            """
        ),
        params,
    )
    return [2 + k * params["step"] for k in range(circle)]


def seed_posts(
    conn, *, first: int, last: int, users: int, circle_ids: list[int], circle_share: float, start: datetime
) -> None:
    """Posts `first..last` (see the module), post g at `start` + g * 31.5 s (+ up to 30 s), then
    `posts.id`'s sequence moved past them."""
    params = {
        "first": first,
        "last": last,
        "users": users,
        "circle": [1, *circle_ids],
        "share_permille": round(circle_share * 1000),
        "words": list(VOCABULARY),
        "rare": RARE_WORD,
        "rare_every": RARE_EVERY,
        "start": start,
    }
    conn.execute(
        text(
            f"""
            INSERT INTO posts (id, author_id, text, visibility, is_share, shared_post_id, created_at, hidden_at)
            SELECT g,
                   CASE WHEN {_hash(1)} % 1000 < :share_permille
                        THEN (CAST(:circle AS int[]))[1 + {_hash(2)} % cardinality(CAST(:circle AS int[]))]
                        ELSE 1 + {_hash(3)} % :users END,
                   CASE WHEN s.is_share THEN '' ELSE
                       (SELECT string_agg(
                                   (CAST(:words AS text[]))[1 + floor(cardinality(CAST(:words AS text[]))
                                       * power({_hash(7, "(g * 32 + w)")} / 2147483648.0, 2))::int],
                                   ' ')
                        FROM generate_series(1, 6 + {_hash(6)} % 15) AS w)
                       || CASE WHEN g % :rare_every = 7 THEN ' ' || :rare ELSE '' END
                   END,
                   CASE WHEN {_hash(4)} % 100 < 80 THEN 'public' WHEN {_hash(4)} % 100 < 95 THEN 'friends'
                        ELSE 'private' END,
                   s.is_share,
                   CASE WHEN s.is_share THEN g - 1 - {_hash(9)} % least(g - 1, 5000) END,
                   s.created_at,
                   CASE WHEN {_hash(10)} % 200 = 0 THEN s.created_at + interval '1 hour' END
            FROM generate_series(CAST(:first AS bigint), :last) AS g,
                 LATERAL (SELECT g > 100 AND {_hash(5)} % 100 < 10 AS is_share,
                                 CAST(:start AS timestamptz) + g * interval '31.5 seconds'
                                     + ({_hash(11)} % 30) * interval '1 second' AS created_at) AS s
            """
        ),
        params,
    )
    conn.execute(text("SELECT setval(pg_get_serial_sequence('posts', 'id'), :last)"), params)


def fan_out_posts(conn, *, first: int, last: int, rebuild_indexes: bool = False) -> int:
    """`timelines.fan_out` for posts `first..last` in one statement: each into its author's timeline and each of
    its author's friends'. Returns the rows written.

    `rebuild_indexes` (for millions of rows): the table's primary key and indexes are dropped first and built
    again afterwards, exactly as they were (their definitions are read from the catalog): one sort each instead
    of millions of B-tree insertions."""
    if rebuild_indexes:
        constraints = conn.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'feed_entries'::regclass AND contype IN ('p', 'u')"
            )
        ).all()
        indexes = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes AS i WHERE i.tablename = 'feed_entries' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname "
                "AND c.conrelid = 'feed_entries'::regclass)"
            )
        ).all()
        for name, _ in constraints:
            conn.execute(text(f'ALTER TABLE feed_entries DROP CONSTRAINT "{name}"'))
        for name, _ in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
    result = conn.execute(
        text(
            """
            INSERT INTO feed_entries (owner_id, created_at, post_id, author_id)
            SELECT owner_id, created_at, post_id, author_id FROM (
                SELECT p.author_id AS owner_id, p.created_at, p.id AS post_id, p.author_id
                FROM posts AS p WHERE p.id BETWEEN :first AND :last
                UNION ALL
                SELECT f.friend_id, p.created_at, p.id, p.author_id
                FROM posts AS p JOIN friendships AS f ON f.user_id = p.author_id
                WHERE p.id BETWEEN :first AND :last
            ) AS offered
            ORDER BY owner_id, created_at, post_id
            """
        ),
        {"first": first, "last": last},
    )
    if rebuild_indexes:
        conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        for name, definition in constraints:
            conn.execute(text(f'ALTER TABLE feed_entries ADD CONSTRAINT "{name}" {definition}'))
        for _, definition in indexes:
            conn.execute(text(definition))
    return result.rowcount


def expected_entries(conn) -> int:
    """What fan-out writes, counted from posts and friendships alone: one per post, one per post per friend."""
    return conn.scalar(
        text(
            "SELECT (SELECT count(*) FROM posts) "
            "+ (SELECT count(*) FROM posts AS p JOIN friendships AS f ON f.user_id = p.author_id)"
        )
    )


def skip_foreign_key_checks(conn) -> bool:
    """For the rest of the transaction, when the role may: no per-row foreign-key triggers (rows are valid by
    construction here, and checked by counts). Saves most of the time of writing millions of timeline rows."""
    if not conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        return False
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    return True


def vacuum_analyze(db, *tables: str) -> None:
    """VACUUM ANALYZE, then (when the role may) a CHECKPOINT and a `sync` of this machine's disks (the database
    is usually local), so that no writing of the seed is still going on while requests are timed."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE " + ", ".join(tables)))
        if conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
            conn.execute(text("CHECKPOINT"))
    os.sync()
