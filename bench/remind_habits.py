"""Benchmark: `habits.remind_due_habits(now)` on PostgreSQL, at production scale.

Seeds users over several real time zones and habits of which exactly `--due` are due at a fixed instant
(`--now`), runs one reminder pass and reports its time as a ratio against reads measured in the same run,
with the SQL statements it issued by kind (the reminders must be claimed and stored in bulk statements).

    python -m bench.remind_habits                         # 100,000 habits, 10,000 due (make bench)
    python -m bench.remind_habits --habits 20000 --due 2000 --users 2000

Database: as `bench.expire_goals` (BENCH_DATABASE_URL, or a throwaway database on BENCH_ADMIN_URL).
Exit status: 0 when every check passed, 1 otherwise.
"""

import argparse
import math
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import make_url, text

from bench.expire_goals import (
    MAX_SECONDS,
    ZONES,
    Checks,
    StatementLog,
    bench_database,
    env_int,
    push_with_real_emit,
    row,
    seed_users,
    timed_median,
)

# 11:05:30 UTC: mid-minute, and 00:05:30 in Auckland, whose reminder window therefore crosses local midnight
# (habits at 23:56..23:59 there are due for yesterday's slot).
NOW = datetime(2026, 3, 4, 11, 5, 30, tzinfo=UTC)
REMINDER = "habit_reminder"
KINDS = ("due", "done", "off_day", "not_started", "other_time")
KIND_NOTES = {
    "done": "in the window, period start, done in the period",
    "off_day": "in the window, not a period start",
    "not_started": "in the window, start date still ahead",
    "other_time": "other times of day",
}
MAIN_KINDS = ("INSERT habit_reminders", "INSERT notifications")
ROWS_PER_BULK_STATEMENT = 1000  # the least a bulk INSERT must carry (SQLAlchemy's insertmanyvalues page)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.remind_habits", description=__doc__.split("\n\n")[0])
    parser.add_argument("--habits", type=int, default=env_int("BENCH_HABITS", 100_000), help="habits in all")
    parser.add_argument("--due", type=int, default=env_int("BENCH_HABITS_DUE", 10_000), help="habits due at --now")
    parser.add_argument("--users", type=int, default=env_int("BENCH_USERS", 10_000), help="owners of the habits")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 5), help="baseline runs (median)")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=NOW,
        help=f"the instant of the pass, ISO 8601 (default {NOW.isoformat()}; naive means UTC)",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=MAX_SECONDS, help="fail when the pass takes longer (default 60)"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="afterwards, print EXPLAIN (ANALYZE, BUFFERS) of the candidate SELECT and of one claim INSERT "
        "(the latter in a transaction that is rolled back)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.due <= args.habits or args.users < 1 or args.repeat < 1:
        parser.error("need 0 < --due <= --habits, --users >= 1 and --repeat >= 1")
    if args.now.tzinfo is None:
        args.now = args.now.replace(tzinfo=UTC)
    return args


# --- seeding ------------------------------------------------------------------------------------------------


