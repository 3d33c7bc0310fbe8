"""Benchmark: `goals.expire_due_goals()` on PostgreSQL, at production scale.

Seeds users over several real time zones and goals of which exactly `--due` have come to their end date
in their owner's local day, then expires them and reports the time as a ratio against a read of the same
rows measured in the same run, with the SQL statements the expiry issued (the UPDATE of goals must be one).

    python -m bench.expire_goals                          # 1,000,000 goals, 100,000 due (make bench)
    python -m bench.expire_goals --goals 100000 --due 10000

BENCH_DATABASE_URL names an empty PostgreSQL database to use; without it a throwaway database
`stride_bench_<pid>` is created on BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and dropped at the end, whatever happens. Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from sqlalchemy import case, event, func, make_url, select, text

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Honolulu",
)
GOAL_TYPES = ("weight_loss", "muscle_gain", "endurance", "flexibility", "strength", "general")
MAX_SECONDS = 60.0
TOGETHER = "UPDATE goals + INSERT notifications"  # one WITH statement on PostgreSQL
MAIN_KINDS = ("UPDATE goals", "INSERT notifications", TOGETHER)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.expire_goals", description=__doc__.split("\n\n")[0])
    parser.add_argument("--goals", type=int, default=env_int("BENCH_GOALS", 1_000_000), help="goals in all")
    parser.add_argument("--due", type=int, default=env_int("BENCH_DUE", 100_000), help="goals due now")
    parser.add_argument("--users", type=int, default=env_int("BENCH_USERS", 10_000), help="owners of the goals")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 5), help="baseline runs (median)")
    parser.add_argument(
        "--max-seconds", type=float, default=MAX_SECONDS, help="fail when the expiry takes longer (default 60)"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="afterwards, re-arm the due goals and print EXPLAIN (ANALYZE, BUFFERS) of the very UPDATE issued",
    )
    args = parser.parse_args(argv)
    if not 0 < args.due <= args.goals or args.users < 1 or args.repeat < 1:
        parser.error("need 0 < --due <= --goals, --users >= 1 and --repeat >= 1")
    return args


# --- the database -------------------------------------------------------------------------------------------


@contextmanager
def bench_database():
    """BENCH_DATABASE_URL as given, or a throwaway database dropped on the way out (also on failure)."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield given, False
        return
    admin_url = os.environ.get("BENCH_ADMIN_URL", ADMIN_URL)
    name = f"stride_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False), True
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        print(f"dropped the throwaway database {name}")


# --- seeding ------------------------------------------------------------------------------------------------


def seed_users(conn, params: dict) -> None:
    """`params["users"]` users spread round-robin over `params["zones"]`, created at `params["created"]`."""
    conn.execute(
        text(
            """
            INSERT INTO users (id, username, email, password_hash, role, privacy, timezone, created_at)
            SELECT i, 'bench' || i, 'bench' || i || '@bench.invalid', 'not-a-hash', 'user', 'public',
                   (CAST(:zones AS text[]))[1 + (i - 1) % cardinality(CAST(:zones AS text[]))], :created
            FROM generate_series(1, :users) AS i
            """
        ),
        params,
    )
    conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), :users)"), params)


def local_todays(now: datetime) -> list:
    return [now.astimezone(ZoneInfo(zone)).date() for zone in ZONES]


def seed(db, args, now: datetime) -> None:
    """Set-based: user i lives in ZONES[(i-1) % len]; goal g belongs to user 1 + (g-1) % users.

    Goals 1..due end between 29 days ago and today (owner-local): due. The rest end tomorrow or later
    (owner-local; near the boundary for some, since zones ahead of the owner's may already be on that day),
    or never (a third of them)."""
    params = {
        "users": args.users,
        "goals": args.goals,
        "due": args.due,
        "zones": list(ZONES),
        "todays": local_todays(now),
        "types": list(GOAL_TYPES),
        "created": now - timedelta(days=100),
    }
    with db.engine.begin() as conn:
        for table in ("users", "goals", "notifications"):
            if conn.scalar(text(f"SELECT count(*) FROM {table}")):  # noqa: S608 - our own table names
                raise SystemExit(f"the benchmark database is not empty ({table} has rows); give it an empty one")
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        seed_users(conn, params)
        conn.execute(
            text(
                """
                INSERT INTO goals (user_id, goal_type, start_date, end_date, is_active, created_at, updated_at)
                SELECT s.user_id,
                       (CAST(:types AS text[]))[1 + s.g % cardinality(CAST(:types AS text[]))],
                       s.today - 90,
                       CASE WHEN s.g <= :due THEN s.today - (s.g % 30)
                            WHEN s.g % 3 = 0 THEN NULL
                            ELSE s.today + 1 + (s.g % 365) END,
                       true, :created, :created
                FROM (
                    SELECT g, u AS user_id,
                           (CAST(:todays AS date[]))[1 + (u - 1) % cardinality(CAST(:todays AS date[]))] AS today
                    FROM generate_series(1, :goals) AS g, LATERAL (SELECT 1 + (g - 1) % :users AS u) AS owner
                ) AS s
                """
            ),
            params,
        )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE users, goals, notifications"))


