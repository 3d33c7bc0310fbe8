"""Benchmark: `GET /api/v1/feed/` on PostgreSQL, page 1 and page 50, at 10,000 and at 1,000,000 posts.

Seeds 10,000 people with friendships (the bench user has exactly 500 friends), 10,000 posts and the home
timelines the app's fan-out writes for them, then reads the bench user's feed through the Flask test client with
a real bearer token: page 1, and page 50 reached by following `next_cursor` 49 times. Grows the database to
1,000,000 posts and measures again. Reports p50/p99 of each page at each size, the ratios p50(1M)/p50(10k) and
page 50 / page 1, a baseline measured in the same run, the statements of one request and the
EXPLAIN (ANALYZE, BUFFERS) of the feed query.

    python -m bench.feed                                   # 10,000 then 1,000,000 posts (make bench)
    python -m bench.feed --posts-large 100000 --repeat 20  # quick try

BENCH_DATABASE_URL names an empty PostgreSQL database to use; without it a throwaway database
`stride_bench_<pid>` is created on BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and dropped at the end, whatever happens. Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import math
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, make_url, select, text

from bench import social_seed
from bench.expire_goals import bench_database, env_int
from bench.list_workouts import kind_of

PASSWORD = "bench password 1234"
FEED = "/api/v1/feed/"
PROFILE = "/api/v1/profile/"
LIMIT = 20
DEEP_PAGE = 50
MAX_RATIO = 1.5
WARM_UP = 10  # rounds of requests before timing
FEED_TABLES = ("users", "friendships", "posts", "feed_entries")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.feed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=env_int("BENCH_USERS", 10_000), help="people in all")
    parser.add_argument("--friends", type=int, default=500, help="the bench user's friends (500)")
    parser.add_argument("--posts-small", type=int, default=10_000, help="posts at the first measurement")
    parser.add_argument("--posts-large", type=int, default=1_000_000, help="posts at the second measurement")
    parser.add_argument(
        "--circle-share",
        type=float,
        default=0.25,
        help="share of the posts written by the bench user and their friends (0.25)",
    )
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 100), help="timed rounds (p50/p99)")
    parser.add_argument(
        "--max-ratio", type=float, default=MAX_RATIO, help=f"fail when a ratio exceeds this ({MAX_RATIO:g})"
    )
    parser.add_argument("--no-check", action="store_true", help="print the ratios, do not fail on them")
    args = parser.parse_args(argv)
    if not (
        args.users > args.friends >= 1
        and 0 < args.posts_small < args.posts_large
        and 0 < args.circle_share <= 1
        and args.repeat >= 1
    ):
        parser.error("need --users > --friends >= 1, 0 < --posts-small < --posts-large, 0 < --circle-share <= 1")
    return args


# --- measuring ----------------------------------------------------------------------------------------------


def percentile(times: list[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 50 samples is the largest)."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Timing:
    label: str
    times: list[float]
    clock: "SqlClock | None" = None

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p99(self) -> float:
        return percentile(self.times, 99)


@dataclass
class StatementLog:
    """The statements sent on the engine while active: their kinds, text and parameters."""

    engine: object
    kinds: Counter = field(default_factory=Counter)
    statements: list = field(default_factory=list)
    active: bool = False

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        self.active = True
        return self

    def __exit__(self, *exc):
        self.active = False
        event.remove(self.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.kinds[kind_of(statement)] += 1
            self.statements.append((statement, parameters))

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def feed_query(self) -> tuple[str, dict]:
        """The page's own query: the SELECT of posts joined to the timeline."""
        return next(s for s in self.statements if "JOIN feed_entries" in s[0])


