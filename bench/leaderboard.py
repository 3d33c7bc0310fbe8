"""Benchmark: a challenge with 100,000 participants on PostgreSQL and Redis — its leaderboard and its closing.

Seeds 100,000 people (with friendships), 0 to 39 workouts each (about 2,000,000), and one running workouts
challenge they all joined; `challenges.rebuild` (timed) computes everyone's progress from those workouts in one
UPDATE and writes the leaderboard's sorted set (forty values among 100,000 people: ranks tie in crowds). Then,
through the Flask test client with a real bearer token, interleaved with `GET /profile/` as the baseline, it
measures the top-50 page with the caller's own rank (a participant in the middle), the page around that
participant, and the friends-only board. Then the challenge ends and `close_due_challenges` judges it: every
participant ranked (RANK() in one UPDATE), badges, notifications — timed, and checked against an independent count.

    python -m bench.leaderboard                                   # 100,000 participants (make bench)
    python -m bench.leaderboard --participants 10000 --repeat 20  # quick try

Needs a Redis server: BENCH_REDIS_URL (default redis://127.0.0.1:6379/12; its leaderboard keys are deleted at the
end). BENCH_DATABASE_URL names an empty PostgreSQL database to use; without it a throwaway database
`stride_bench_<pid>` is created on BENCH_ADMIN_URL and dropped at the end, whatever happens. Exit status: 0 when
every check passed, 1 otherwise.
"""

import argparse
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import make_url, select, text

from bench import social_seed
from bench.expire_goals import bench_database, env_int
from bench.feed import PASSWORD, PROFILE, Checks, StatementLog, get_ok, interleaved, statements_line, timed

REDIS_URL = "redis://127.0.0.1:6379/12"
PAGE = 50
MAX_WORKOUTS = 40  # each person logs 0..39 workouts: forty values, so ranks tie in crowds
MAX_MS = 10.0  # the top-50 page and "my rank" must stay in single-digit milliseconds


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.leaderboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=env_int("BENCH_PARTICIPANTS", 100_000))
    parser.add_argument("--friends", type=int, default=200, help="the bench user's friends (200)")
    parser.add_argument("--repeat", type=int, default=env_int("BENCH_REPEAT", 50), help="timed requests (p50/p99)")
    args = parser.parse_args(argv)
    if not (args.participants > args.friends >= 1 and args.repeat >= 1):
        parser.error("need --participants > --friends >= 1 and --repeat >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from app import create_app
    from app.extensions import db

    redis_url = os.environ.get("BENCH_REDIS_URL", REDIS_URL)
    with bench_database() as (url, throwaway):
        app = create_app(
            "testing", DATABASE_URL=url, REDIS_URL=redis_url, SOCKETIO_MESSAGE_QUEUE=False, LOG_LEVEL="WARNING"
        )
        try:
            return run_benchmark(app, args, url, throwaway, db)
        finally:
            with app.app_context():
                from app.extensions import redis_store

                keys = list(redis_store.client.scan_iter("stride:leaderboard:*"))
                if keys:
                    redis_store.client.delete(*keys)
                db.session.remove()
                db.engine.dispose()


def seed(app, db, args, now: datetime) -> tuple[dict, int]:
    """People, friendships and the challenge with every person in it; returns the seed's steps and its id."""
    import flask_migrate

    steps = {}
    with app.app_context():
        flask_migrate.upgrade()
        if db.session.scalar(text("SELECT count(*) FROM users")):
            raise SystemExit("the benchmark database is not empty; give it an empty one")
        db.session.remove()
        today = now.date()
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            began = time.perf_counter()
            social_seed.seed_people(conn, users=args.participants, circle=args.friends, now=now)
            conn.execute(text("UPDATE users SET deactivated_at = NULL"))  # everyone on the board is shown
            steps["people"] = time.perf_counter() - began
            began = time.perf_counter()
            challenge_id = conn.execute(
                text(
                    "INSERT INTO challenges (title, description, metric, start_date, end_date, created_at) "
                    "VALUES ('Workouts of the month', '', 'workouts', :start, :end, :now) RETURNING id"
                ),
                {"start": today - timedelta(days=20), "end": today + timedelta(days=10), "now": now},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO challenge_participants (challenge_id, user_id, value, joined_at) "
                    "SELECT :challenge, id, 0, :now FROM users"
                ),
                {"challenge": challenge_id, "now": now},
            )
            steps["participants"] = time.perf_counter() - began
            # Everyone's workouts: person i logs 0..MAX_WORKOUTS-1 of them inside the window (their progress).
            began = time.perf_counter()
            conn.execute(
                text(
                    f"""
                    INSERT INTO workouts (user_id, title, intensity, duration_min, date, created_at, updated_at)
                    SELECT u.id, 'Session', 'medium', 45, CAST(:start AS date) + (n % 20), :now, :now
                    FROM users AS u, generate_series(1, {social_seed._hash(9, "u.id")} % {MAX_WORKOUTS}) AS n
                    """
                ),
                {"start": today - timedelta(days=20), "now": now},
            )
            steps["workouts"] = time.perf_counter() - began
        began = time.perf_counter()
        social_seed.vacuum_analyze(db, "users", "friendships", "challenge_participants", "workouts")
        steps["VACUUM ANALYZE"] = time.perf_counter() - began
    return steps, challenge_id


