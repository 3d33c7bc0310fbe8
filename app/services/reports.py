"""Training reports: asked for over HTTP, rendered by a background job (CSV, or HTML/PDF with charts),
stored, then downloaded. The status goes queued → running → done, or failed with a reason once every
retry has failed; a failed attempt that will be retried goes back to queued, never stays running."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from rq import Retry
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.errors import Conflict, NotFound
from app.extensions import db
from app.integrations.storage import storage_for
from app.models import BodyMetric, FileStatus, Report, User, Workout, WorkoutExercise
from app.models.base import utcnow
from app.queueing import DEFAULT_RETRY, enqueue
from app.services import coaching
from app.services.reconcile import job_id_for
from app.services.report_render import RENDERERS, ReportData

log = logging.getLogger(__name__)

MIMETYPES = {"csv": "text/csv", "pdf": "application/pdf", "html": "text/html", "zip": "application/zip"}


@dataclass(frozen=True)
class Download:
    data: bytes
    mimetype: str
    filename: str


# --- use cases ------------------------------------------------------------------------------------------------


def job_retry() -> Retry:
    """The queue's default backoff, unless REPORT_RETRY_INTERVALS overrides it (tests use zeros)."""
    intervals = current_app.config.get("REPORT_RETRY_INTERVALS")
    if intervals is None:
        return DEFAULT_RETRY
    return Retry(max=len(intervals), interval=list(intervals))


def request_report(requester: User, data: dict) -> Report:
    """Queue a report on the caller's training, or on an assigned client's (`user_id`); others' → 404."""
    subject_id = coaching.subject_for(requester, data.get("user_id"))
    report = Report(
        requested_by_id=requester.id,
        user_id=subject_id,
        format=data["format"],
        date_from=data["date_from"],
        date_to=data["date_to"],
        status=FileStatus.QUEUED,
    )
    db.session.add(report)
    db.session.flush()
    enqueue("app.jobs.reports.render_report", report.id, retry=job_retry(), job_id=job_id_for(Report, report.id))
    db.session.commit()
    return report


def list_reports(user: User) -> Select:
    """The reports the caller asked for or that are about them, newest first (a select, for pagination)."""
    visible = or_(Report.requested_by_id == user.id, Report.user_id == user.id)
    return select(Report).where(visible).order_by(Report.id.desc())


def get_report_for(user: User, report_id: int) -> Report:
    """Fetch and authorise: the one who asked and the one it is about; for anyone else it does not exist."""
    report = db.session.get(Report, report_id)
    if report is None or not report.is_visible_to(user.id):
        raise NotFound("No such report.")
    return report


def report_file(user: User, report_id: int) -> Download:
    report = get_report_for(user, report_id)
    data = read_finished(report, "REPORTS_DIR", "report")
    filename = f"stride-report-{report.date_from}-{report.date_to}.{report.format}"
    return Download(data, MIMETYPES[report.format], filename)


def read_finished(row: Report, setting: str, noun: str) -> bytes:
    """The stored file of a finished report or export; 409 while it is not done."""
    if row.status == FileStatus.FAILED:
        raise Conflict(f"The {noun} failed and has no file; ask for a new one. {row.error or ''}".strip())
    if row.status != FileStatus.DONE:
        raise Conflict(f"The {noun} is not ready yet: it is {row.status}.")
    try:
        return storage_for(setting).read(row.file_key)
    except FileNotFoundError:
        raise NotFound(f"The {noun}'s file is no longer stored; ask for a new one.") from None


def render_report(report_id: int, *, is_final_attempt: bool) -> str | None:
    """The job's work: render and store the file; idempotent (a settled report is left alone)."""
    return run_tracked(Report, report_id, is_final_attempt=is_final_attempt, produce=_produce)


def run_tracked(model: type, row_id: int, *, is_final_attempt: bool, produce: Callable) -> str | None:
    """Run `produce(row)` → storage key, keeping the row's status true at every step."""
    row = db.session.get(model, row_id)
    if row is None or row.status in (FileStatus.DONE, FileStatus.FAILED):
        return None
    row.status = FileStatus.RUNNING
    row.attempts = (row.attempts or 0) + 1
    db.session.commit()
    try:
        key = produce(row)
    except Exception as error:
        db.session.rollback()
        _record_failure(model, row_id, error, is_final_attempt)
        raise
    row.status = FileStatus.DONE
    row.file_key = key
    row.error = None
    row.finished_at = utcnow()
    db.session.commit()
    return key


def _record_failure(model: type, row_id: int, error: Exception, is_final_attempt: bool) -> None:
    """Back to queued while a retry is coming; failed, with a reason, after the last one."""
    log.warning("%s %s: attempt failed (final: %s)", model.__tablename__, row_id, is_final_attempt, exc_info=error)
    row = db.session.get(model, row_id)
    if row is None:
        return
    # The reason names the kind of error only: its text may carry internals (paths, SQL).
    reason = f"Rendering failed after {row.attempts} attempt(s): {type(error).__name__}."
    row.status = FileStatus.FAILED if is_final_attempt else FileStatus.QUEUED
    row.error = reason
    if is_final_attempt:
        row.finished_at = utcnow()
    db.session.commit()


# --- rendering ------------------------------------------------------------------------------------------------


def _produce(report: Report) -> str:
    content = RENDERERS[report.format](load_report_data(report))
    return storage_for("REPORTS_DIR").save(f"report-{report.id}.{report.format}", content)


def load_report_data(report: Report) -> ReportData:
    """What a report shows: its subject's workouts and weight entries within its days."""
    subject = db.session.get(User, report.user_id)
    return ReportData(subject, report, _workouts(report), _weights(subject, report))


def _workouts(report: Report) -> list[Workout]:
    query = (
        select(Workout)
        .where(Workout.user_id == report.user_id, Workout.date.between(report.date_from, report.date_to))
        .options(selectinload(Workout.exercises).joinedload(WorkoutExercise.exercise))
        .order_by(Workout.date, Workout.id)
    )
    return list(db.session.scalars(query))


def _weights(subject: User, report: Report) -> list[tuple[datetime, float]]:
    """Weight entries within the report's days, as the subject's own calendar has them."""
    zone = ZoneInfo(subject.timezone)
    start = datetime.combine(report.date_from, time(), zone)
    end = datetime.combine(report.date_to + timedelta(days=1), time(), zone)
    query = (
        select(BodyMetric.recorded_at, BodyMetric.weight_kg)
        .where(
            BodyMetric.user_id == subject.id,
            BodyMetric.weight_kg.is_not(None),
            BodyMetric.recorded_at >= start,
            BodyMetric.recorded_at < end,
        )
        .order_by(BodyMetric.recorded_at)
    )
    return [(recorded_at.astimezone(zone), weight) for recorded_at, weight in db.session.execute(query)]