class SqlTimer:
    """Listens on the engine while installed and charges the time inside `cursor.execute` (the driver's work and
    the server's) to its `current` clock, if any."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.current: SqlClock | None = None

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_sql_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = conn.info.pop("bench_sql_started", None)
        if self.current is not None and started is not None:
            self.current.charge(statement, time.perf_counter() - started)


@dataclass
class SqlClock:
    """SQL time of one kind of request, per request: in all, and for the feed query alone."""

    total: list = field(default_factory=list)
    feed: list = field(default_factory=list)
    by_kind: Counter = field(default_factory=Counter)  # seconds, over all the requests timed
    _total: float = 0.0
    _feed: float = 0.0

    def charge(self, statement: str, seconds: float) -> None:
        is_feed = "JOIN feed_entries" in statement
        self._total += seconds
        self._feed += seconds if is_feed else 0.0
        self.by_kind[kind_of(statement) + (" (feed)" if is_feed else "")] += seconds

    def lap(self) -> None:
        self.total.append(self._total)
        self.feed.append(self._feed)
        self._total = self._feed = 0.0

    def mean_ms(self) -> str:
        return ", ".join(
            f"{kind} {seconds / len(self.total) * 1000:.2f}" for kind, seconds in self.by_kind.most_common()
        )


def timed(run, repeat: int, label: str) -> Timing:
    run()  # warm-up, not counted
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return Timing(label, times)


def interleaved(runs: list[tuple[str, Callable]], repeat: int, timer: SqlTimer | None = None) -> dict[str, Timing]:
    """WARM_UP rounds of every run, then `repeat` rounds of every run in turn: a change in the machine's load
    (other processes on the same cores) weighs on all of them alike, so their ratios hold."""
    clocks = {label: SqlClock() for label, _ in runs}
    times = {label: [] for label, _ in runs}
    for _ in range(WARM_UP):
        for _, run in runs:
            run()
    for _ in range(repeat):
        for label, run in runs:
            if timer:
                timer.current = clocks[label]
            start = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - start)
            if timer:
                timer.current = None
            clocks[label].lap()
    return {label: Timing(label, times[label], clocks[label]) for label, _ in runs}


def get_ok(client, url: str, headers: dict, query: dict | None = None) -> dict:
    response = client.get(url, headers=headers, query_string=query)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response.json


@dataclass
class Size:
    """Everything measured at one size of the database."""

    posts: int
    entries: int
    timeline: int  # the bench user's timeline rows
    seed_steps: dict
    select_one: Timing = None
    pk_read: Timing = None
    profile: Timing = None
    page1: Timing = None
    page50: Timing = None
    on_read1: Timing = None  # the fan-out-on-read alternative's query (SQL only), page 1
    on_read50: Timing = None
    walk_seconds: float = 0.0
    log1: StatementLog = None
    log50: StatementLog = None
    page1_ok: bool = False
    page50_ok: bool = False
    page1_ids: list = field(default_factory=list)
    plan1: str = ""  # EXPLAIN (ANALYZE, BUFFERS) of the feed query, page 1
    plan50: str = ""
    shares1: int = 0  # shares on the page (their originals are one more query)
    shares50: int = 0

    def statements(self) -> list[int]:
        """The statements of page 1 and page 50, less the originals' query of a page with shares."""
        return [self.log1.total - bool(self.shares1), self.log50.total - bool(self.shares50)]


# The feed read from posts and friendships at request time (fan-out on read), the strategy the timelines replace:
# the independent check of the pages, and the alternative timed beside them.
ON_READ = """
    SELECT p.id, p.created_at FROM posts AS p JOIN users AS u ON u.id = p.author_id
    WHERE p.hidden_at IS NULL AND u.deleted_at IS NULL AND u.deactivated_at IS NULL
      AND (p.author_id = :me
           OR (p.visibility IN ('public', 'friends')
               AND p.author_id IN (SELECT friend_id FROM friendships WHERE user_id = :me)
               AND NOT EXISTS (SELECT 1 FROM blocks AS b
                               WHERE (b.blocker_id = :me AND b.blocked_id = p.author_id)
                                  OR (b.blocker_id = p.author_id AND b.blocked_id = :me))))
      AND (p.created_at, p.id) < (:before_at, :before_id)
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT :n
"""
THE_END = {"before_at": datetime.max.replace(tzinfo=UTC), "before_id": 2**31 - 1}


def expected_pages(db, user_id: int) -> list:
    """The first DEEP_PAGE pages of the feed, by an independent query over posts and friendships (not the
    timelines): the user's own posts and their friends' that they may see, newest first, no hidden ones.
    Rows of `(id, created_at)`."""
    return list(db.session.execute(text(ON_READ), {"me": user_id, "n": DEEP_PAGE * LIMIT, **THE_END}))


