"""Concurrent workout writes of one user on PostgreSQL: the stats row lock makes them take turns, so the
incremental stats still equal a rebuild. (SQLite serialises writers by itself; this needs a real server.)"""

import threading
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import User
from app.services import stats, workouts
from tests.conftest import REAL_DATABASE_URL
from tests.fixtures.training import TODAY
from tests.stats.test_stats import snapshot

pytestmark = pytest.mark.skipif(not REAL_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")

THREADS, ROUNDS = 6, 8


def test_concurrent_creates_updates_and_deletes_keep_the_stats_exact(app_factory, user, exercises):
    ids = list(exercises.values())
    errors, barrier = [], threading.Barrier(THREADS)
    apps = [app_factory() for _ in range(THREADS)]  # each thread: its own app, engine and connection

    def worker(n: int) -> None:
        app = apps[n]
        try:
            with app.app_context():
                barrier.wait()
                for round_ in range(ROUNDS):
                    owner = db.session.get(User, user)
                    entries = [
                        {
                            "exercise_id": ids[(n + k) % len(ids)],
                            "order": k + 1,
                            "sets": 3,
                            "reps": 5 + k,
                            "rest_sec": 60,
                            "extra_weight_kg": 10 * (n + 1) + round_,
                        }
                        for k in range(3)
                    ]
                    data = {
                        "training_type": "strength",
                        "title": f"T{n}",
                        "duration_min": 30 + n,
                        "date": TODAY - timedelta(days=7 * ((n + round_) % 5)),
                        "exercises": entries,
                    }
                    workout = workouts.create_workout(owner, data)
                    if round_ % 3 == 1:
                        workouts.update_workout(owner, workout.id, {"exercises": entries[:1], "duration_min": 5})
                    if round_ % 3 == 2:
                        workouts.delete_workout(owner, workout.id)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    app = app_factory()
    with app.app_context():
        kept = snapshot(user)
        stats.rebuild([user])
        assert snapshot(user) == kept
        assert kept[0][0] == THREADS * (ROUNDS - ROUNDS // 3)
