"""Training reports: asked for over HTTP, rendered by a background job (CSV, or HTML/PDF with charts),
stored, then downloaded; `app.lib.file_jobs` keeps the status true while the job runs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.integrations.storage import storage_for
from app.lib.dates import start_of_day
from app.lib.file_jobs import MIMETYPES, Download, job_retry, read_finished, run_tracked
from app.models import BodyMetric, FileStatus, Report, User, Workout, WorkoutExercise
from app.queueing import JobName, enqueue
from app.services import coaching
from app.services.reconcile import job_id_for
from app.services.report_render import RENDERERS, ReportData

# --- use cases ------------------------------------------------------------------------------------------------


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
    enqueue(JobName.RENDER_REPORT, report.id, retry=job_retry(), job_id=job_id_for(Report, report.id))
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
    data = read_finished(report, storage_for("REPORTS_DIR"), "report")
    filename = f"stride-report-{report.date_from}-{report.date_to}.{report.format}"
    return Download(data, MIMETYPES[report.format], filename)


def render_report(report_id: int, *, is_final_attempt: bool) -> str | None:
    """The job's work: render and store the file; idempotent (a settled report is left alone)."""
    return run_tracked(Report, report_id, is_final_attempt=is_final_attempt, produce=_produce)


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
    start = start_of_day(report.date_from, zone)
    end = start_of_day(report.date_to + timedelta(days=1), zone)
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
