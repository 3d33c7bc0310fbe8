"""Benchmark: page lists and searches on PostgreSQL at 1,100 rows and at up to 1,000,000: do they stay flat?

Seeds a small database (1,100 people, audit events, public habits, workouts of the bench user among 55,000, and
shared exercises) and a large one (1,000,000 people and audit events, 100,000 public habits and as many private ones,
1,000,000 workouts of which the bench user owns 20,000, 100,000 shared exercises), each in its own throwaway
database, and reads the same pages of each list through the Flask test client with a real bearer token (the bench
user is an admin): page 1 and page 50 of 20 (page 50 where the small list has one) of the people search (a name
prefix, and a string matching nobody), the admin's account list and audit log, the public habits, the bench user's
workouts, and the exercise catalog (all of it, and a search by a word of some titles). Reports p50/p99 of each at
each size against GET /api/v1/profile/ measured in the same rounds, the ratio large / small, the statements of one
request, the `X-Pagination` total at the large size, and the EXPLAIN (ANALYZE, BUFFERS) of each list's deepest
page at the large size.

    python -m bench.growth                                 # 1,100 rows, then the sizes above (make bench)
    python -m bench.growth --quick                         # a tenth of them or so, to try it (under a minute)
    python -m bench.growth --users-large 100000 --audit-large 100000 --habits-large 20000 \\
        --workouts-large 100000 --exercises-large 20000    # the same as --quick

Each size is seeded in a throwaway database `stride_bench_<pid>` created on BENCH_ADMIN_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped once measured, whatever happens; BENCH_DATABASE_URL is
ignored by this benchmark (it needs two empty databases). Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import make_url, text

from bench import social_seed
from bench.expire_goals import bench_database, env_int
from bench.feed import (
    DEEP_PAGE,
    MAX_RATIO,
    PASSWORD,
    PROFILE,
    WARM_UP,
    Checks,
    StatementLog,
    Timing,
    explain,
    get_ok,
    interleaved,
    server_ms,
    statements_line,
)
from bench.social_seed import _hash as mix

PAGE_SIZE = 20
CIRCLE = 50  # the bench user's friends (everyone else has four)
DEACTIVATED = 101  # one person in 101 is deactivated
NAME_PREFIX = "mar"  # Maria, Marco, Markus, Martin, Marta, Marino...: about one person in six
NOBODY = "zqxjv"  # in no name
FEW = "mariakowalski"  # one person in 1,200 (a first and a last name together)
NOBODY_LABEL = f"people, q={NOBODY!r} (nobody)"
EXERCISE_WORD = "swing"  # one exercise title in twenty
ENTRIES = 3  # exercise entries of each of the bench user's workouts
TABLES = ("users", "friendships", "audit_events", "habits", "exercises", "workouts", "workout_exercises")
AUDIT_TYPES = ("login_succeeded", "login_failed", "logout", "password_changed", "session_revoked")
AGENTS = ("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "Stride/3.2 (Android 14)", "Stride/3.2 (iOS 18.1)")
PLACES = ("home", "gym", "office", "park", None)
ACTIONS = ("drink a glass of water", "stretch for ten minutes", "walk after lunch", "read twenty pages", "meditate")
MODIFIERS = ("Incline", "Decline", "Seated", "Standing", "Single-arm", "Wide", "Close-grip", "Paused", "Banded", "Slow")
MOVEMENTS = (
    "press", "row", "squat", "lunge", "curl", "raise", "pulldown", "deadlift", "fly", "extension", "hold", "carry",
    EXERCISE_WORD, "thruster", "jump", "crunch", "bridge", "dip", "pullup", "step-up",
)  # fmt: skip
TRAINING_TYPES = ("strength", "cardio", "hiit", "yoga", "mobility", "running")


@dataclass(frozen=True)
class Rows:
    """What one size seeds."""

    name: str
    users: int
    audit: int
    habits: int  # public ones; as many private ones beside them
    workouts: int  # in all
    mine: int  # the bench user's, among them
    exercises: int  # shared ones (the bench user has no personal ones)


# 1,100 rows, so that page 50 is not the last page of any small list (a last page needs no COUNT, which would
# flatter the small size); the bench user's workouts are one in 50 of all, as at the large size, so both lists
# are spread over the table alike.
SMALL = Rows("small", users=1_100, audit=1_100, habits=1_100, workouts=55_000, mine=1_100, exercises=1_100)
LARGE = Rows(
    "large", users=1_000_000, audit=1_000_000, habits=100_000, workouts=1_000_000, mine=20_000, exercises=100_000
)
QUICK = Rows("large", users=100_000, audit=100_000, habits=20_000, workouts=100_000, mine=2_000, exercises=20_000)
MY_SHARE = 50  # by default the bench user owns one workout in 50 at the large size


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    table: str  # the list's own table: its page's SELECT is the one EXPLAINed
    params: tuple = ()  # (name, value) pairs besides the page's

    def query(self, page: int) -> dict:
        return {**dict(self.params), "page": page, "page_size": PAGE_SIZE}


ENDPOINTS = {
    endpoint.label: endpoint
    for endpoint in (
        Endpoint(f"people, q={NAME_PREFIX!r}", "/api/v1/users/", "users", (("q", NAME_PREFIX),)),
        Endpoint(f"people, q={FEW!r} (few)", "/api/v1/users/", "users", (("q", FEW),)),
        Endpoint(NOBODY_LABEL, "/api/v1/users/", "users", (("q", NOBODY),)),
        Endpoint("admin: accounts", "/api/v1/admin/users/", "users"),
        Endpoint("admin: audit log", "/api/v1/admin/audit-events/", "audit_events"),
        Endpoint("public habits", "/api/v1/habits/public/", "habits"),
        Endpoint("my workouts", "/api/v1/workouts/", "workouts"),
        Endpoint("exercise catalog", "/api/v1/exercises/", "exercises"),
        Endpoint(f"exercises, q={EXERCISE_WORD!r}", "/api/v1/exercises/", "exercises", (("q", EXERCISE_WORD),)),
    )
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.split("\n\n")[0])
    for name, what in (
        ("users", "people"),
        ("audit", "audit events"),
        ("habits", "public habits (as many private ones beside them)"),
        ("workouts", "workouts in all"),
        ("exercises", "shared exercises"),
    ):
        default, quick = getattr(LARGE, name), getattr(QUICK, name)
        parser.add_argument(
            f"--{name}-large", dest=name, type=int, help=f"{what} at the large size ({default:,}; --quick {quick:,})"
        )
    parser.add_argument("--my-workouts-large", dest="mine", type=int, help="the bench user's among them (1 in 50)")
    parser.add_argument("--quick", action="store_true", help="large sizes for a quick try (under a minute)")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 20), help="timed rounds (p50/p99)")
    parser.add_argument(
        "--max-ratio", type=float, default=MAX_RATIO, help=f"fail when large / small exceeds this ({MAX_RATIO:g})"
    )
    args = parser.parse_args(argv)
    base = QUICK if args.quick else LARGE
    sizes = {name: getattr(args, name) or getattr(base, name) for name in ("users", "audit", "habits", "exercises")}
    workouts = args.workouts or base.workouts
    args.large = replace(base, **sizes, workouts=workouts, mine=args.mine or max(1, workouts // MY_SHARE))
    if not (all(getattr(args.large, n) >= getattr(SMALL, n) for n in sizes) and args.repeat >= 1):
        parser.error(f"need every large size >= the small one ({SMALL.users:,}) and --repeat >= 1")
    if not (SMALL.workouts <= args.large.workouts and 1 <= args.large.mine <= args.large.workouts):
        parser.error(f"need --workouts-large >= {SMALL.workouts:,} and 1 <= --my-workouts-large <= --workouts-large")
    return args


# --- seeding ------------------------------------------------------------------------------------------------


def pick(array: str, salt: int) -> str:
    """SQL: a pseudo-random element of the text[] parameter `array`, chosen by row `g` (one stream per `salt`)."""
    return f"(CAST(:{array} AS text[]))[1 + {mix(salt)} % cardinality(CAST(:{array} AS text[]))]"


def seed_users(conn, rows: Rows, now: datetime) -> None:
    """People 1..n named from `social_seed`'s lists, as `seed_people` names them (so NAME_PREFIX finds about one in
    six); one in 20 has a friends-only profile, one in 50 a private one, one in DEACTIVATED is deactivated. Person 1,
    the bench user, is an active admin. (Not `seed_people` itself: past about 520,000 people its pseudo-random
    friend choice, `(i * 64 + m) * 64` over int, overflows.)"""
    conn.execute(
        text(
            f"""
            INSERT INTO users (id, username, email, password_hash, role, privacy, timezone, first_name, last_name,
                               location, bio, created_at, deactivated_at)
            SELECT g, lower(n.first || n.last) || g, 'bench' || g || '@bench.invalid', 'not-a-hash',
                   CASE WHEN g = 1 THEN 'admin' ELSE 'user' END,
                   CASE WHEN g = 1 THEN 'public' WHEN g % 50 = 0 THEN 'private' WHEN g % 20 = 0 THEN 'friends'
                        ELSE 'public' END,
                   'UTC', n.first, n.last, {pick("places", 3)},
                   CASE WHEN g % 3 = 0 THEN 'Training for my next ' || n.last || ' run' END, :created,
                   CASE WHEN g % :deactivated = 0 THEN CAST(:created AS timestamptz) + interval '700 days' END
            FROM generate_series(CAST(1 AS bigint), :users) AS g,
                 LATERAL (SELECT {pick("firsts", 1)} AS first, {pick("lasts", 2)} AS last) AS n
            """
        ),
        {
            "users": rows.users,
            "firsts": list(social_seed.FIRST_NAMES),
            "lasts": list(social_seed.LAST_NAMES),
            "places": list(social_seed.LOCATIONS),
            "deactivated": DEACTIVATED,
            "created": now - timedelta(days=800),
        },
    )
    conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), :users)"), {"users": rows.users})


def seed_friendships(conn, rows: Rows, now: datetime) -> None:
    """Two rows per pair, as the app writes them: the bench user has CIRCLE friends spread over the ids; everyone
    else has four, the people 1 and 7 places either side of them in a ring over 2..n."""
    conn.execute(
        text(
            """
            INSERT INTO friendships (user_id, friend_id, created_at)
            SELECT pair.a, pair.b, :created
            FROM (SELECT 1 AS low, 2 + k * :step AS high FROM generate_series(0, :circle - 1) AS k
                  UNION ALL
                  SELECT i, 2 + (i - 2 + d) % (:users - 1)
                  FROM generate_series(CAST(2 AS bigint), :users) AS i, (VALUES (1), (7)) AS offsets(d)) AS pairs,
                 LATERAL (VALUES (pairs.low, pairs.high), (pairs.high, pairs.low)) AS pair(a, b)
            """
        ),
        {
            "users": rows.users,
            "circle": CIRCLE,
            "step": (rows.users - 1) // CIRCLE,
            "created": now - timedelta(days=800),
        },
    )


def seed_audit(conn, rows: Rows, now: datetime) -> None:
    """Audit events of anyone, a few types, one every 30 s up to now."""
    conn.execute(
        text(
            f"""
            INSERT INTO audit_events (type, user_id, actor_id, ip, user_agent, details, created_at)
            SELECT {pick("types", 1)},
                   1 + {mix(2)} % :users, NULL,
                   '10.' || {mix(3)} % 256 || '.' || g / 256 % 256 || '.' || g % 256,
                   {pick("agents", 4)},
                   CAST('{{}}' AS json), CAST(:now AS timestamptz) - (:n - g) * interval '30 seconds'
            FROM generate_series(1, :n) AS g
            """
        ),
        {"types": list(AUDIT_TYPES), "agents": list(AGENTS), "users": rows.users, "n": rows.audit, "now": now},
    )


def seed_habits(conn, rows: Rows, now: datetime) -> None:
    """2 x `rows.habits` habits, odd ones public: a public one's owner is active (every DEACTIVATED-th person is
    deactivated: such an owner is replaced by the one before), a private one's anyone."""
    conn.execute(
        text(
            f"""
            INSERT INTO habits (user_id, place, time, action, is_pleasant, related_habit_id, periodicity_days,
                                reward, duration_sec, is_public, start_date, created_at, updated_at)
            SELECT CASE WHEN g % 2 = 1 AND o.anyone % :deactivated = 0 THEN o.anyone - 1 ELSE o.anyone END,
                   {pick("places", 2)},
                   make_time(CAST({mix(3)} % 24 AS int), CAST({mix(4)} % 60 AS int), 0),
                   {pick("actions", 5)},
                   g % 5 = 0, NULL, 1 + g % 7, NULL, NULL, g % 2 = 1,
                   CAST(:today AS date) - CAST(g % 365 AS int), :now, :now
            FROM generate_series(1, 2 * CAST(:public AS int)) AS g,
                 LATERAL (SELECT 2 + {mix(1)} % (:users - 1) AS anyone) AS o
            """
        ),
        {
            "places": list(PLACES),
            "actions": list(ACTIONS),
            "users": rows.users,
            "public": rows.habits,
            "deactivated": DEACTIVATED,
            "today": now.date(),
            "now": now,
        },
    )


