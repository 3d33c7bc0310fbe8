"""Benchmark: `GET /api/v1/workouts/` on PostgreSQL, a page of 100 workouts against a page of 1.

Seeds one user with 10,000 workouts of 5 exercise entries each (set-based), then asks for the newest page
of 100 and of 1 through the Flask test client with a real bearer token, and reports the median times, their
ratio and the SQL statements each request sent. A list without per-row queries sends the same statements
for 100 rows as for 1, and its time grows only with the serialisation of the rows.

    python -m bench.list_workouts                         # 10,000 workouts x 5 entries (make bench)
    python -m bench.list_workouts --workouts 2000 --repeat 10

BENCH_DATABASE_URL names an empty PostgreSQL database to use; without it a throwaway database
`stride_bench_<pid>` is created on BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and dropped at the end, whatever happens. Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import event, func, make_url, select, text

from bench.expire_goals import bench_database, env_int

USERNAME, PASSWORD = "bencher", "bench password 1234"
TRAINING_TYPES = ("strength", "cardio", "hiit", "yoga", "mobility", "running")
MAX_RATIO = 25.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.list_workouts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workouts", type=int, default=env_int("BENCH_WORKOUTS", 10_000), help="the user's workouts")
    parser.add_argument("--entries", type=int, default=env_int("BENCH_ENTRIES", 5), help="exercise entries each")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 30), help="timed requests (median)")
    parser.add_argument(
        "--max-ratio", type=float, default=MAX_RATIO, help=f"fail when page 100 / page 1 exceeds this ({MAX_RATIO:g})"
    )
    args = parser.parse_args(argv)
    if args.workouts < 100 or not 1 <= args.entries <= 100 or args.repeat < 1:
        parser.error("need --workouts >= 100, 1 <= --entries <= 100 and --repeat >= 1")
    return args


# --- the database -------------------------------------------------------------------------------------------


# --- seeding ------------------------------------------------------------------------------------------------


def seed(db, args) -> int:
    """The user (with a real password, to log in), the starter catalog, then the workouts and their entries
    in two `INSERT … SELECT generate_series` statements. Returns the user's id."""
    from app.models import Exercise, User, Workout
    from app.services import exercises
    from app.services.seed_data import EXERCISES

    if db.session.scalar(select(func.count()).select_from(Workout)):
        raise SystemExit("the benchmark database is not empty (workouts has rows); give it an empty one")
    user = User(username=USERNAME, email=f"{USERNAME}@bench.invalid")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    exercises.seed_catalog(EXERCISES)
    exercise_ids = list(db.session.scalars(select(Exercise.id).order_by(Exercise.id)))
    params = {
        "user_id": user.id,
        "workouts": args.workouts,
        "entries": args.entries,
        "types": list(TRAINING_TYPES),
        "exercise_ids": exercise_ids,
        "created": datetime.now(UTC),
    }
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(
            text(
                """
                INSERT INTO workouts (user_id, training_type, title, intensity, duration_min, date, description,
                                      created_at, updated_at)
                SELECT :user_id,
                       (CAST(:types AS text[]))[1 + g % cardinality(CAST(:types AS text[]))],
                       'Session ' || g, (ARRAY['low', 'medium', 'high'])[1 + g % 3], 20 + g % 70,
                       CURRENT_DATE - (g % 3650), NULL, :created, :created
                FROM generate_series(1, :workouts) AS g
                """
            ),
            params,
        )
        conn.execute(
            text(
                """
                INSERT INTO workout_exercises (workout_id, exercise_id, "order", sets, reps, rest_sec, extra_weight_g)
                SELECT w.id,
                       (CAST(:exercise_ids AS int[]))[1 + (w.id * 7 + k) % cardinality(CAST(:exercise_ids AS int[]))],
                       k, 3 + k % 3, 5 + k, 60, 2500 * (w.id % 40)
                FROM workouts AS w, generate_series(1, :entries) AS k
                WHERE w.user_id = :user_id
                """
            ),
            params,
        )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE workouts, workout_exercises, exercises"))
    return user.id


# --- measuring ----------------------------------------------------------------------------------------------


def kind_of(statement: str) -> str:
    """`SELECT workouts`, `COUNT workouts`: the verb and the first table read."""
    words = " ".join(statement.split())
    verb = "COUNT" if words.upper().startswith("SELECT COUNT(") else words.split(" ", 1)[0].upper()
    table = re.search(r"\bFROM (\w+)", words)
    return f"{verb} {table.group(1)}" if table else verb


