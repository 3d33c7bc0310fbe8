"""Training reports: asked for over HTTP, rendered by a background job (CSV, or HTML/PDF with charts),
stored, then downloaded. The status goes queued → running → done, or failed with a reason once every
retry has failed; a failed attempt that will be retried goes back to queued, never stays running."""

import base64
import csv
import html
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from rq import Retry
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import BodyMetric, FileStatus, Report, User, Workout, WorkoutExercise
from app.models.base import utcnow
from app.queueing import DEFAULT_RETRY, enqueue
from app.services import coaching
from app.services.storage import storage_for

log = logging.getLogger(__name__)

MIMETYPES = {"csv": "text/csv", "pdf": "application/pdf", "html": "text/html", "zip": "application/zip"}
CSV_COLUMNS = (
    "workout_id",
    "date",
    "title",
    "training_type",
    "intensity",
    "duration_min",
    "order",
    "exercise",
    "sets",
    "reps",
    "rest_sec",
    "extra_weight_kg",
    "volume_kg",
)


@dataclass(frozen=True)
class Download:
    data: bytes
    mimetype: str
    filename: str


@dataclass(frozen=True)
class ReportData:
    subject: User
    report: Report
    workouts: list[Workout]
    weights: list[tuple[datetime, float]]


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
    enqueue("app.jobs.reports.render_report", report.id, retry=job_retry())
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
    subject = db.session.get(User, report.user_id)
    data = ReportData(subject, report, _workouts(report), _weights(subject, report))
    content = RENDERERS[report.format](data)
    return storage_for("REPORTS_DIR").save(f"report-{report.id}.{report.format}", content)


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


def csv_rows(workouts: list[Workout]) -> list[dict]:
    """One row per exercise entry; a workout without entries still gets one row."""
    rows = []
    for workout in workouts:
        base = {
            "workout_id": workout.id,
            "date": workout.date.isoformat(),
            "title": workout.title,
            "training_type": workout.training_type,
            "intensity": workout.intensity,
            "duration_min": workout.duration_min,
        }
        if not workout.exercises:
            rows.append(base)
        for entry in workout.exercises:
            rows.append(
                {
                    **base,
                    "order": entry.order,
                    "exercise": entry.exercise.title,
                    "sets": entry.sets,
                    "reps": entry.reps,
                    "rest_sec": entry.rest_sec,
                    "extra_weight_kg": entry.extra_weight_kg,
                    "volume_kg": entry.volume_kg,
                }
            )
    return rows


def write_csv(rows: list[dict], columns: tuple[str, ...] | list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render_csv(data: ReportData) -> bytes:
    return write_csv(csv_rows(data.workouts), CSV_COLUMNS)


def weekly_volume(workouts: list[Workout], date_from: date, date_to: date) -> list[tuple[date, float]]:
    """Training volume (kg) per week, Monday to Sunday, every week of the range, empty ones as zero."""
    first = date_from - timedelta(days=date_from.weekday())
    weeks = {first + timedelta(weeks=n): 0.0 for n in range((date_to - first).days // 7 + 1)}
    for workout in workouts:
        weeks[workout.date - timedelta(days=workout.date.weekday())] += workout.volume_kg
    return list(weeks.items())


def _figure(data: ReportData):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # a bare Figure keeps no global pyplot state: safe in worker threads

    report = data.report
    figure = Figure(figsize=(8.27, 8))
    volume_axes, weight_axes = figure.subplots(2, 1)
    weeks = weekly_volume(data.workouts, report.date_from, report.date_to)
    volume_axes.bar([week for week, _ in weeks], [kg for _, kg in weeks], width=5, color="#2a9d8f")
    volume_axes.set_title("Weekly training volume (kg)")
    volume_axes.set_ylabel("kg")
    if data.weights:
        weight_axes.plot([when for when, _ in data.weights], [kg for _, kg in data.weights], marker="o")
    else:
        weight_axes.text(0.5, 0.5, "No weight entries in this period", ha="center", va="center")
    weight_axes.set_title("Weight history (kg)")
    figure.suptitle(f"{data.subject.username}: {report.date_from} to {report.date_to}")
    figure.autofmt_xdate()
    return figure


def render_html(data: ReportData) -> bytes:
    """One self-contained page: the charts inline as a PNG data URI, and the workouts as a table."""
    png = io.BytesIO()
    _figure(data).savefig(png, format="png", dpi=90)
    chart = base64.b64encode(png.getvalue()).decode("ascii")
    report = data.report
    header = "".join(f"<th>{html.escape(column)}</th>" for column in CSV_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row.get(column, '')))}</td>" for column in CSV_COLUMNS) + "</tr>"
        for row in csv_rows(data.workouts)
    )
    title = html.escape(f"Training report: {data.subject.username}, {report.date_from} to {report.date_to}")
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>"
        f"<h1>{title}</h1><p>{len(data.workouts)} workouts, "
        f"{sum(w.volume_kg for w in data.workouts):.1f} kg total volume.</p>"
        f'<img alt="Weekly training volume and weight history" src="data:image/png;base64,{chart}">'
        f"<h2>Workouts</h2><table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )
    return page.encode("utf-8")


def render_pdf(data: ReportData) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": "Stride training report"}) as pdf:
        pdf.savefig(_figure(data))
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[ReportData], bytes]] = {"csv": render_csv, "html": render_html, "pdf": render_pdf}