def seed_exercises(conn, rows: Rows, now: datetime) -> None:
    """Shared exercises titled "<modifier> <movement> <n>" (unique), EXERCISE_WORD the movement of one in 20."""
    conn.execute(
        text(
            f"""
            INSERT INTO exercises (title, title_key, description, muscle_group, equipment_required, complexity,
                                   is_archived, owner_id, created_by_id, created_at, updated_at)
            SELECT t.title, lower(t.title), 'Catalog exercise number ' || g || ' for the ' || t.muscles, t.muscles,
                   g % 3 = 0, (ARRAY['beginner', 'intermediate', 'advanced', 'expert'])[1 + g % 4],
                   false, NULL, NULL, :now, :now
            FROM generate_series(1, :n) AS g,
                 LATERAL (SELECT {pick("modifiers", 1)} || ' ' || {pick("movements", 2)} || ' ' || g AS title,
                                 (ARRAY['chest', 'back', 'legs', 'arms', 'shoulders', 'core', 'full_body'])[1 + g % 7]
                                 AS muscles) AS t
            """
        ),
        {"modifiers": list(MODIFIERS), "movements": list(MOVEMENTS), "n": rows.exercises, "now": now},
    )


def seed_workouts(conn, rows: Rows, now: datetime) -> None:
    """Workouts over four years; every `step`-th is the bench user's (`rows.mine` of them), the others anyone's
    else. The bench user's have ENTRIES exercise entries each."""
    step = rows.workouts // rows.mine
    params = {"n": rows.workouts, "last_mine": step * rows.mine, "step": step, "users": rows.users, "now": now}
    conn.execute(
        text(
            f"""
            INSERT INTO workouts (user_id, training_type, title, intensity, duration_min, date, description,
                                  distance_km, calories, created_at, updated_at)
            SELECT CASE WHEN g % :step = 0 AND g <= CAST(:last_mine AS int) THEN 1 ELSE 2 + {mix(1)} % (:users - 1) END,
                   (CAST(:types AS text[]))[1 + g % cardinality(CAST(:types AS text[]))], 'Session ' || g,
                   (ARRAY['low', 'medium', 'high'])[1 + g % 3], 20 + g % 70,
                   CAST(:today AS date) - CAST({mix(2)} % 1460 AS int), NULL, NULL, NULL, :now, :now
            FROM generate_series(1, :n) AS g
            """
        ),
        {**params, "types": list(TRAINING_TYPES), "today": now.date()},
    )
    conn.execute(
        text(
            """
            INSERT INTO workout_exercises (workout_id, exercise_id, "order", sets, reps, rest_sec, extra_weight_g)
            SELECT w.id, 1 + (w.id * 7 + k) % :catalog, k, 3, 8 + k, 90, 2500 * (w.id % 40)
            FROM workouts AS w, generate_series(1, :entries) AS k WHERE w.user_id = 1
            """
        ),
        {"catalog": min(rows.exercises, 500), "entries": ENTRIES},
    )


