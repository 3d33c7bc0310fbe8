"""Per-user training stats and personal records, exact after every workout change, inside its transaction.

Totals move incrementally: a workout change subtracts what the workout contributed before and adds what
it contributes now. Streaks and the records of the exercises a change touched are recomputed for that
user from aggregate SQL in the same transaction. `rebuild` recomputes everything from scratch with the
same rules; the tests hold the two to equality.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import BigInteger, Select, cast, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from app.errors import NotFound
from app.extensions import db
from app.lib.dates import local_week_start, week_start
from app.lib.sql import insert_ignore
from app.lib.streaks import streaks
from app.models import Exercise, PersonalRecord, User, UserStats, Workout, WorkoutExercise
from app.services import coaching


@dataclass(frozen=True)
class Contribution:
    """What one workout adds to its owner's totals."""

    workouts: int = 0
    exercises: int = 0
    minutes: int = 0
    volume_g: int = 0

    @classmethod
    def of(cls, workout: Workout) -> "Contribution":
        return cls(1, len(workout.exercises), workout.duration_min, workout.volume_g)


NOTHING = Contribution()


# --- keeping them exact -------------------------------------------------------------------------------------


def lock(user_id: int) -> UserStats:
    """The user's stats row, created when missing and locked until the commit. Every workout change of one
    user takes it first, so changes take turns and each recomputation sees the changes committed before it."""
    db.session.execute(insert_ignore(UserStats, conflict_on=["user_id"]).values(user_id=user_id))
    locked = select(UserStats).where(UserStats.user_id == user_id).with_for_update()
    return db.session.scalars(locked.execution_options(populate_existing=True)).one()


def record_change(
    stats: UserStats, before: Contribution, after: Contribution, *, dates_changed: bool, exercise_ids: set[int]
) -> None:
    """Apply one workout's change (`before` → `after`) to its owner's locked stats row, before the commit."""
    stats.total_workouts += after.workouts - before.workouts
    stats.total_exercises += after.exercises - before.exercises
    stats.total_minutes += after.minutes - before.minutes
    stats.total_volume_g += after.volume_g - before.volume_g
    if dates_changed:
        _set_streaks(stats)
    if exercise_ids:
        _refresh_records(stats.user_id, exercise_ids)


def rebuild(user_ids: Iterable[int]) -> int:
    """Recompute the stats and records of these users from their workouts alone, one transaction per user
    (a user's stats are either the old exact ones or the new ones, never a mix)."""
    count = 0
    for user_id in user_ids:
        stats = lock(user_id)
        workouts, minutes = db.session.execute(
            select(func.count(Workout.id), func.coalesce(func.sum(Workout.duration_min), 0)).where(
                Workout.user_id == user_id
            )
        ).one()
        entries, volume = db.session.execute(
            select(func.count(WorkoutExercise.id), func.coalesce(cast(func.sum(_entry_volume()), BigInteger), 0))
            .join(Workout, Workout.id == WorkoutExercise.workout_id)
            .where(Workout.user_id == user_id)
        ).one()
        stats.total_workouts, stats.total_minutes = workouts, minutes
        stats.total_exercises, stats.total_volume_g = entries, volume
        _set_streaks(stats)
        _refresh_records(user_id, None)
        db.session.commit()
        count += 1
    return count


def users_to_rebuild(username: str | None = None) -> list[int]:
    """Everyone with workouts or stats, or the one named user."""
    if username is not None:
        user_id = db.session.scalar(select(User.id).where(User.username == username.lower()))
        if user_id is None:
            raise NotFound(f"No user named {username!r}.")
        return [user_id]
    has_data = or_(exists().where(Workout.user_id == User.id), exists().where(UserStats.user_id == User.id))
    return list(db.session.scalars(select(User.id).where(has_data).order_by(User.id)))


def _entry_volume():
    return cast(WorkoutExercise.sets, BigInteger) * WorkoutExercise.reps * WorkoutExercise.extra_weight_g


def _set_streaks(stats: UserStats) -> None:
    """Runs of consecutive ISO weeks with at least one workout."""
    dates = db.session.scalars(select(Workout.date).where(Workout.user_id == stats.user_id).distinct())
    weeks = streaks((week_start(day) for day in dates), step=timedelta(weeks=1))
    stats.last_active_week, stats.last_run_weeks, stats.longest_streak_weeks = weeks.last, weeks.last_run, weeks.longest