def seed(db, args, now: datetime, grace: int) -> Counter:
    """Set-based: user i lives in ZONES[(i-1) % len]; habit g (id g) belongs to user 1 + (g-1) % users.

    Every habit gets a local time of day from its owner's current minute (`now` in the owner's zone, to
    the minute): habits 1..due at 0..grace-1 minutes before it (inside the reminder window), on a period
    start (start_date = slot - k * periodicity) and not done in that period (a third of them were done in
    the previous one). Of the others, one in thirty each is in the window but done in the period, in the
    window but on a non-period day, or in the window but not started yet; the rest are at other times of
    day (grace..1439 minutes before the owner's minute, i.e. outside the window, modulo a day).
    Returns the number of habits of each kind."""
    params = {
        "users": args.users,
        "habits": args.habits,
        "due": args.due,
        "zones": list(ZONES),
        "now": now,
        "grace": grace,
        "created": now - timedelta(days=200),
    }
    with db.engine.begin() as conn:
        for table in ("users", "habits", "habit_completions", "habit_reminders", "notifications"):
            if conn.scalar(text(f"SELECT count(*) FROM {table}")):  # noqa: S608 - our own table names
                raise SystemExit(f"the benchmark database is not empty ({table} has rows); give it an empty one")
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        seed_users(conn, params)
        conn.execute(
            text(
                """
                CREATE TEMP TABLE bench_habits ON COMMIT DROP AS
                WITH zone AS (
                    SELECT ord, date_trunc('minute', CAST(:now AS timestamptz) AT TIME ZONE name) AS minute
                    FROM unnest(CAST(:zones AS text[])) WITH ORDINALITY AS z(name, ord)
                ), habit AS (
                    SELECT g, 1 + (g - 1) % :users AS owner,
                           CASE WHEN g <= :due THEN 'due'
                                WHEN g % 30 = 0 THEN 'done'
                                WHEN g % 30 = 1 THEN 'off_day'
                                WHEN g % 30 = 2 THEN 'not_started'
                                ELSE 'other_time' END AS kind
                    FROM generate_series(1, :habits) AS g
                )
                SELECT h.g, h.owner, h.kind,
                       CASE WHEN h.kind = 'off_day' THEN 2 + h.g % 6 ELSE 1 + h.g % 7 END AS period,
                       CASE WHEN h.kind = 'other_time'
                            THEN z.minute - make_interval(mins => :grace + h.g % (1440 - :grace))
                            ELSE z.minute - make_interval(mins => h.g % :grace) END AS local_at
                FROM habit AS h
                JOIN zone AS z ON z.ord = 1 + (h.owner - 1) % cardinality(CAST(:zones AS text[]))
                """
            ),
            params,
        )
        # local_at is the habit's latest occurrence, owner-local: its date is the slot the pass would see.
        conn.execute(
            text(
                """
                INSERT INTO habits (id, user_id, place, time, action, is_pleasant, periodicity_days, is_public,
                                    start_date, created_at, updated_at)
                SELECT g, owner, CASE WHEN g % 3 = 0 THEN 'the park' END, CAST(local_at AS time),
                       'stretch for two minutes (' || g || ')', false, period, false,
                       CASE kind WHEN 'off_day'
                                 THEN CAST(local_at AS date) - period * (g % 20) - (1 + g % (period - 1))
                                 WHEN 'not_started' THEN CAST(local_at AS date) + 1 + g % 30
                                 ELSE CAST(local_at AS date) - period * (g % 20) END,
                       :created, :created
                FROM bench_habits
                """
            ),
            params,
        )
        conn.execute(text("SELECT setval(pg_get_serial_sequence('habits', 'id'), :habits)"), params)
        conn.execute(
            text(
                """
                INSERT INTO habit_completions (habit_id, done_on, done_at)
                SELECT g, CAST(local_at AS date), :now FROM bench_habits WHERE kind = 'done'
                UNION ALL  -- the last day of the previous period: does not count for this one
                SELECT g, CAST(local_at AS date) - 1, :now FROM bench_habits
                WHERE kind = 'due' AND g % 3 = 0 AND g % 20 > 0
                """
            ),
            params,
        )
        kinds = Counter(dict(conn.execute(text("SELECT kind, count(*) FROM bench_habits GROUP BY kind")).all()))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE users, habits, habit_completions, habit_reminders, notifications"))
    return kinds


# The due rule written independently of the service: per owner zone (from the users table), the habit's
# latest occurrence (slot date + time of day) fell in the last `grace` minutes of local time, the slot is
# a period start counted from start_date, and there is no completion in the period the slot opens.
# {prefilter} is `true` for the check; for the baseline, the local windows as time-of-day ranges (the
# ix_habits_time index), which changes the plan but not the rows.
DUE_IDS = """
    WITH zone AS (
        SELECT name, CAST(:now AS timestamptz) AT TIME ZONE name AS local_now
        FROM (SELECT DISTINCT timezone FROM users) AS z(name)
    ), latest AS (
        SELECT h.id, h.time, h.periodicity_days, h.start_date, z.local_now,
               CASE WHEN h.time <= CAST(z.local_now AS time) THEN CAST(z.local_now AS date)
                    ELSE CAST(z.local_now AS date) - 1 END AS slot
        FROM habits AS h
        JOIN users AS u ON u.id = h.user_id
        JOIN zone AS z ON z.name = u.timezone
        WHERE u.deleted_at IS NULL AND u.deactivated_at IS NULL AND ({prefilter})
    )
    SELECT l.id FROM latest AS l
    WHERE l.slot + l.time > l.local_now - make_interval(mins => :grace)
      AND l.slot >= l.start_date AND (l.slot - l.start_date) % l.periodicity_days = 0
      AND NOT EXISTS (
          SELECT 1 FROM habit_completions AS c
          WHERE c.habit_id = l.id AND c.done_on >= l.slot AND c.done_on < l.slot + l.periodicity_days
      )
"""