SEED_STEPS = (
    ("users", seed_users),
    ("friendships", seed_friendships),
    ("audit_events", seed_audit),
    ("habits", seed_habits),
    ("exercises", seed_exercises),
    ("workouts", seed_workouts),
)


def seed(app, db, rows: Rows, now: datetime) -> tuple[dict, str]:
    """Every table of `rows` set-based, then VACUUM ANALYZE; the bench user's password. Returns the seconds of
    each step and the bench user's username."""
    from app.models import User

    steps = {}
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text("SET LOCAL work_mem = '256MB'"))
            social_seed.skip_foreign_key_checks(conn)
            for name, step in SEED_STEPS:
                began = time.perf_counter()
                step(conn, rows, now)
                steps[name] = time.perf_counter() - began
        began = time.perf_counter()
        social_seed.vacuum_analyze(db, *TABLES)
        steps["VACUUM ANALYZE"] = time.perf_counter() - began
        user = db.session.get(User, 1)
        user.set_password(PASSWORD)
        username = user.username
        db.session.commit()
        db.session.remove()
    return steps, username


# What was seeded, counted: (label, SQL, the expected count from `Rows`).
COUNTS = (
    ("people", "SELECT count(*) FROM users", lambda r: r.users),
    ("audit events", "SELECT count(*) FROM audit_events", lambda r: r.audit),
    ("public habits", "SELECT count(*) FROM habits WHERE is_public", lambda r: r.habits),
    (
        "public habits of inactive people",
        "SELECT count(*) FROM habits AS h JOIN users AS u ON u.id = h.user_id "
        "WHERE h.is_public AND (u.deleted_at IS NOT NULL OR u.deactivated_at IS NOT NULL)",
        lambda r: 0,
    ),
    ("workouts", "SELECT count(*) FROM workouts", lambda r: r.workouts),
    ("the bench user's workouts", "SELECT count(*) FROM workouts WHERE user_id = 1", lambda r: r.mine),
    ("shared exercises", "SELECT count(*) FROM exercises WHERE owner_id IS NULL", lambda r: r.exercises),
    ("friendship rows", "SELECT count(*) FROM friendships", None),
    ("active people", "SELECT count(*) FROM users WHERE deleted_at IS NULL AND deactivated_at IS NULL", None),
)