STARTED = time.perf_counter()


def progress(step: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {step}", file=sys.stderr, flush=True)


def run_benchmark(app, args, url: str, throwaway: bool, db) -> int:
    from app.models import ChallengeParticipant, User
    from app.services import challenge_closing, challenges, leaderboards

    now = datetime.now(UTC)
    progress("seeding")
    steps, challenge_id = seed(app, db, args, now)
    progress("seeded; rebuilding the board")
    with app.app_context():
        version = db.session.scalar(text("SHOW server_version"))
        began = time.perf_counter()
        rebuilt = challenges.rebuild()
        rebuild_s = time.perf_counter() - began
        # The bench user is a participant in the middle of the board.
        values = db.session.execute(select(ChallengeParticipant.user_id, ChallengeParticipant.value)).all()
        ordered = sorted(values, key=lambda row: (-row.value, row.user_id))
        middle_id, middle_value = ordered[len(ordered) // 2]
        expected_rank = 1 + sum(1 for _, value in values if value > middle_value)
        user = db.session.get(User, middle_id)
        user.deactivated_at = None
        user.set_password(PASSWORD)
        username = user.username
        db.session.commit()
        board_size = len(leaderboards.members(leaderboards.challenge_key(challenge_id)))
        db.session.remove()

    progress("rebuilt; timing requests")
    client = app.test_client()
    login = client.post("/api/v1/login/", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.json
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    board_url = f"/api/v1/challenges/{challenge_id}/leaderboard/"
    with app.app_context():
        from app.extensions import redis_store

        position = redis_store.client.zrevrank(leaderboards.challenge_key(challenge_id), str(middle_id))
    middle_page = position // PAGE + 1  # where the board lists me among those I tie with
    queries = {
        "top 50, with my rank": {"page_size": PAGE},
        "the page around me": {"page_size": PAGE, "page": middle_page},
        "friends only": {"page_size": PAGE, "scope": "friends"},
    }
    with app.app_context():
        engine = db.engine
    logs, bodies = {}, {}
    for label, query in queries.items():
        with StatementLog(engine) as log:
            bodies[label] = get_ok(client, board_url, headers, query)
        logs[label] = log
    runs = [("profile", lambda: get_ok(client, PROFILE, headers))]
    runs += [(label, lambda query=query: get_ok(client, board_url, headers, query)) for label, query in queries.items()]
    timings = interleaved(runs, args.repeat)
    with app.app_context():
        my_rank = _timed_my_rank(leaderboards, challenge_id, middle_id, args.repeat)
        me = db.session.get(User, middle_id)
        top_service = timed(
            lambda: challenges.challenge_leaderboard(me, challenge_id, scope="all", page=1, page_size=PAGE),
            args.repeat,
            "top 50, the service",
        )

        progress("requests timed; closing")
        # The challenge ends: closing judges every participant.
        db.session.execute(
            text("UPDATE challenges SET end_date = :day WHERE id = :id"),
            {"day": now.date() - timedelta(days=1), "id": challenge_id},
        )
        db.session.commit()
        with StatementLog(engine) as close_log:
            began = time.perf_counter()
            closed = challenge_closing.close_due_challenges(now.date())
            close_s = time.perf_counter() - began
        unranked = db.session.scalar(
            text("SELECT count(*) FROM challenge_participants WHERE challenge_id = :id AND final_rank IS NULL"),
            {"id": challenge_id},
        )
        judged = db.session.execute(
            text("SELECT value, final_rank FROM challenge_participants WHERE challenge_id = :id"),
            {"id": challenge_id},
        ).all()
        wrong = _wrong_ranks(judged)
        notified = db.session.scalar(text("SELECT count(*) FROM notifications WHERE type = 'challenge'"))
        again = challenge_closing.close_due_challenges(now.date())
        db.session.remove()
    progress("closed")
    final_top = get_ok(client, board_url, headers, {"page_size": PAGE})

    profile = timings["profile"]
    print()
    print(f"Stride benchmark: a challenge's leaderboard and closing, PostgreSQL {version} + Redis")
    print(f"  database      {make_url(url).database}{' (throwaway)' if throwaway else ''}")
    print(f"  rows          {args.participants:,} people in one challenge, 0..{MAX_WORKOUTS - 1} workouts each")
    print(
        f"  seed          {sum(steps.values()):.1f} s ("
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items())
        + ")"
    )
    print(
        f"  rebuild       {rebuild_s:.2f} s: everyone's progress from the workouts (one UPDATE) and the board "
        f"({rebuilt['participants']:,} members)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  machine       {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) after the run")
    print()
    print(f"Requests through the Flask test client, as participant {username} (rank {expected_rank:,} of")
    print(f"{args.participants:,}): p50 / p99 of {args.repeat} interleaved rounds")
    print(f"  {'baseline: GET ' + PROFILE + ' (auth + 1 row)':<40} {_ms(profile)}")
    for label in queries:
        timing = timings[label]
        print(
            f"  {label:<40} {_ms(timing)}   {timing.p50 / profile.p50:4.1f}x GET /profile/   "
            f"{logs[label].total} statements ({statements_line(logs[label])})"
        )
    print(f"  {'top 50 + my rank, the service (no HTTP)':<40} {_ms(top_service)}   2 statements, 2 Redis round trips")
    print(f"  {'my rank alone (2 Redis round trips)':<40} {_ms(my_rank)}")
    print()
    print(f"Closing: {close_s:.2f} s to judge {args.participants:,} participants (final ranks, badges, notifications)")
    print(f"  statements   {close_log.total} ({statements_line(close_log)})")
    print()
    print("Checks")
    check = Checks()
    top = bodies["top 50, with my rank"]
    check("every participant is on the board", board_size == args.participants, f"{board_size:,}")
    check("the top-50 page: 50 rows, best first", len(top["items"]) == PAGE and _best_first(top["items"]), PAGE)
    check("my rank = 1 + how many are strictly better", top["me"]["rank"] == expected_rank, top["me"]["rank"])
    check(
        "the page around me holds me",
        any(row["user"]["id"] == middle_id for row in bodies["the page around me"]["items"]),
        middle_page,
    )
    check(f"top-50 page (the service) p50 under {MAX_MS:.0f} ms", top_service.p50 * 1000 < MAX_MS, _ms(top_service))
    over_http = timings["top 50, with my rank"].p50 / profile.p50
    check("top-50 page over HTTP within 1.5x GET /profile/", over_http <= 1.5, f"{over_http:.2f}x")
    check(f"my rank p50 under {MAX_MS:.0f} ms", my_rank.p50 * 1000 < MAX_MS, f"{my_rank.p50 * 1000:.2f} ms")
    check("closed once; closing again closes nothing", (closed, again) == (1, 0), (closed, again))
    check("every participant has a final rank", unranked == 0, unranked)
    check("every final rank = 1 + how many are strictly better", wrong == 0, wrong)
    check("every participant is told", notified == args.participants, f"{notified:,}")
    check("the final board is served", final_top["me"]["rank"] == expected_rank, final_top["me"]["rank"])
    print()
    print("PASS" if not check.failed else f"FAIL: {', '.join(check.failed)}")
    return 0 if not check.failed else 1


def _wrong_ranks(judged: list) -> int:
    """How many final ranks differ from 1 + how many have a strictly greater value (counted here, independently)."""
    counts = Counter(value for value, _ in judged)
    expected, better = {}, 0
    for value in sorted(counts, reverse=True):
        expected[value] = better + 1
        better += counts[value]
    return sum(1 for value, rank in judged if rank != expected[value])


def _timed_my_rank(leaderboards, challenge_id: int, user_id: int, repeat: int):
    key = leaderboards.challenge_key(challenge_id)
    return timed(lambda: leaderboards.page(key, offset=0, limit=0, user_id=user_id), repeat, "my rank")


def _best_first(items: list[dict]) -> bool:
    return all(a["value"] >= b["value"] for a, b in zip(items, items[1:], strict=False))


def _ms(timing) -> str:
    return f"{timing.p50 * 1000:8.2f} / {timing.p99 * 1000:8.2f} ms"


if __name__ == "__main__":
    sys.exit(main())
