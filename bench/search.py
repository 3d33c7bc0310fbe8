"""Benchmark: `GET /api/v1/search/` on PostgreSQL, posts and people, at 1,000,000 posts.

Seeds 10,000 people with friendships and 1,000,000 posts whose texts are drawn from a vocabulary (its first words
in about half the posts, one rare word in about 20), then searches through the Flask test client with a real
bearer token: posts by a rare word, by a common word and by two words, people by a name prefix and by a misspelt
name. Reports p50/p99 of each against a baseline measured in the same run, how many posts each query matches,
the statements of each request and the EXPLAIN (ANALYZE, BUFFERS) of the posts search query.

    python -m bench.search                                 # 1,000,000 posts (make bench)
    python -m bench.search --posts 100000 --repeat 10      # quick try

The search endpoint must be in the app: without it the benchmark stops before seeding and says so
(`--seed-anyway` seeds and measures the baseline all the same, to try the seed). BENCH_DATABASE_URL names an
empty PostgreSQL database to use; without it a throwaway database `stride_bench_<pid>` is created on
BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end, whatever
happens. Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import make_url, select, text

from bench import social_seed
from bench.expire_goals import bench_database, env_int
from bench.feed import (
    PASSWORD,
    PROFILE,
    WARM_UP,
    Checks,
    StatementLog,
    Timing,
    get_ok,
    interleaved,
    statements_line,
    timed,
)

SEARCH = "/api/v1/search/"
LIMIT = 20
SEARCH_TABLES = ("users", "friendships", "posts")
# (label, type, q): what is searched. The words are VOCABULARY's first (in about half the posts), its third and
# first together, and RARE_WORD; the names are FIRST_NAMES / LAST_NAMES'.
QUERIES = (
    ("posts, a rare word", "posts", social_seed.RARE_WORD),
    ("posts, a common word", "posts", social_seed.VOCABULARY[0]),
    ("posts, two words", "posts", f"{social_seed.VOCABULARY[2]} {social_seed.VOCABULARY[0]}"),
    ("people, a name prefix", "users", "mar"),
    ("people, a misspelt name", "users", "kowalsky"),
)
TYPO_FINDS = "kowalski"  # what the misspelt name must find


@dataclass
class Searched:
    label: str
    kind: str
    q: str
    timing: Timing | None
    log: StatementLog
    body: dict


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=env_int("BENCH_USERS", 10_000), help="people in all")
    parser.add_argument("--friends", type=int, default=500, help="the bench user's friends (500)")
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts in all")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 30), help="timed requests (p50/p99)")
    parser.add_argument(
        "--seed-anyway", action="store_true", help="seed and measure the baseline even without the search endpoint"
    )
    args = parser.parse_args(argv)
    if not (args.users > args.friends >= 1 and args.posts >= 1 and args.repeat >= 1):
        parser.error("need --users > --friends >= 1, --posts >= 1 and --repeat >= 1")
    return args


def has_search(app) -> bool:
    return any(rule.rule.rstrip("/") == SEARCH.rstrip("/") for rule in app.url_map.iter_rules())


def count_matches(db, q: str) -> int:
    """Posts whose words match `q`, all of them (the app's own text search configuration, english)."""
    return db.session.scalar(
        text("SELECT count(*) FROM posts WHERE search_vector @@ plainto_tsquery('english', :q)"), {"q": q}
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from app import create_app
    from app.extensions import db

    with bench_database() as (url, throwaway):
        app = create_app("testing", DATABASE_URL=url, REDIS_URL=None, SOCKETIO_MESSAGE_QUEUE=False, LOG_LEVEL="WARNING")
        if not has_search(app) and not args.seed_anyway:
            print(
                f"FAIL: this app has no GET {SEARCH} (no such route): nothing to measure. The search endpoint is "
                "not built on this branch yet; run again where it is (--seed-anyway tries the seed without it)."
            )
            return 1
        try:
            return run_benchmark(app, args, url, throwaway, db)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def run_benchmark(app, args, url: str, throwaway: bool, db) -> int:
    import flask_migrate

    from app.models import Post, User

    now = datetime.now(UTC)
    steps = {}
    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.scalar(text("SHOW server_version"))
        for table in SEARCH_TABLES:
            if db.session.scalar(text(f"SELECT count(*) FROM {table}")):  # noqa: S608 - our own table names
                raise SystemExit(f"the benchmark database is not empty ({table} has rows); give it an empty one")
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            began = time.perf_counter()
            circle_ids = social_seed.seed_people(conn, users=args.users, circle=args.friends, now=now)
            steps["people"] = time.perf_counter() - began
            social_seed.skip_foreign_key_checks(conn)
            began = time.perf_counter()
            social_seed.seed_posts(
                conn,
                first=1,
                last=args.posts,
                users=args.users,
                circle_ids=circle_ids,
                circle_share=0.25,
                start=now - timedelta(seconds=31.5 * args.posts + 60),
            )
            steps["posts"] = time.perf_counter() - began
        began = time.perf_counter()
        social_seed.vacuum_analyze(db, *SEARCH_TABLES)
        steps["VACUUM ANALYZE"] = time.perf_counter() - began
        user = db.session.get(User, 1)
        user.set_password(PASSWORD)
        username = user.username
        db.session.commit()
        matches = {q: count_matches(db, q) for _, kind, q in QUERIES if kind == "posts"}
        db.session.remove()

        engine = db.engine
        select_one = timed(lambda: db.session.execute(text("SELECT 1")).scalar(), args.repeat, "SELECT 1")
        ids = iter(range(1, 10 * args.repeat + 10))
        pk_read = timed(
            lambda: db.session.execute(select(Post).where(Post.id == next(ids) * 97 % args.posts + 1)).scalar_one(),
            args.repeat,
            "post by id",
        )
        db.session.remove()

    client = app.test_client()
    login = client.post("/api/v1/login/", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    results, check = [], Checks()
    searchable = has_search(app)
    runs = [("profile", lambda: get_ok(client, PROFILE, headers))]
    for label, kind, q in QUERIES if searchable else ():
        query = {"q": q, "type": kind, "limit": LIMIT}
        with StatementLog(engine) as log:
            response = client.get(SEARCH, headers=headers, query_string=query)
        if response.status_code != 200:
            print(f"FAIL: GET {SEARCH}?q={q}&type={kind} answered {response.status_code}: {response.get_data(True)}")
            return 1
        results.append(Searched(label, kind, q, None, log, response.json))
        runs.append((label, lambda query=query: get_ok(client, SEARCH, headers, query)))
    timings = interleaved(runs, args.repeat)
    profile = timings["profile"]
    for searched in results:
        searched.timing = timings[searched.label]

    print()
    print(f"Stride benchmark: GET {SEARCH} on PostgreSQL {version}")
    print(f"  database      {make_url(url).database}{' (throwaway)' if throwaway else ''}")
    print(f"  rows          {args.users:,} people (the bench user {username}: {args.friends} friends)")
    print(f"                {args.posts:,} posts (no timelines: search does not read them)")
    print(
        f"  seed          {sum(steps.values()):.1f} s ("
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items())
        + "; set-based INSERT ... SELECT generate_series)"
    )
    print("  posts matching (all of them, by SQL): " + ", ".join(f"{q!r} {n:,}" for q, n in matches.items()))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine       {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) after the run")
    print()
    print(f"Requests through the Flask test client with a bearer token: p50 / p99 of {args.repeat} rounds after")
    print(f"{WARM_UP} of warm-up, each round GET {PROFILE} and every search in turn (the SQL baselines on their own)")
    baselines = (("baseline: SELECT 1 (app session)", select_one), ("baseline: a post by primary key", pk_read))
    for label, timing in (*baselines, (f"baseline: GET {PROFILE} (auth + 1 row)", profile)):
        print(f"  {label:<46} {_ms(timing)}")
    for r in results:
        shown = f"{len(r.body['items'])} items{', more' if r.body.get('next_cursor') else ''}"
        print(
            f"  {f'{r.label}: {r.q!r}':<46} {_ms(r.timing)}   {r.timing.p50 / profile.p50:5.1f}x GET /profile/   "
            f"{shown}, {r.log.total} statements"
        )
    for r in results:
        print(f"  statements, {r.label:<33}    {statements_line(r.log)}")
    print()
    for r in results:
        if r.kind != "posts" or r.q == social_seed.RARE_WORD:
            continue
        statement = next((s for s in r.log.statements if "search_vector" in s[0] and "FROM posts" in s[0]), None)
        if statement is None:
            print(f"(no statement of the posts search for {r.q!r} reads search_vector: nothing to EXPLAIN)")
            continue
        print(f"EXPLAIN (ANALYZE, BUFFERS) of the posts search query, q={r.q!r}, at {args.posts:,} posts:")
        with app.app_context(), db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement[0], statement[1]).scalars().all()
            conn.rollback()
        print("\n".join("    " + line for line in plan))
        print()

    print("Checks")
    check("the search endpoint is in this app", searchable, SEARCH)
    check(
        f"{social_seed.RARE_WORD!r} is rare, {social_seed.VOCABULARY[0]!r} common", _frequencies_ok(matches, args), ""
    )
    for r in results:
        items = r.body["items"]
        if r.kind == "posts":
            words = r.q.lower().split()
            ok = bool(items) and all(all(w in item["text"].lower().split() for w in words) for item in items)
            check(f"{r.label}: found, every post has the word(s)", ok, len(items))
        elif r.q == "mar":
            ok = bool(items) and all("mar" in _names(item) for item in items)
            check(f"{r.label}: found, every one named *mar*", ok, len(items))
        else:
            ok = any(TYPO_FINDS in _names(item) for item in items)
            check(f"{r.label}: finds a {TYPO_FINDS.title()}", ok, len(items))
    print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


def _ms(timing: Timing) -> str:
    return f"{timing.p50 * 1000:8.2f} / {timing.p99 * 1000:8.2f} ms"


def _names(item: dict) -> str:
    """A person's card as searchable text: username and names, lower-cased."""
    return " ".join(str(item.get(key) or "") for key in ("username", "first_name", "last_name")).lower()


def _frequencies_ok(matches: dict, args) -> bool:
    rare, common = matches[social_seed.RARE_WORD], matches[social_seed.VOCABULARY[0]]
    return 0 < rare <= max(50, args.posts // 10_000) and common >= args.posts // 4


if __name__ == "__main__":
    sys.exit(main())