def count_rows(app, db) -> dict[str, int]:
    with app.app_context():
        counted = {label: db.session.scalar(text(sql)) for label, sql, _ in COUNTS}
        db.session.remove()
    return counted


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass
class Probe:
    """One request of a page, answered before the timing: its status, items, X-Pagination and statements."""

    status: int
    items: int
    pagination: dict
    log: StatementLog
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    def has_deep_page(self) -> bool:
        """The list reaches page DEEP_PAGE: more than DEEP_PAGE - 1 pages of items, or more than was counted."""
        total = self.pagination.get("total") or 0
        return self.ok and (total > (DEEP_PAGE - 1) * PAGE_SIZE or self.pagination.get("total_is_exact") is False)

    def page_statement(self, table: str) -> tuple[str, dict] | None:
        """The page's SELECT: the logged statement reading `table` with LIMIT and OFFSET (not the COUNT)."""
        for statement, parameters in self.log.statements:
            words = " ".join(statement.split())
            if f"FROM {table}" in words and "LIMIT" in words and "OFFSET" in words and not _is_count(words):
                return statement, parameters
        return None

    def count_statement(self) -> tuple[str, dict] | None:
        """The page's COUNT (`SQLPage` counts when the page cannot tell the total), if it sent one."""
        return next(((s, p) for s, p in self.log.statements if _is_count(" ".join(s.split()))), None)


