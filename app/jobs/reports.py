"""Report jobs: render a requested report; retried with backoff, marked failed only after the last try."""

from flask import current_app
from rq import get_current_job

from app.services import reports


def is_final_attempt() -> bool:
    """True when RQ will not retry the running job if it fails (or when jobs run inline, never retried)."""
    job = get_current_job()
    return job is None or current_app.config["JOBS_RUN_INLINE"] or not job.retries_left


def render_report(report_id: int) -> str | None:
    """Render and store the report; the service keeps its status true whatever happens."""
    return reports.render_report(report_id, is_final_attempt=is_final_attempt())