@dataclass
class StatementLog:
    """The SQL statements sent on the engine while active, and the time spent inside cursor.execute."""

    kinds: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    active: bool = False

    def install(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.kinds[kind_of(statement)] += 1
            conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and "bench_started" in conn.info:
            self.seconds += time.perf_counter() - conn.info.pop("bench_started")

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


@dataclass
class Measured:
    label: str
    median: float
    p90: float
    sql_seconds: float  # mean per request: time inside cursor.execute
    statements: StatementLog
    rows: int
    entries: int
    size: int


def measure(client, engine, url: str, headers: dict, repeat: int, label: str) -> Measured:
    """Median of `repeat` requests after a warm-up; the statements of one request, counted."""
    response = client.get(url, headers=headers)  # warm-up, not counted
    assert response.status_code == 200, response.json
    times, sql_seconds = [], 0.0
    for _ in range(repeat):
        log = StatementLog()
        log.install(engine)
        log.active = True
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        log.active = False
        event.remove(engine, "before_cursor_execute", log._before)
        event.remove(engine, "after_cursor_execute", log._after)
        sql_seconds += log.seconds
        assert response.status_code == 200, response.json
    times.sort()
    body = response.json
    return Measured(
        label=label,
        median=statistics.median(times),
        p90=times[min(len(times) - 1, int(len(times) * 0.9))],
        sql_seconds=sql_seconds / repeat,
        statements=log,
        rows=len(body),
        entries=sum(len(w["exercises"]) for w in body),
        size=len(response.data),
    )


def timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


# --- the report ---------------------------------------------------------------------------------------------


class Checks:
    def __init__(self) -> None:
        self.failed = []

    def __call__(self, label: str, ok: bool, shown) -> None:
        print(f"  {label:<52} {shown!s:>12}     {'OK' if ok else 'FAIL'}")
        if not ok:
            self.failed.append(label)


def report_line(m: Measured) -> None:
    print(
        f"  {m.label:<34} median {m.median * 1000:7.2f} ms  p90 {m.p90 * 1000:7.2f} ms  "
        f"SQL {m.sql_seconds * 1000:6.2f} ms  {m.statements.total} statements  "
        f"{m.rows} workouts / {m.entries} entries  {m.size / 1024:.0f} KiB"
    )


def statements_line(m: Measured) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(m.statements.kinds.items()))


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


def run_benchmark(app, args, url: str, throwaway: bool, db) -> int:
    import flask_migrate

    from app.models import User
    from app.services import stats

    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.scalar(text("SHOW server_version"))
        seed_seconds, user_id = timed(lambda: seed(db, args))
        rebuild_seconds, _ = timed(lambda: stats.rebuild([user_id]))
        totals = stats.stats_for(db.session.get(User, user_id))
        db.session.remove()
        engine = db.engine

    client = app.test_client()
    login = client.post("/api/v1/login/", json={"username": USERNAME, "password": PASSWORD})
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    base = "/api/v1/workouts/"
    one = measure(client, engine, f"{base}?page_size=1", headers, args.repeat, "page_size=1")
    hundred = measure(client, engine, f"{base}?page_size=100", headers, args.repeat, "page_size=100")
    last_page = args.workouts // 100
    deep = measure(client, engine, f"{base}?page_size=100&page={last_page}", headers, args.repeat, f"page={last_page}")
    filtered = measure(
        client,
        engine,
        f"{base}?page_size=100&training_type=strength&date_from=2020-01-01",
        headers,
        args.repeat,
        "page_size=100, type + date filter",
    )
    ratio = hundred.median / one.median

    print()
    print(f"Stride benchmark: GET /api/v1/workouts/ on PostgreSQL {version}")
    print(f"  database      {make_url(url).database}{' (throwaway)' if throwaway else ''}")
    print(f"  rows          1 user, {args.workouts:,} workouts x {args.entries} entries, catalog of 81 exercises")
    print(f"  seed          {seed_seconds:.1f} s (set-based INSERT ... SELECT generate_series, then VACUUM ANALYZE)")
    print(
        f"  stats rebuild {rebuild_seconds:.2f} s for {totals['total_workouts']:,} workouts / "
        f"{totals['total_exercises']:,} entries (flask stats rebuild, one user)"
    )
    print()
    print(f"Requests through the Flask test client with a bearer token (median of {args.repeat} after a warm-up)")
    for measured in (one, hundred, deep, filtered):
        report_line(measured)
    print(f"  {'ratio page_size=100 / page_size=1':<34} {ratio:.1f}x for 100x the rows")
    per_row = (hundred.median - one.median) / 99
    print(f"  {'cost of each further workout':<34} {per_row * 1000:.3f} ms (serialising it and its entries)")
    print(f"  {'statements, page_size=1':<34} {statements_line(one)}")
    print(f"  {'statements, page_size=100':<34} {statements_line(hundred)}")
    print()
    print("Checks")
    check = Checks()
    check("page_size=100 returns 100 workouts", hundred.rows == 100, hundred.rows)
    check(f"... with {args.entries} entries each", hundred.entries == 100 * args.entries, hundred.entries)
    check(
        "same statements for 100 rows as for 1 (no per-row queries)",
        hundred.statements.kinds == one.statements.kinds,
        f"{hundred.statements.total} = {one.statements.total}",
    )
    check(
        "the deepest page sends the same statements",
        deep.statements.kinds == one.statements.kinds,
        deep.statements.total,
    )
    check(f"ratio within {args.max_ratio:g}x", ratio <= args.max_ratio, f"{ratio:.1f}x")
    print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


if __name__ == "__main__":
    sys.exit(main())