def _is_count(words: str) -> bool:
    return words.upper().startswith("SELECT COUNT(")


@dataclass
class Measured:
    """Everything measured at one size."""

    rows: Rows
    database: str = ""
    version: str = ""
    steps: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    probes: dict = field(default_factory=dict)  # (label, page) -> Probe
    timings: dict = field(default_factory=dict)  # "label, page N" -> Timing, and "profile"
    plans: dict = field(default_factory=dict)  # label -> (page, plan, COUNT ms)


def key_name(key: tuple[str, int]) -> str:
    return f"{key[0]}, page {key[1]}"


def log_in(app, username: str) -> tuple:
    client = app.test_client()
    login = client.post("/api/v1/login/", json={"username": username, "password": PASSWORD})
    if login.status_code != 200:
        raise SystemExit(f"the bench user could not log in: {login.status_code} {login.get_data(as_text=True)[:300]}")
    return client, {"Authorization": f"Bearer {login.json['access_token']}"}


def probe(client, headers: dict, engine, endpoint: Endpoint, page: int) -> Probe:
    with StatementLog(engine) as log:
        response = client.get(endpoint.path, headers=headers, query_string=endpoint.query(page))
    if response.status_code != 200:
        return Probe(response.status_code, 0, {}, log, response.get_data(as_text=True)[:300])
    return Probe(200, len(response.json), json.loads(response.headers.get("X-Pagination") or "{}"), log)