def count_due_by_rule(db, now: datetime) -> int:
    """The due goals counted independently of the service's SQL: owner-local today joined per zone."""
    return db.session.scalar(
        text(
            """
            SELECT count(*) FROM goals AS g
            JOIN users AS u ON u.id = g.user_id
            JOIN unnest(CAST(:zones AS text[]), CAST(:todays AS date[])) AS z(zone, today) ON z.zone = u.timezone
            WHERE g.is_active AND g.end_date IS NOT NULL AND g.end_date <= z.today
            """
        ),
        {"zones": list(ZONES), "todays": local_todays(now)},
    )


# --- measuring ----------------------------------------------------------------------------------------------


def due_predicate(now: datetime):
    """The expiry's WHERE clause, built the way `expire_due_goals` builds it (for a baseline of the same shape)."""
    from app.extensions import db
    from app.models import Goal, User

    zones = list(db.session.scalars(select(User.timezone).distinct()))
    today_by_zone = {zone: now.astimezone(ZoneInfo(zone)).date() for zone in zones}
    owner_today = (
        select(case(*((User.timezone == zone, day) for zone, day in today_by_zone.items()), else_=None))
        .where(User.id == Goal.user_id)
        .scalar_subquery()
    )
    return (
        Goal.is_active.is_(True),
        Goal.end_date.is_not(None),
        Goal.end_date <= max(today_by_zone.values()),
        Goal.end_date <= owner_today,
    )


def timed_median(run: Callable[[], object], repeat: int) -> tuple[float, list[float], object]:
    run()  # warm-up, not counted
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def kind_of(statement: str) -> str:
    words = " ".join(statement.split()).upper()
    if words.startswith("WITH") and "UPDATE GOALS" in words and "INSERT INTO NOTIFICATIONS" in words:
        return TOGETHER
    if words.startswith("UPDATE GOALS"):
        return "UPDATE goals"
    if words.startswith("INSERT INTO NOTIFICATIONS"):
        return "INSERT notifications"
    return words.split(" ", 1)[0] or "?"


