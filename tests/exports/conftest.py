"""Export fixtures: the reports' app (jobs wait for `run_jobs`, files under a temporary folder)."""

import pytest

from tests.reports.conftest import file_jobs_app


@pytest.fixture
def app(app_factory, tmp_path):
    return file_jobs_app(app_factory, tmp_path)