def window_ranges(now: datetime, grace: int) -> tuple[str, dict]:
    """Each zone's reminder window as a range of local time of day (two where it crosses midnight), OR'ed:
    `h.time` in any of them. Deliberately zone-blind (a superset of the due rows), for the index."""
    ranges, params = [], {}
    for i, zone in enumerate(ZONES):
        local_now = now.astimezone(ZoneInfo(zone))
        start = local_now - timedelta(minutes=grace)
        params[f"w{i}_start"], params[f"w{i}_end"] = start.time(), local_now.time()
        if start.date() == local_now.date():
            ranges.append(f"(h.time > :w{i}_start AND h.time <= :w{i}_end)")
        else:
            ranges.append(f"h.time > :w{i}_start OR h.time <= :w{i}_end")
    return " OR ".join(ranges), params


# --- measuring ----------------------------------------------------------------------------------------------


def kind_of(statement: str) -> str:
    """INSERT/UPDATE/DELETE by table; SELECT by the first table after FROM."""
    words = " ".join(statement.split())
    verb = re.match(r"(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", words, re.IGNORECASE)
    if verb:
        return f"{verb.group(1).split()[0].upper()} {verb.group(2)}"
    if words.upper().startswith("SELECT"):
        source = re.search(r"\bFROM\s+\"?(\w+)", words, re.IGNORECASE)
        return f"SELECT {source.group(1)}" if source else "SELECT"
    return words.split(" ", 1)[0].upper() or "?"


class HabitStatementLog(StatementLog):
    """`bench.expire_goals.StatementLog`, with this benchmark's kinds (tables named)."""

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.kinds[self.phase + kind_of(statement)] += 1
            self.statements.append((statement, parameters))
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and conn.info.get("bench_started"):
            self.seconds[self.phase + kind_of(statement)] += time.perf_counter() - conn.info["bench_started"].pop()


@dataclass
class Pass:
    log: HabitStatementLog
    claimed: int = 0
    seconds: float = 0.0
    found: int = 0  # (habit, slot) pairs `_due_slots` returned
    phases: dict = field(default_factory=dict)  # wall clock of the service's steps, SQL included
    push_seconds: float = 0.0
    push_started: float | None = None
    payloads: list = field(default_factory=list)

    @property
    def commit_seconds(self) -> float:
        if self.log.commit_started is None or self.push_started is None:
            return 0.0
        return self.push_started - self.log.commit_started