@dataclass
class StatementLog:
    """Every SQL statement sent on the engine while active, with the time each took on the wire."""

    kinds: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)
    statements: list = field(default_factory=list)
    commit_started: float | None = None
    active: bool = False
    phase: str = ""  # "after commit: " while the after-commit push runs

    def install(self, engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.kinds[self.phase + kind_of(statement)] += 1
            self.statements.append((statement, parameters))
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and conn.info.get("bench_started"):
            self.seconds[self.phase + kind_of(statement)] += time.perf_counter() - conn.info["bench_started"].pop()

    def _commit(self, conn):
        if self.active:
            self.commit_started = time.perf_counter()

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


@dataclass
class Run:
    expired: int
    seconds: float
    log: StatementLog
    push_seconds: float = 0.0
    push_started: float | None = None
    payloads: list = field(default_factory=list)

    @property
    def commit_seconds(self) -> float:
        if self.log.commit_started is None or self.push_started is None:
            return 0.0
        return self.push_started - self.log.commit_started


def expire_once(app, now: datetime) -> Run:
    """One `expire_due_goals(now)` in a fresh app context, Socket.IO emits replaced by no-ops; the
    after-commit push is timed on its own and its payloads kept (to replay them with the real emit)."""
    from app.extensions import db
    from app.integrations import realtime
    from app.services import goals, notifications

    run = Run(expired=0, seconds=0.0, log=StatementLog())
    real_push, real_emit, real_broadcast = notifications._push, realtime.emit_to_user, realtime.broadcast

    def timed_push(payloads):
        run.push_started = time.perf_counter()
        run.payloads = payloads
        run.log.phase = "after commit: "
        real_push(payloads)
        run.log.phase = ""
        run.push_seconds = time.perf_counter() - run.push_started

    notifications._push = timed_push
    realtime.emit_to_user = lambda *args, **kwargs: None
    realtime.broadcast = lambda *args, **kwargs: None
    try:
        with app.app_context():
            run.log.install(db.engine)
            run.log.active = True
            start = time.perf_counter()
            run.expired = goals.expire_due_goals(now)
            run.seconds = time.perf_counter() - start
            run.log.active = False
            db.session.remove()
    finally:
        notifications._push, realtime.emit_to_user, realtime.broadcast = real_push, real_emit, real_broadcast
    return run


def push_with_real_emit(app, payloads: list) -> tuple[float, float, int]:
    """Replay the after-commit push with the real `socketio.emit` (no message queue, nobody connected:
    every room is empty). Returns (whole push, emits alone, emits)."""
    from app.extensions import db
    from app.integrations import realtime
    from app.services import notifications

    emit_seconds, emits = 0.0, 0
    real_emit = realtime.emit_to_user

    def timed_emit(*args, **kwargs):
        nonlocal emit_seconds, emits
        emits += 1
        start = time.perf_counter()
        real_emit(*args, **kwargs)
        emit_seconds += time.perf_counter() - start

    realtime.emit_to_user = timed_emit
    try:
        with app.app_context():
            start = time.perf_counter()
            notifications._push(payloads)
            whole = time.perf_counter() - start
            db.session.remove()
    finally:
        realtime.emit_to_user = real_emit
    return whole, emit_seconds, emits


def explain_update(app, statement: str, parameters, now: datetime) -> str:
    """Re-arm the expired goals (and drop their notifications), then EXPLAIN ANALYZE the captured UPDATE in
    a transaction that is rolled back."""
    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE goals SET is_active = true WHERE NOT is_active AND updated_at = :now"), {"now": now}
            )
            conn.execute(text("DELETE FROM notifications WHERE type = 'goal_expired'"))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE goals, notifications"))
        with db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
            conn.rollback()
        db.engine.dispose()
    return "\n".join(plan)


# --- the report ---------------------------------------------------------------------------------------------


class Checks:
    def __init__(self) -> None:
        self.failed = []

    def __call__(self, label: str, ok: bool, shown) -> None:
        print(f"  {label:<48} {shown!s:>10}     {'OK' if ok else 'FAIL'}")
        if not ok:
            self.failed.append(label)


def row(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<48} {seconds:8.3f} s   {note}".rstrip())


def statements_line(log: StatementLog) -> str:
    others = ", ".join(f"{kind} {n}" for kind, n in sorted(log.kinds.items()) if kind not in MAIN_KINDS)
    together = f" (in {log.kinds[TOGETHER]} statement together)" if log.kinds[TOGETHER] else ""
    return (
        f"total {log.total}: UPDATE goals {updates(log)}, "
        f"INSERT notifications {log.kinds['INSERT notifications'] + log.kinds[TOGETHER]}{together}"
        + (f", {others}" if others else "")
    )