def measure(app, db, user_id: int, username: str, size: Size, repeat: int) -> None:
    from app.models import Post

    client = app.test_client()
    login = client.post("/api/v1/login/", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}

    # Requests run outside any app context of ours: each then has its own, and its own session, as in production.
    with app.app_context():
        engine = db.engine
        rows = expected_pages(db, user_id)
        expected = [row.id for row in rows]
        # The alternative, SQL only: the same pages read from posts and friendships at request time.
        last_of_49 = rows[(DEEP_PAGE - 1) * LIMIT - 1]
        for name, before in (
            ("on_read1", THE_END),
            ("on_read50", {"before_at": last_of_49.created_at, "before_id": last_of_49.id}),
        ):
            arguments = {"me": user_id, "n": LIMIT, **before}
            setattr(size, name, timed(lambda a=arguments: db.session.execute(text(ON_READ), a).all(), repeat, name))
        # Baselines through the app's own session and pool: a round trip, and a post read by primary key.
        size.select_one = timed(lambda: db.session.execute(text("SELECT 1")).scalar(), repeat, "SELECT 1")
        ids = iter(range(1, 10 * repeat + 10))
        size.pk_read = timed(
            lambda: db.session.execute(select(Post).where(Post.id == next(ids) * 97 % size.posts + 1)).scalar_one(),
            repeat,
            "post by id",
        )
        db.session.remove()

    first = {"limit": LIMIT}
    with StatementLog(engine) as size.log1:
        body = get_ok(client, FEED, headers, first)
    size.page1_ids = [item["id"] for item in body["items"]]
    size.shares1 = sum(item["is_share"] for item in body["items"])
    size.page1_ok = size.page1_ids == expected[:LIMIT]

    start = time.perf_counter()
    cursor = body["next_cursor"]
    for _ in range(DEEP_PAGE - 2):  # pages 2..49; their cursors lead to page 50
        cursor = get_ok(client, FEED, headers, {"limit": LIMIT, "cursor": cursor})["next_cursor"]
        if cursor is None:
            raise SystemExit(f"the feed ended before page {DEEP_PAGE}: seed more posts (--posts-small)")
    size.walk_seconds = time.perf_counter() - start
    deep = {"limit": LIMIT, "cursor": cursor}
    with StatementLog(engine) as size.log50:
        body = get_ok(client, FEED, headers, deep)
    page50_ids = [item["id"] for item in body["items"]]
    size.shares50 = sum(item["is_share"] for item in body["items"])
    size.page50_ok = page50_ids == expected[(DEEP_PAGE - 1) * LIMIT :] and len(page50_ids) == LIMIT

    runs = [
        ("profile", lambda: get_ok(client, PROFILE, headers)),
        ("page 1", lambda: get_ok(client, FEED, headers, first)),
        ("page 50", lambda: get_ok(client, FEED, headers, deep)),
    ]
    with SqlTimer(engine) as timer:
        timings = interleaved(runs, repeat, timer)
    size.profile, size.page1, size.page50 = timings["profile"], timings["page 1"], timings["page 50"]
    size.plan1 = explain(app, db, *size.log1.feed_query())
    size.plan50 = explain(app, db, *size.log50.feed_query())


def explain(app, db, statement: str, parameters) -> str:
    with app.app_context():
        with db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            conn.rollback()
    return "\n".join("    " + line for line in plan)


# --- the run ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from app import create_app
    from app.extensions import db

    with bench_database() as (url, throwaway):
        app = create_app("testing", DATABASE_URL=url, REDIS_URL=None, SOCKETIO_MESSAGE_QUEUE=False, LOG_LEVEL="WARNING")
        try:
            return run_benchmark(app, args, url, throwaway, db)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def seed_size(app, db, args, *, first: int, last: int, circle_ids: list[int], start: datetime) -> dict:
    """Posts first..last and their timelines, then VACUUM ANALYZE. Returns the seconds of each step."""
    steps = {}
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text("SET LOCAL work_mem = '256MB'"))
            social_seed.skip_foreign_key_checks(conn)
            began = time.perf_counter()
            social_seed.seed_posts(
                conn,
                first=first,
                last=last,
                users=args.users,
                circle_ids=circle_ids,
                circle_share=args.circle_share,
                start=start,
            )
            steps["posts"] = time.perf_counter() - began
            began = time.perf_counter()
            social_seed.fan_out_posts(conn, first=first, last=last, rebuild_indexes=last - first > 100_000)
            steps["fan-out"] = time.perf_counter() - began
        began = time.perf_counter()
        social_seed.vacuum_analyze(db, *FEED_TABLES)
        steps["VACUUM ANALYZE"] = time.perf_counter() - began
    return steps


