"""Report fixtures: an app whose jobs wait for a worker (`run_jobs`), files under a temporary folder, instant
retries. The cast, the catalog and alice's `workouts` are root fixtures (tests/fixtures/)."""

from datetime import timedelta

import pytest

from tests.fixtures.training import TODAY

RANGE = {"date_from": (TODAY - timedelta(days=30)).isoformat(), "date_to": TODAY.isoformat()}


def file_jobs_app(app_factory, tmp_path):
    """An app whose report and export jobs queue for `run_jobs`, writing their files under `tmp_path`."""
    return app_factory(
        JOBS_RUN_INLINE=False,
        REPORTS_DIR=str(tmp_path / "reports"),
        EXPORTS_DIR=str(tmp_path / "exports"),
        REPORT_RETRY_INTERVALS=[0, 0],  # three attempts, no waiting between them
    )


@pytest.fixture
def app(app_factory, tmp_path):
    return file_jobs_app(app_factory, tmp_path)


def request_report(client, headers, **fields):
    return client.post("/api/v1/reports/", json={**RANGE, "format": "csv", **fields}, headers=headers)