def probe_all(client, headers: dict, engine, keys: list | None) -> dict:
    """Page 1 and DEEP_PAGE of each endpoint, or of `keys` when given. Without `keys` (the small size), a
    DEEP_PAGE is asked only of the lists that reach it."""
    if keys is not None:
        return {key: probe(client, headers, engine, ENDPOINTS[key[0]], key[1]) for key in keys}
    probes = {}
    for endpoint in ENDPOINTS.values():
        first = probes[(endpoint.label, 1)] = probe(client, headers, engine, endpoint, 1)
        if first.has_deep_page():
            probes[(endpoint.label, DEEP_PAGE)] = probe(client, headers, engine, endpoint, DEEP_PAGE)
    return probes


def time_pages(client, headers: dict, probes: dict, repeat: int) -> dict[str, Timing]:
    """GET /profile/ and every page that answered 200, in turn, `repeat` rounds after WARM_UP (`interleaved`)."""
    runs = [("profile", lambda: get_ok(client, PROFILE, headers))]
    for (label, page), found in probes.items():
        if found.ok:
            endpoint = ENDPOINTS[label]
            query = endpoint.query(page)
            runs.append((key_name((label, page)), lambda e=endpoint, q=query: get_ok(client, e.path, headers, q)))
    return interleaved(runs, repeat)


