"""Data export: everything Stride holds about a person — profile, training, habits, notifications, membership,
trainer links, sessions, audit events, files asked for — as JSON and CSV files in one zip, built by a background
job (README "Reports and data export" lists the files). Never a password hash or a token secret. Owner only."""

import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import Select, inspect, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.errors import NotFound
from app.extensions import db
from app.integrations.storage import storage_for
from app.lib.file_jobs import MIMETYPES, Download, job_retry, read_finished, run_tracked
from app.models import (
    AuditEvent,
    AuthSession,
    Block,
    BodyMetric,
    DataExport,
    Exercise,
    FileStatus,
    Friendship,
    Goal,
    Habit,
    HabitCompletion,
    HabitReminder,
    MembershipChange,
    Notification,
    OneTimeToken,
    PersonalRecord,
    Report,
    TrainerClient,
    TrainingPlan,
    User,
    Workout,
    WorkoutExercise,
)
from app.queueing import JobName, enqueue
from app.services import memberships, notifications, stats, users
from app.services.reconcile import job_id_for
from app.services.report_render import write_csv

PROFILE_FIELDS = (
    "id",
    "username",
    "email",
    "role",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "phone_number",
    "height_cm",
    "weight_kg",
    "bio",
    "location",
    "job",
    "avatar",
    "background",
    "privacy",
    "timezone",
    "created_at",
    "last_login",
    "email_verified_at",
    "deactivated_at",
)
EXCLUDED_COLUMNS = frozenset({"password_hash", "token_hash", "file_key"})
ENTRY_FIELDS = ("order", "exercise_id", "sets", "reps", "rest_sec", "extra_weight_kg", "volume_kg")


def request_export(user: User) -> DataExport:
    export = DataExport(user_id=user.id, status=FileStatus.QUEUED)
    db.session.add(export)
    db.session.flush()
    enqueue(JobName.BUILD_EXPORT, export.id, retry=job_retry(), job_id=job_id_for(DataExport, export.id))
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
    data = read_finished(export, storage_for("EXPORTS_DIR"), "export")
    return Download(data, MIMETYPES["zip"], f"stride-export-{export.created_at:%Y%m%d}.zip")


def build_export(export_id: int, *, is_final_attempt: bool) -> str | None:
    """The job's work: build and store the zip; idempotent (a settled export is left alone)."""
    return run_tracked(DataExport, export_id, is_final_attempt=is_final_attempt, produce=_produce)


def _produce(export: DataExport) -> str:
    content = build_zip(export.user_id)
    return storage_for("EXPORTS_DIR").save(f"export-{export.id}.zip", content)


def build_zip(user_id: int) -> bytes:
    """DOCUMENTS as `<name>.json`; every table of TABLES as `<name>.json` and `<name>.csv` (see the README)."""
    user = db.session.get(User, user_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, build in DOCUMENTS.items():
            archive.writestr(f"{name}.json", _json(build(user)))
        for name, build in TABLES.items():
            rows = build(user)
            archive.writestr(f"{name}.json", _json(rows))
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


def _columns(row) -> dict:
    """A row's columns, less the secrets and internals nobody should receive (hashes, storage keys)."""
    return {
        column.key: getattr(row, column.key)
        for column in inspect(row).mapper.column_attrs
        if column.key not in EXCLUDED_COLUMNS
    }


def _rows(query) -> list[dict]:
    return [_columns(row) for row in db.session.scalars(query)]


# --- what goes in: one-object documents ---------------------------------------------------------------------


def _profile(user: User) -> dict:
    return {field: getattr(user, field) for field in PROFILE_FIELDS} | {"tags": users.own_profile(user).tags}


def _membership(user: User) -> dict:
    current = memberships.my_membership(user)
    tier = current["tier"]
    return {**current, "tier": _columns(tier) if tier is not None else None}


def _telegram(user: User) -> dict:
    return {"is_linked": user.telegram_chat_id is not None, "chat_id": user.telegram_chat_id}


# --- what goes in: tables -----------------------------------------------------------------------------------


def _workouts(user: User) -> list[dict]:
    query = (
        select(Workout)
        .where(Workout.user_id == user.id)
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


def _plans(user: User) -> list[dict]:
    query = (
        select(TrainingPlan)
        .where(TrainingPlan.user_id == user.id)
        .options(selectinload(TrainingPlan.items))
        .order_by(TrainingPlan.id)
    )
    return [{**_columns(plan), "workout_ids": plan.workout_ids} for plan in db.session.scalars(query)]


def _personal_records(user: User) -> list[dict]:
    query = (
        select(PersonalRecord)
        .where(PersonalRecord.user_id == user.id)
        .options(joinedload(PersonalRecord.exercise))
        .order_by(PersonalRecord.id)
    )
    return [{**_columns(record), "exercise": record.exercise.title} for record in db.session.scalars(query)]


def _trainer_links(user: User) -> list[dict]:
    """Both sides: the person's trainers (they are the client) and, for a trainer, their clients."""
    query = (
        select(TrainerClient)
        .where(or_(TrainerClient.client_id == user.id, TrainerClient.trainer_id == user.id))
        .options(joinedload(TrainerClient.trainer), joinedload(TrainerClient.client))
        .order_by(TrainerClient.id)
    )
    return [
        {**_columns(link), "trainer_username": link.trainer.username, "client_username": link.client.username}
        for link in db.session.scalars(query)
    ]


def _habit_rows(model: type, user: User) -> list[dict]:
    """Completions or reminders of the person's habits."""
    query = select(model).join(Habit, model.habit_id == Habit.id).where(Habit.user_id == user.id)
    return _rows(query.order_by(model.id))


def _owned(model: type, owner_column: str, order_by: str = "id") -> Callable[[User], list[dict]]:
    def rows(user: User) -> list[dict]:
        return _rows(select(model).where(getattr(model, owner_column) == user.id).order_by(getattr(model, order_by)))

    return rows


DOCUMENTS: dict[str, Callable[[User], dict]] = {
    "profile": _profile,
    "notification_preferences": notifications.get_preferences,
    "membership": _membership,
    "stats": stats.stats_for,
    "telegram": _telegram,
}
TABLES: dict[str, Callable[[User], list[dict]]] = {
    "goals": _owned(Goal, "user_id"),
    "metrics": _owned(BodyMetric, "user_id", "recorded_at"),
    "workouts": _workouts,
    "plans": _plans,
    "personal_records": _personal_records,
    "exercises_created": _owned(Exercise, "created_by_id"),
    "habits": _owned(Habit, "user_id"),
    "habit_completions": lambda user: _habit_rows(HabitCompletion, user),
    "habit_reminders": lambda user: _habit_rows(HabitReminder, user),
    "notifications": _owned(Notification, "recipient_id"),
    "membership_history": _owned(MembershipChange, "user_id"),
    "trainer_links": _trainer_links,
    "friendships": _owned(Friendship, "user_id", "created_at"),
    "blocks": _owned(Block, "blocker_id", "created_at"),
    "sessions": _owned(AuthSession, "user_id", "created_at"),
    "email_tokens": _owned(OneTimeToken, "user_id"),
    "audit_events": _owned(AuditEvent, "user_id"),
    "reports": lambda user: _rows(
        select(Report).where(or_(Report.user_id == user.id, Report.requested_by_id == user.id)).order_by(Report.id)
    ),
    "exports": _owned(DataExport, "user_id"),
}


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
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
