"""Data export: everything a person has stored — profile, goals, body metrics, workouts with their entries,
training plans — as JSON and CSV files in one zip, built by a background job. Only the owner sees it."""

import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.models import BodyMetric, DataExport, FileStatus, Goal, TrainingPlan, User, Workout, WorkoutExercise
from app.queueing import enqueue
from app.services.report_render import write_csv
from app.services.reports import MIMETYPES, Download, job_retry, read_finished, run_tracked
from app.services.storage import storage_for

PROFILE_FIELDS = (
    "id",
    "username",
    "email",
    "role",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "height_cm",
    "weight_kg",
    "bio",
    "location",
    "avatar",
    "privacy",
    "timezone",
    "created_at",
)
ENTRY_FIELDS = ("order", "exercise_id", "sets", "reps", "rest_sec", "extra_weight_kg", "volume_kg")


def request_export(user: User) -> DataExport:
    export = DataExport(user_id=user.id, status=FileStatus.QUEUED)
    db.session.add(export)
    db.session.flush()
    enqueue("app.jobs.exports.build_export", export.id, retry=job_retry())
    db.session.commit()
    return export


def list_exports(user: User) -> Select:
    """The caller's exports, newest first (a select, for pagination)."""
    return select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc())


def get_export_for(user: User, export_id: int) -> DataExport:
    """Fetch and authorise: only the owner; for anyone else, whatever their role, it does not exist."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id:
        raise NotFound("No such export.")
    return export


def export_file(user: User, export_id: int) -> Download:
    export = get_export_for(user, export_id)
    data = read_finished(export, "EXPORTS_DIR", "export")
    return Download(data, MIMETYPES["zip"], f"stride-export-{export.created_at:%Y%m%d}.zip")


def build_export(export_id: int, *, is_final_attempt: bool) -> str | None:
    """The job's work: build and store the zip; idempotent (a settled export is left alone)."""
    return run_tracked(DataExport, export_id, is_final_attempt=is_final_attempt, produce=_produce)


def _produce(export: DataExport) -> str:
    content = build_zip(export.user_id)
    return storage_for("EXPORTS_DIR").save(f"export-{export.id}.zip", content)


def build_zip(user_id: int) -> bytes:
    """profile.json, and `<name>.json` + `<name>.csv` for goals, metrics, workouts and plans."""
    user = db.session.get(User, user_id)
    tables = {
        "goals": _rows(select(Goal).where(Goal.user_id == user_id).order_by(Goal.id)),
        "metrics": _rows(select(BodyMetric).where(BodyMetric.user_id == user_id).order_by(BodyMetric.recorded_at)),
        "workouts": _workouts(user_id),
        "plans": _plans(user_id),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.json", _json({field: getattr(user, field) for field in PROFILE_FIELDS}))
        for name, rows in tables.items():
            archive.writestr(f"{name}.json", _json(rows))
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


def _columns(row) -> dict:
    return {column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs}


def _rows(query) -> list[dict]:
    return [_columns(row) for row in db.session.scalars(query)]


def _workouts(user_id: int) -> list[dict]:
    query = (
        select(Workout)
        .where(Workout.user_id == user_id)
        .options(selectinload(Workout.exercises).joinedload(WorkoutExercise.exercise))
        .order_by(Workout.date, Workout.id)
    )
    rows = []
    for workout in db.session.scalars(query):
        entries = [
            {**{field: getattr(entry, field) for field in ENTRY_FIELDS}, "exercise": entry.exercise.title}
            for entry in workout.exercises
        ]
        rows.append({**_columns(workout), "volume_kg": workout.volume_kg, "exercises": entries})
    return rows


def _plans(user_id: int) -> list[dict]:
    query = (
        select(TrainingPlan)
        .where(TrainingPlan.user_id == user_id)
        .options(selectinload(TrainingPlan.items))
        .order_by(TrainingPlan.id)
    )
    return [{**_columns(plan), "workout_ids": plan.workout_ids} for plan in db.session.scalars(query)]


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _json(value) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, indent=2)


def _csv(rows: list[dict]) -> bytes:
    """Flat rows: nested values (a workout's entries, a metric's measurements) as JSON text in their cell."""
    columns = list(rows[0]) if rows else ["id"]
    flat = [
        {
            key: json.dumps(value, default=_plain) if isinstance(value, list | dict) else value
            for key, value in row.items()
        }
        for row in rows
    ]
    return write_csv(flat, columns)