def plans_of(app, db, probes: dict) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of each list's deepest page measured, and the server time of its COUNT:
    label -> (page, plan or a note, COUNT ms or "none")."""
    plans = {}
    for (label, page), found in sorted(probes.items(), key=lambda item: item[0][1]):  # a deeper page replaces
        table = ENDPOINTS[label].table
        statement = found.page_statement(table) if found.ok else None
        counted = found.count_statement() if found.ok else None
        count_ms = server_ms(explain(app, db, *counted)) + " ms" if counted else "none"
        if statement is None:
            plans[label] = (page, f"    (no SELECT of {table} with LIMIT and OFFSET was logged)", count_ms)
        else:
            plans[label] = (page, explain(app, db, *statement), count_ms)
    return plans


def measure_size(rows: Rows, args: argparse.Namespace, keys: list | None, with_plans: bool) -> Measured:
    """Seed `rows` in a throwaway database, migrated, and measure its pages; the database is dropped after."""
    from app import create_app
    from app.extensions import db

    with bench_database() as (url, _throwaway):
        app = create_app("testing", DATABASE_URL=url, REDIS_URL=None, SOCKETIO_MESSAGE_QUEUE=False, LOG_LEVEL="WARNING")
        try:
            return run_size(app, db, url, rows, args, keys, with_plans)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def run_size(app, db, url: str, rows: Rows, args, keys: list | None, with_plans: bool) -> Measured:
    import flask_migrate

    measured = Measured(rows, database=make_url(url).database)
    with app.app_context():
        flask_migrate.upgrade()
        measured.version = db.session.scalar(text("SHOW server_version"))
        engine = db.engine
        db.session.remove()
    print(f"seeding the {rows.name} size ({rows.users:,} people) in {measured.database}...", flush=True)
    measured.steps, username = seed(app, db, rows, datetime.now(UTC) - timedelta(minutes=1))
    measured.counts = count_rows(app, db)
    client, headers = log_in(app, username)
    measured.probes = probe_all(client, headers, engine, keys)
    print(f"timing {len(measured.probes)} pages and GET {PROFILE}, {args.repeat} rounds...", flush=True)
    measured.timings = time_pages(client, headers, measured.probes, args.repeat)
    if with_plans:
        measured.plans = plans_of(app, db, measured.probes)
    return measured


# --- the report ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if os.environ.pop("BENCH_DATABASE_URL", None):
        print("BENCH_DATABASE_URL is ignored by bench.growth: each size is seeded in its own throwaway database")
    small = measure_size(SMALL, args, None, with_plans=False)
    large = measure_size(args.large, args, list(small.probes), with_plans=True)
    return report(small, large, args)


def report(small: Measured, large: Measured, args: argparse.Namespace) -> int:
    print_header(small, large)
    ratios = print_table(small, large, args)
    print_plans(large)
    return print_checks(small, large, ratios, args)


def print_header(small: Measured, large: Measured) -> None:
    print()
    print(f"Stride benchmark: page lists and searches, small against large, on PostgreSQL {large.version}")
    print(f"  databases     {large.database} (throwaway, one per size, each dropped once measured)")
    for size in (small, large):
        r, c = size.rows, size.counts
        print(
            f"  {f'{r.name} rows':<14}{r.users:,} people ({c['active people']:,} active, {c['friendship rows']:,} "
            f"friendship rows), {r.audit:,} audit events, {r.habits:,} public habits (+{r.habits:,} private), "
            f"{r.workouts:,} workouts ({r.mine:,} the bench user's, {ENTRIES} entries each), {r.exercises:,} "
            "shared exercises"
        )
    for size in (small, large):
        print(
            f"  {f'{size.rows.name} seed':<14}{sum(size.steps.values()):.1f} s ("
            + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in size.steps.items())
            + "; set-based INSERT ... SELECT generate_series)"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine       {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) after the run")
    print()


def _cell(size: Measured, key: tuple | None) -> str:
    timing = size.timings.get("profile" if key is None else key_name(key))
    if timing is None:
        found = size.probes.get(key)
        return f"HTTP {found.status}" if found else "-"
    return f"{timing.p50 * 1000:7.2f} / {timing.p99 * 1000:7.2f}"


def _statements(small: Measured, large: Measured, key: tuple) -> str:
    counts = [size.probes[key].log.total for size in (small, large) if key in size.probes]
    return " / ".join(str(n) for n in counts) if len(set(counts)) > 1 else str(counts[0])


def _total(large: Measured, key: tuple) -> tuple[str, str]:
    found = large.probes.get(key)
    if found is None or not found.ok:
        return "-", "-"
    total, exact = found.pagination.get("total"), found.pagination.get("total_is_exact")
    return (f"{total:,}" if isinstance(total, int) else "?"), ("?" if exact is None else str(exact).lower())


def print_table(small: Measured, large: Measured, args: argparse.Namespace) -> list[tuple[str, float]]:
    """One row per page: p50 / p99 at each size, the ratio large / small (and the same against each size's
    GET /profile/), the statements of one request, X-Pagination at the large size. Returns the ratios."""
    print("Requests through the Flask test client with a bearer token (the bench user, an admin): p50 / p99 in ms")
    print(f"of {args.repeat} rounds after {WARM_UP} of warm-up, each round GET {PROFILE} and every page in turn")
    print(
        f"  {'':<40}{'small':>19}{'large':>19}{'large/small':>13}{'/profile':>10}{'stmts':>8}"
        f"{'total (large)':>15}{'exact':>7}"
    )
    base = small.timings["profile"].p50, large.timings["profile"].p50
    print(
        f"  {f'baseline: GET {PROFILE}':<40}{_cell(small, None):>19}{_cell(large, None):>19}{base[1] / base[0]:>12.2f}x"
    )
    ratios = []
    for key in small.probes:
        ratio, adjusted = "-", ""
        if key_name(key) in small.timings and key_name(key) in large.timings:
            value = large.timings[key_name(key)].p50 / small.timings[key_name(key)].p50
            ratios.append((key_name(key), value))
            ratio, adjusted = f"{value:.2f}x", f"{value / (base[1] / base[0]):.2f}x"
        total, exact = _total(large, key)
        print(
            f"  {key_name(key):<40}{_cell(small, key):>19}{_cell(large, key):>19}{ratio:>13}{adjusted:>10}"
            f"{_statements(small, large, key):>8}{total:>15}{exact:>7}"
        )
    print()
    print("Statements of one request at the large size")
    for key, found in large.probes.items():
        print(f"  {key_name(key):<40}{statements_line(found.log)}")
    print()
    return ratios


def print_plans(large: Measured) -> None:
    for label, (page, plan, count_ms) in large.plans.items():
        print(
            f"EXPLAIN (ANALYZE, BUFFERS) of the page's SELECT, {label}, page {page}, at the large size "
            f"({server_ms(plan)} ms on the server; its COUNT {count_ms}):"
        )
        print(plan)
        print()


def print_checks(small: Measured, large: Measured, ratios: list, args: argparse.Namespace) -> int:
    print("Checks")
    check = Checks()
    for size in (small, large):
        size_checks(check, size)
    for name, ratio in ratios:
        check(f"p50 large / small: {name}", ratio <= args.max_ratio, f"{ratio:.2f}x")
    print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


def size_checks(check: Checks, size: Measured) -> None:
    """The rows seeded as asked, every page a 200, and pages with items (none for the search matching nobody)."""
    name = size.rows.name
    wrong = [
        f"{label} {size.counts[label]:,} (not {expected(size.rows):,})"
        for label, _, expected in COUNTS
        if expected is not None and size.counts[label] != expected(size.rows)
    ]
    check(f"rows seeded as asked, {name}", not wrong, "; ".join(wrong) or "yes")
    failed = {key: found for key, found in size.probes.items() if not found.ok}
    check(f"every request answered 200, {name}", not failed, f"{len(size.probes) - len(failed)} of {len(size.probes)}")
    for key, found in failed.items():
        print(f"    {key_name(key)}: HTTP {found.status} {found.error}")
    empty = [
        key_name(key)
        for key, found in size.probes.items()
        if found.ok and (found.items == 0) != (key[0] == NOBODY_LABEL)
    ]
    check(f"pages hold items (the search for nobody none), {name}", not empty, ", ".join(empty) or "yes")


if __name__ == "__main__":
    sys.exit(main())