def remind_once(app, now: datetime) -> Pass:
    """One `remind_due_habits(now)` in a fresh app context, Socket.IO emits replaced by no-ops. Its steps
    (`_due_slots`, `_claim`, `notify_each`) and the after-commit push are timed on their own, and the
    pushed payloads kept (to replay them with the real emit)."""
    from app.extensions import db
    from app.integrations import realtime
    from app.services import habits, notifications

    run = Pass(log=HabitStatementLog())
    real = {
        (habits, "_due_slots"): habits._due_slots,
        (habits, "_claim"): habits._claim,
        (notifications, "notify_each"): notifications.notify_each,
        (notifications, "_push"): notifications._push,
        (realtime, "emit_to_user"): realtime.emit_to_user,
        (realtime, "broadcast"): realtime.broadcast,
    }

    def timed(label, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                run.phases[label] = run.phases.get(label, 0.0) + time.perf_counter() - start

        return wrapper

    def due_slots(now_):
        due = real[(habits, "_due_slots")](now_)
        run.found = len(due)
        return due

    def timed_push(payloads):
        run.push_started = time.perf_counter()
        run.payloads = payloads
        run.log.phase = "after commit: "
        real[(notifications, "_push")](payloads)
        run.log.phase = ""
        run.push_seconds = time.perf_counter() - run.push_started

    habits._due_slots = timed("find due slots (_due_slots)", due_slots)
    habits._claim = timed("claim slots (_claim)", real[(habits, "_claim")])
    notifications.notify_each = timed("store notifications (notify_each)", real[(notifications, "notify_each")])
    notifications._push = timed_push
    realtime.emit_to_user = lambda *args, **kwargs: None
    realtime.broadcast = lambda *args, **kwargs: None
    try:
        with app.app_context():
            run.log.install(db.engine)
            run.log.active = True
            start = time.perf_counter()
            run.claimed = habits.remind_due_habits(now)
            run.seconds = time.perf_counter() - start
            run.log.active = False
            db.session.remove()
    finally:
        for (module, name), function in real.items():
            setattr(module, name, function)
    return run


def explain(app, log: StatementLog) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the candidate SELECT as issued, and of the first claim INSERT as issued
    after deleting the reminder slots, in a transaction that is rolled back."""
    from app.extensions import db

    candidate = next(s for s in log.statements if kind_of(s[0]) == "SELECT habits")
    claim = next(s for s in log.statements if kind_of(s[0]) == "INSERT habit_reminders")
    out = []
    with app.app_context():
        with db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + candidate[0], candidate[1]).scalars()
            out += ["-- the candidate SELECT (habits JOIN users, one window per zone)", *plan, ""]
            conn.exec_driver_sql("DELETE FROM habit_reminders")
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + claim[0], claim[1]).scalars()
            rows = len(claim[1]) // 3 if isinstance(claim[1], dict | list | tuple) else "?"
            out += [f"-- the first claim INSERT ({rows} rows), slots deleted first, rolled back", *plan]
            conn.rollback()
        db.engine.dispose()
    return "\n".join(out)


# --- the report ---------------------------------------------------------------------------------------------


def statements_line(log: StatementLog) -> str:
    others = ", ".join(f"{kind} {n}" for kind, n in sorted(log.kinds.items()) if kind not in MAIN_KINDS)
    main = ", ".join(f"{kind} {log.kinds[kind]}" for kind in MAIN_KINDS)
    return f"total {log.total}: {main}" + (f", {others}" if others else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from app import create_app
    from app.extensions import db

    with bench_database() as (url, throwaway):
        app = create_app("testing", DATABASE_URL=url, JOBS_RUN_INLINE=True, SOCKETIO_MESSAGE_QUEUE=False)
        try:
            return run_benchmark(app, args, url, throwaway, db)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def run_benchmark(app, args, url: str, throwaway: bool, db) -> int:
    import flask_migrate

    now = args.now
    grace = app.config["HABIT_REMINDER_GRACE_MIN"]
    if not 1 <= grace < 720:
        raise SystemExit(f"HABIT_REMINDER_GRACE_MIN={grace}: this benchmark needs 1..719 minutes")
    with app.app_context():
        flask_migrate.upgrade()
        version = db.session.scalar(text("SHOW server_version"))
        start = time.perf_counter()
        kinds = seed(db, args, now, grace)
        seed_seconds = time.perf_counter() - start

        rule = {"now": now, "grace": grace}
        due_ids = sorted(db.session.scalars(text(DUE_IDS.format(prefilter="true")), rule))
        prefilter, windows = window_ranges(now, grace)
        indexed = text(DUE_IDS.format(prefilter=prefilter))
        due_median, _, due_rows = timed_median(
            lambda: db.session.execute(indexed, {**rule, **windows}).all(), args.repeat
        )
        baseline_ids = sorted(r.id for r in due_rows)
        by_id = text("SELECT * FROM habits WHERE id = ANY(:ids)")
        by_id_median, _, _ = timed_median(lambda: db.session.execute(by_id, {"ids": due_ids}).all(), args.repeat)
        db.session.remove()

    first = remind_once(app, now)
    with app.app_context():
        reminded = set(db.session.scalars(text("SELECT habit_id FROM habit_reminders")))
        stored = db.session.scalar(text("SELECT count(*) FROM notifications WHERE type = :t"), {"t": REMINDER})
        stored_targets = db.session.scalar(
            text("SELECT count(DISTINCT target_id) FROM notifications WHERE type = :t AND target_type = 'habit'"),
            {"t": REMINDER},
        )
        db.session.remove()
    second = remind_once(app, now)
    with app.app_context():
        reminders_after_second = db.session.scalar(text("SELECT count(*) FROM habit_reminders"))
        stored_after_second = db.session.scalar(text("SELECT count(*) FROM notifications"))
        db.session.remove()

    try:
        push_real, emit_only = push_with_real_emit(app, first.payloads)
        push_note = None
    except Exception as error:  # noqa: BLE001 - the report says why it could not be measured
        push_real = emit_only = None
        push_note = f"not measured: {error!r}"

    zones = min(len(ZONES), args.users)
    sql_seconds = sum(s for kind, s in first.log.seconds.items() if not kind.startswith("after commit"))
    python_seconds = first.seconds - sql_seconds - first.commit_seconds - first.push_seconds
    bulk_limit = math.ceil(args.due / ROWS_PER_BULK_STATEMENT)
    print()
    print(f"Stride benchmark: remind_due_habits() on PostgreSQL {version}")
    print(f"  database      {make_url(url).database}{' (throwaway)' if throwaway else ''}")
    print(f"  rows          {args.users:,} users in {zones} time zones; {args.habits:,} habits, {args.due:,} due")
    print(f"  now           {now.isoformat()} (reminder window: the last {grace} minutes of each owner's local time)")
    print("  not due       " + "; ".join(f"{kinds[k]:,} {KIND_NOTES[k]}" for k in KINDS if k != "due"))
    print(f"  seed          {seed_seconds:.1f} s (set-based INSERT ... SELECT generate_series, then VACUUM ANALYZE)")
    print()
    print(f"Baseline, same run (median of {args.repeat} after a warm-up)")
    row(
        "SELECT id of the due habits (the rule in SQL)",
        due_median,
        f"-> {len(baseline_ids):,} rows (owner-local window via ix_habits_time, period start, no completion)",
    )
    row(f"SELECT * FROM habits WHERE id = ANY({len(due_ids):,} ids)", by_id_median, "(the due rows by primary key)")
    print()
    print("Reminder pass: habits.remind_due_habits(now) (Socket.IO emits stubbed to no-ops)")
    row(
        "time",
        first.seconds,
        f"= {first.seconds / due_median:.1f}x the due-ids baseline, {first.seconds / by_id_median:.1f}x the "
        "by-id baseline",
    )
    print(f"  {'statements':<48} {statements_line(first.log)}")
    print(f"  {'slots':<48} {first.found:,} found due by _due_slots, {first.claimed:,} claimed")
    print("  where the time went ('SQL' = inside cursor.execute: the driver's work on the statement + the server's)")
    for kind, seconds in first.log.seconds.most_common():
        row(f"  SQL {kind}", seconds, f"({first.log.kinds[kind]} statement(s))")
    row("  COMMIT", first.commit_seconds)
    row("  after-commit push (no-op emits)", first.push_seconds, "(unread counts; its SQL included)")
    row("  Python outside SQL", python_seconds, "(ORM rows, filtering, statement building, drafts, payloads)")
    print("  by step (wall clock, SQL included)")
    for label, seconds in first.phases.items():
        row(f"  {label}", seconds)
    row("  commit and after-commit push", first.commit_seconds + first.push_seconds)
    if push_real is not None:
        row(
            "after-commit push with the real emit",
            push_real,
            f"(not in 'time'; socketio.emit {emit_only:.3f} s of it: {2 * len(first.payloads):,} emits "
            "to empty rooms, no message queue)",
        )
    else:
        print(f"  {'after-commit push with the real emit':<48} {push_note}")
    row(
        "second pass (same now)",
        second.seconds,
        f"= {second.seconds / due_median:.1f}x the due-ids baseline; {statements_line(second.log)}",
    )
    print()
    print("Checks")
    check = Checks()
    check("due habits before the pass (SQL rule)", len(due_ids) == args.due, f"{len(due_ids):,}")
    check("baseline read sees the same habits", baseline_ids == due_ids, f"{len(baseline_ids):,}")
    check("slots found due by the service", first.found == args.due, f"{first.found:,}")
    check("reminders claimed (returned)", first.claimed == args.due, f"{first.claimed:,}")
    check("habits reminded = the due habits", reminded == set(due_ids), f"{len(reminded):,}")
    check("habit_reminder notifications stored", stored == args.due, f"{stored:,}")
    check("one notification per due habit", stored_targets == args.due, f"{stored_targets:,}")
    for kind in MAIN_KINDS:
        n = first.log.kinds[kind]
        check(f"{kind} statements (bulk: <= {bulk_limit})", 1 <= n <= bulk_limit, n)
    check(f"pass within {args.max_seconds:g} s", first.seconds <= args.max_seconds, f"{first.seconds:.3f} s")
    check("second pass claims", second.claimed == 0 and reminders_after_second == len(reminded), second.claimed)
    check("second pass stores notifications", stored_after_second == stored, stored_after_second - stored)
    print()
    if args.explain:
        print("EXPLAIN (ANALYZE, BUFFERS) of statements the first pass issued:")
        print(explain(app, first.log))
        print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


if __name__ == "__main__":
    sys.exit(main())