def updates(log: StatementLog) -> int:
    return log.kinds["UPDATE goals"] + log.kinds[TOGETHER]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from app import create_app
    from app.extensions import db
    from app.models import Goal, Notification

    with bench_database() as (url, throwaway):
        app = create_app("testing", DATABASE_URL=url, JOBS_RUN_INLINE=True, SOCKETIO_MESSAGE_QUEUE=False)
        try:
            return run_benchmark(app, args, url, throwaway, db, Goal, Notification)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def run_benchmark(app, args, url: str, throwaway: bool, db, Goal, Notification) -> int:
    import flask_migrate

    now = datetime.now(UTC)  # one instant for the seed, the check and the expiry: exact even across midnight
    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.scalar(text("SHOW server_version"))
        start = time.perf_counter()
        seed(db, args, now)
        seed_seconds = time.perf_counter() - start
        due_by_rule = count_due_by_rule(db, now)

        predicate = due_predicate(now)
        count_stmt = select(func.count()).select_from(Goal).where(*predicate)
        read_stmt = select(Goal.id, Goal.user_id, Goal.goal_type, Goal.end_date).where(*predicate)
        count_median, count_times, counted = timed_median(lambda: db.session.scalar(count_stmt), args.repeat)
        read_median, read_times, _ = timed_median(lambda: db.session.execute(read_stmt).all(), args.repeat)
        db.session.remove()

    first = expire_once(app, now)
    with app.app_context():
        inactive = db.session.scalar(select(func.count()).select_from(Goal).where(Goal.is_active.is_(False)))
        stored = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.type == "goal_expired")
        )
        db.session.remove()
    second = expire_once(app, now)
    with app.app_context():
        stored_after_second = db.session.scalar(select(func.count()).select_from(Notification))
        db.session.remove()

    try:
        push_real, emit_only, emits = push_with_real_emit(app, first.payloads)
        push_note = None
    except Exception as error:  # noqa: BLE001 - the report says why it could not be measured
        push_real = emit_only = None
        emits = 0
        push_note = f"not measured: {error!r}"

    zones = len(ZONES) if args.users >= len(ZONES) else args.users
    sql_seconds = sum(s for kind, s in first.log.seconds.items() if not kind.startswith("after commit"))
    python_seconds = first.seconds - sql_seconds - first.commit_seconds - first.push_seconds
    print()
    print(f"Stride benchmark: expire_due_goals() on PostgreSQL {version}")
    print(f"  database      {make_url(url).database}{' (throwaway)' if throwaway else ''}")
    print(f"  rows          {args.users:,} users in {zones} time zones; {args.goals:,} goals, {args.due:,} due")
    print(f"  seed          {seed_seconds:.1f} s (set-based INSERT ... SELECT generate_series, then VACUUM ANALYZE)")
    print()
    print(f"Baseline, same run (median of {args.repeat} after a warm-up; same WHERE as the expiry)")
    row("SELECT count(*) of the due goals", count_median, f"-> {counted:,} rows")
    row("SELECT id, user_id, goal_type, end_date", read_median, "(the rows RETURNING gives back)")
    print()
    print("Expiry: goals.expire_due_goals() (Socket.IO emits stubbed to no-ops)")
    row(
        "time",
        first.seconds,
        f"= {first.seconds / count_median:.1f}x the count baseline, "
        f"{first.seconds / read_median:.1f}x the read baseline",
    )
    print(f"  {'statements':<48} {statements_line(first.log)}")
    print("  where the time went ('SQL' = inside cursor.execute: the driver's work on the statement + the server's)")
    for kind, seconds in first.log.seconds.most_common():
        row(f"  SQL {kind}", seconds, f"({first.log.kinds[kind]} statement(s))")
    row("  COMMIT", first.commit_seconds)
    row("  after-commit push (no-op emits)", first.push_seconds, "(unread counts; its SQL included)")
    row("  Python outside SQL", python_seconds, "(rows, drafts, recipients, payloads)")
    if push_real is not None:
        row(
            "after-commit push with the real emit",
            push_real,
            f"(not in 'time'; socketio.emit {emit_only:.3f} s of it: {emits:,} emits to empty rooms, no message queue)",
        )
    else:
        print(f"  {'after-commit push with the real emit':<48} {push_note}")
    row(
        "second run",
        second.seconds,
        f"= {second.seconds / count_median:.1f}x the count baseline; {statements_line(second.log)}",
    )
    print()
    print("Checks")
    check = Checks()
    check("due goals before the run (COUNT, same rule)", due_by_rule == args.due, f"{due_by_rule:,}")
    check("baseline count sees the same rows", counted == args.due, f"{counted:,}")
    check("goals expired (returned)", first.expired == args.due, f"{first.expired:,}")
    check("goals now inactive", inactive == args.due, f"{inactive:,}")
    check("goal_expired notifications stored", stored == args.due, f"{stored:,}")
    check("UPDATE statements on goals", updates(first.log) == 1, updates(first.log))
    check(f"expiry within {args.max_seconds:g} s", first.seconds <= args.max_seconds, f"{first.seconds:.3f} s")
    check("second run expires", second.expired == 0, second.expired)
    check("second run stores notifications", stored_after_second == stored, stored_after_second - stored)
    print()
    if args.explain:
        update = next(s for s in first.log.statements if kind_of(s[0]) in ("UPDATE goals", TOGETHER))
        print("EXPLAIN (ANALYZE, BUFFERS) of the UPDATE, due goals re-armed, rolled back:")
        print(explain_update(app, *update, now))
        print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


if __name__ == "__main__":
    sys.exit(main())