def run_benchmark(app, args, url: str, throwaway: bool, db) -> int:
    import flask_migrate

    from app.models import User

    now = datetime.now(UTC)
    start = now - timedelta(seconds=31.5 * args.posts_large + 60)  # the newest post is a minute old at 1M
    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.scalar(text("SHOW server_version"))
        for table in FEED_TABLES:
            if db.session.scalar(text(f"SELECT count(*) FROM {table}")):  # noqa: S608 - our own table names
                raise SystemExit(f"the benchmark database is not empty ({table} has rows); give it an empty one")
        db.session.remove()
        began = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            circle_ids = social_seed.seed_people(conn, users=args.users, circle=args.friends, now=now)
        user = db.session.get(User, 1)
        user.set_password(PASSWORD)
        username = user.username
        db.session.commit()
        people_seconds = time.perf_counter() - began
        friendships = db.session.scalar(text("SELECT count(*) FROM friendships"))
        friend_counts = db.session.execute(
            text(
                "SELECT min(n), percentile_disc(0.5) WITHIN GROUP (ORDER BY n), "
                "max(n) FROM (SELECT user_id, count(*) AS n FROM friendships WHERE user_id <> 1 GROUP BY user_id) AS d"
            )
        ).one()
        my_friends = db.session.scalar(text("SELECT count(*) FROM friendships WHERE user_id = 1"))
        db.session.remove()

    sizes, checks = [], []
    bounds = [(1, args.posts_small), (args.posts_small + 1, args.posts_large)]
    for first, last in bounds:
        steps = seed_size(app, db, args, first=first, last=last, circle_ids=circle_ids, start=start)
        with app.app_context():
            entries = db.session.scalar(text("SELECT count(*) FROM feed_entries"))
            with db.engine.connect() as conn:
                fanned = social_seed.expected_entries(conn)
            timeline = db.session.scalar(text("SELECT count(*) FROM feed_entries WHERE owner_id = 1"))
            db.session.remove()
        checks.append((f"timeline rows at {last:,} posts = fan-out of posts x friendships", entries == fanned, entries))
        size = Size(posts=last, entries=entries, timeline=timeline, seed_steps=steps)
        measure(app, db, 1, username, size, args.repeat)
        sizes.append(size)
    small, large = sizes

    print()
    print(f"Stride benchmark: GET {FEED} on PostgreSQL {version}")
    print(f"  database      {make_url(url).database}{' (throwaway)' if throwaway else ''}")
    print(
        f"  people        {args.users:,}; {friendships:,} friendship rows (two per pair); the bench user "
        f"({username}) has {my_friends} friends, the others {friend_counts[0]} to {friend_counts[2]} "
        f"(median {friend_counts[1]})"
    )
    print(
        f"  posts         {args.circle_share:.0%} by the bench user and their friends; 80% public, 15% friends, "
        "5% private; 0.5% hidden; 10% shares"
    )
    print(f"  seed          people {people_seconds:.1f} s (set-based INSERT ... SELECT generate_series)")
    for size in sizes:
        print(
            f"  seed          +posts to {size.posts:,}: {sum(size.seed_steps.values()):.1f} s ("
            + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in size.seed_steps.items())
            + f"); {size.entries:,} timeline rows, {size.timeline:,} in the bench user's"
        )
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine       {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) after the run")
    print()
    print(f"Requests through the Flask test client with a bearer token: p50 / p99 of {args.repeat} rounds after")
    print(f"{WARM_UP} of warm-up, each round GET {PROFILE}, page 1 and page {DEEP_PAGE} in turn")
    header = f"  {'':<46}" + "".join(f"{f'{s.posts:,} posts':>26}" for s in sizes)
    print(header)

    def line(label: str, pick) -> None:
        cells = "".join(f"{f'{pick(s).p50 * 1000:7.2f} / {pick(s).p99 * 1000:7.2f} ms':>26}" for s in sizes)
        print(f"  {label:<46}{cells}")

    def sql_line(label: str, pick) -> None:
        medians = [(statistics.median(pick(s).total) * 1000, statistics.median(pick(s).feed) * 1000) for s in sizes]
        cells = "".join(f"{f'{total:7.2f} / {feed:7.2f} ms':>26}" for total, feed in medians)
        print(f"  {label:<46}{cells}")

    line("baseline: SELECT 1 (app session)", lambda s: s.select_one)
    line("baseline: a post by primary key", lambda s: s.pk_read)
    line(f"baseline: GET {PROFILE} (auth + 1 row)", lambda s: s.profile)
    line(f"GET {FEED}?limit={LIMIT}  (page 1)", lambda s: s.page1)
    line(f"... page {DEEP_PAGE} (its cursor)", lambda s: s.page50)
    sql_line("  page 1: SQL in all / the feed query (p50)", lambda s: s.page1.clock)
    sql_line(f"  page {DEEP_PAGE}: SQL in all / the feed query", lambda s: s.page50.clock)
    print(
        f"  {'  feed query, server time (EXPLAIN ANALYZE)':<46}"
        + "".join(f"{f'{server_ms(s.plan1)} / {server_ms(s.plan50)} ms':>26}" for s in sizes)
    )
    line("  alternative: fan-out on read, page 1 (SQL)", lambda s: s.on_read1)
    line(f"  alternative: fan-out on read, page {DEEP_PAGE} (SQL)", lambda s: s.on_read50)
    print(
        f"  {'page 1 / baseline GET /profile/':<46}"
        + "".join(f"{f'{s.page1.p50 / s.profile.p50:.2f}x':>26}" for s in sizes)
    )
    print(f"  {f'walking pages 2..{DEEP_PAGE - 1}':<46}" + "".join(f"{f'{s.walk_seconds:.2f} s':>26}" for s in sizes))
    for label, pick, shares in (
        ("statements, page 1", lambda s: s.log1, lambda s: s.shares1),
        (f"statements, page {DEEP_PAGE}", lambda s: s.log50, lambda s: s.shares50),
    ):
        cells = "".join(f"{f'{pick(s).total} (page has {shares(s)} shares)':>26}" for s in sizes)
        print(f"  {label:<46}{cells}")
    print(f"  {'  of which, page 1 at the larger size':<46}   {statements_line(large.log1)}")
    print("  SQL time by statement (mean ms per request)")
    for size in sizes:
        print(f"    page 1 at {size.posts:,} posts: {size.page1.clock.mean_ms()}")
        print(f"    page {DEEP_PAGE} at {size.posts:,} posts: {size.page50.clock.mean_ms()}")
    print()
    ratios = [
        (f"p50 page 1: {large.posts:,} / {small.posts:,} posts", large.page1.p50 / small.page1.p50),
        (f"p50 page {DEEP_PAGE}: {large.posts:,} / {small.posts:,} posts", large.page50.p50 / small.page50.p50),
        (f"p50 page {DEEP_PAGE} / page 1 at {small.posts:,} posts", small.page50.p50 / small.page1.p50),
        (f"p50 page {DEEP_PAGE} / page 1 at {large.posts:,} posts", large.page50.p50 / large.page1.p50),
    ]
    print(f"Ratios (must be <= {args.max_ratio:g}{', not checked: --no-check' if args.no_check else ''})")
    for label, ratio in ratios:
        print(f"  {label:<52} {ratio:6.2f}x")
    adjusted = [
        (large.page1.p50 / large.profile.p50) / (small.page1.p50 / small.profile.p50),
        (large.page50.p50 / large.profile.p50) / (small.page50.p50 / small.profile.p50),
    ]
    print(
        f"  {'the same, each against its GET /profile/ baseline':<52} "
        + " / ".join(f"{ratio:.2f}x" for ratio in adjusted)
        + f"  (page 1 / page {DEEP_PAGE}; not checked: context for a change of load between the sizes)"
    )
    print()
    print(f"EXPLAIN (ANALYZE, BUFFERS) of the feed query at {large.posts:,} posts, page 1:")
    print(large.plan1)
    print()
    print(f"... and page {DEEP_PAGE} (the same query past its cursor):")
    print(large.plan50)
    print()
    print("Checks")
    check = Checks()
    check("the bench user's friends", my_friends == args.friends, my_friends)
    for label, ok, shown in checks:
        check(label, ok, f"{shown:,}")
    for size in sizes:
        check(f"page 1 at {size.posts:,} = newest {LIMIT} visible (independent SQL)", size.page1_ok, "")
        check(f"page {DEEP_PAGE} at {size.posts:,} = rows {(DEEP_PAGE - 1) * LIMIT + 1}..", size.page50_ok, "")
    counts = small.statements() + large.statements()
    check("same statements on page 1 and 50 at both sizes (+1 with shares)", len(set(counts)) == 1, max(counts))
    if not args.no_check:
        for label, ratio in ratios:
            check(label, ratio <= args.max_ratio, f"{ratio:.2f}x")
    print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


def server_ms(plan: str) -> str:
    """The `Execution Time` of an EXPLAIN ANALYZE, in ms, as printed."""
    found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return f"{float(found.group(1)):.2f}" if found else "?"


def statements_line(log: StatementLog) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(log.kinds.items()))


class Checks:
    def __init__(self) -> None:
        self.failed = []

    def __call__(self, label: str, ok: bool, shown) -> None:
        print(f"  {label:<62} {shown!s:>12}     {'OK' if ok else 'FAIL'}")
        if not ok:
            self.failed.append(label)


if __name__ == "__main__":
    sys.exit(main())
