"""Report fixtures: an app whose jobs wait for a worker, files under a temporary folder, instant retries."""

from datetime import timedelta

import pytest

from app.jobs.runtime import ThreadWorker, build_worker
from tests.training import conftest as training
from tests.training.conftest import TODAY, entry, workout_body

# The training suite's cast (alice, mallory, coach, stranger, root), catalog and logins.
cast, exercises, headers_of = training.cast, training.exercises, training.headers_of

RANGE = {"date_from": (TODAY - timedelta(days=30)).isoformat(), "date_to": TODAY.isoformat()}


@pytest.fixture
def app(app_factory, tmp_path):
    return app_factory(
        JOBS_RUN_INLINE=False,
        REPORTS_DIR=str(tmp_path / "reports"),
        EXPORTS_DIR=str(tmp_path / "exports"),
        REPORT_RETRY_INTERVALS=[0, 0],  # three attempts, no waiting between them
    )


@pytest.fixture
def run_jobs(app):
    """Run every queued job as the worker process does (burst: until the queues are empty)."""

    def run() -> None:
        with app.app_context():
            build_worker(app, ThreadWorker).work(burst=True, logging_level="ERROR")

    return run


@pytest.fixture
def workouts(client, cast, exercises, headers_of):
    """Alice's workouts, created through the API: two in the report's range, one long before it."""
    headers = headers_of("alice")
    bodies = [
        workout_body(
            entry(exercises["Barbell Back Squat"], sets=5, reps=5, extra_weight_kg=100),
            entry(exercises["Plank"], sets=3, reps=1),
            title="Leg day",
            date=(TODAY - timedelta(days=10)).isoformat(),
        ),
        workout_body(entry(exercises["Push-Up"], sets=3, reps=20), title="Push day", date=TODAY.isoformat()),
        workout_body(entry(exercises["Deadlift"]), title="Old", date=(TODAY - timedelta(days=200)).isoformat()),
    ]
    created = []
    for body in bodies:
        response = client.post("/api/v1/workouts/", json=body, headers=headers)
        assert response.status_code == 201, response.json
        created.append(response.json)
    return created


def request_report(client, headers, **fields):
    return client.post("/api/v1/reports/", json={**RANGE, "format": "csv", **fields}, headers=headers)