def _refresh_records(user_id: int, exercise_ids: set[int] | None) -> None:
    """Recompute the user's records for these exercises (all when None). Per exercise: the heaviest entry,
    the workout with the most volume of it, the most reps in a set; ties go to the earliest workout."""
    per_workout = (
        select(
            WorkoutExercise.exercise_id,
            Workout.id,
            Workout.date,
            func.max(WorkoutExercise.extra_weight_g),
            cast(func.sum(_entry_volume()), BigInteger),
            func.max(WorkoutExercise.reps),
        )
        .join(Workout, Workout.id == WorkoutExercise.workout_id)
        .where(Workout.user_id == user_id)
        .group_by(WorkoutExercise.exercise_id, Workout.id, Workout.date)
    )
    existing = select(PersonalRecord).where(PersonalRecord.user_id == user_id)
    if exercise_ids is not None:
        per_workout = per_workout.where(WorkoutExercise.exercise_id.in_(exercise_ids))
        existing = existing.where(PersonalRecord.exercise_id.in_(exercise_ids))
    best: dict[int, dict] = {}
    for exercise_id, workout_id, day, weight, volume, reps in db.session.execute(per_workout):
        mine = best.setdefault(exercise_id, {"weight": None, "volume": None, "reps": 0})
        if mine["weight"] is None or (-weight, day, workout_id) < (-mine["weight"][0], *mine["weight"][1:]):
            mine["weight"] = (weight, day, workout_id)
        if mine["volume"] is None or (-volume, day, workout_id) < (-mine["volume"][0], *mine["volume"][1:]):
            mine["volume"] = (volume, day, workout_id)
        mine["reps"] = max(mine["reps"], reps)
    records = {record.exercise_id: record for record in db.session.scalars(existing)}
    for exercise_id in records.keys() - best.keys():
        db.session.delete(records[exercise_id])
    for exercise_id, mine in best.items():
        record = records.get(exercise_id)
        if record is None:
            record = PersonalRecord(user_id=user_id, exercise_id=exercise_id)
            db.session.add(record)
        record.max_weight_g, record.max_weight_on, record.max_weight_workout_id = mine["weight"]
        record.max_volume_g, record.max_volume_on, record.max_volume_workout_id = mine["volume"]
        record.max_reps = mine["reps"]


# --- reading them -------------------------------------------------------------------------------------------


def stats_for(viewer: User, user_id: int | None = None) -> dict:
    """The totals and streaks of the caller, or of an assigned client; the current streak is judged today,
    in the owner's timezone (a run that ended before last week is over)."""
    subject_id = coaching.subject_for(viewer, user_id)
    owner = viewer if subject_id == viewer.id else db.session.get(User, subject_id)
    stats = db.session.get(UserStats, subject_id)
    if stats is None:
        stats = UserStats(
            user_id=subject_id,
            total_workouts=0,
            total_exercises=0,
            total_minutes=0,
            total_volume_g=0,
            last_run_weeks=0,
            longest_streak_weeks=0,
        )
    return {
        "user_id": subject_id,
        "total_workouts": stats.total_workouts,
        "total_exercises": stats.total_exercises,
        "total_minutes": stats.total_minutes,
        "total_volume_kg": stats.total_volume_kg,
        "current_streak_weeks": stats.current_streak_weeks(local_week_start(owner)),
        "longest_streak_weeks": stats.longest_streak_weeks,
        "last_active_week": stats.last_active_week,
    }


def list_records(viewer: User, *, user_id: int | None, exercise_id: int | None, muscle_group: str | None) -> Select:
    """Personal records per exercise, in exercise title order (a select, for pagination)."""
    subject_id = coaching.subject_for(viewer, user_id)
    query = (
        select(PersonalRecord)
        .join(PersonalRecord.exercise)
        .options(contains_eager(PersonalRecord.exercise))
        .where(PersonalRecord.user_id == subject_id)
    )
    if exercise_id is not None:
        query = query.where(PersonalRecord.exercise_id == exercise_id)
    if muscle_group is not None:
        query = query.where(Exercise.muscle_group == muscle_group)
    return query.order_by(Exercise.title_key, PersonalRecord.id)
