"""Workouts: one nested document (the session and its ordered exercise entries) created, replaced and
deleted in one transaction that also keeps the owner's stats exact. Owners write; their trainers read."""

from datetime import date

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import selectinload

from app.errors import Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.lib.dates import local_today
from app.models import Exercise, PlanWorkout, User, Workout, WorkoutExercise
from app.services import challenges, coaching, exercises, stats
from app.services.stats import NOTHING, Contribution


def _with_entries(query: Select) -> Select:
    """Every read loads the entries and their exercises up front: two more queries however many rows."""
    return query.options(selectinload(Workout.exercises).joinedload(WorkoutExercise.exercise))


def list_workouts(
    viewer: User,
    *,
    user_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    training_type: str | None = None,
) -> Select:
    """The caller's (or an assigned client's) workouts, newest first (a select, for pagination)."""
    owner_id = coaching.subject_for(viewer, user_id)
    query = select(Workout).where(Workout.user_id == owner_id)
    if date_from is not None:
        query = query.where(Workout.date >= date_from)
    if date_to is not None:
        query = query.where(Workout.date <= date_to)
    if training_type is not None:
        query = query.where(Workout.training_type == training_type)
    return _with_entries(query).order_by(Workout.date.desc(), Workout.id.desc())


def _fetch(workout_id: int) -> Workout | None:
    query = _with_entries(select(Workout).where(Workout.id == workout_id))
    return db.session.scalar(query.execution_options(populate_existing=True))


def get_workout_for(viewer: User, workout_id: int, *, to_change: bool = False) -> Workout:
    """Fetch and authorise: the owner's workout, or an assigned client's for their trainer; anyone else's does
    not exist (404). `to_change`: only the owner; their trainer reads it but may not change it (403).
    Changes take turns on the owner's stats row (`stats.lock`), taken before this read, not on the workout's."""
    workout = _fetch(workout_id)
    if workout is None or (workout.user_id != viewer.id and not coaching.is_trainer_of(viewer, workout.user_id)):
        raise NotFound("No such workout.")
    if to_change and workout.user_id != viewer.id:
        raise Forbidden("Only the owner can change a workout; as their trainer you can read it.")
    return workout


def create_workout(user: User, data: dict) -> Workout:
    data = dict(data)
    entries = data.pop("exercises", [])
    data.setdefault("date", local_today(user))
    _check_date(user, data["date"])
    _check_exercises(user, entries)
    totals = stats.lock(user.id)
    workout = Workout(user_id=user.id, **data)
    workout.exercises = [WorkoutExercise(**entry) for entry in entries]
    db.session.add(workout)
    db.session.flush()
    stats.record_change(
        totals, NOTHING, Contribution.of(workout), dates_changed=True, exercise_ids=_exercise_ids(workout)
    )
    challenges.record_workouts(user.id, {workout.date})
    db.session.commit()
    return _fetch(workout.id)


def update_workout(user: User, workout_id: int, data: dict) -> Workout:
    """PUT (every field; optional ones left out go back to their defaults) and PATCH (the fields given).
    `exercises`, when given, replaces the whole list of entries."""
    totals = stats.lock(user.id)  # first: the workout read next is then the latest committed one
    workout = get_workout_for(user, workout_id, to_change=True)
    before, before_date, before_ids = Contribution.of(workout), workout.date, _exercise_ids(workout)
    data = dict(data)
    entries = data.pop("exercises", None)
    if "date" in data:
        _check_date(user, data["date"])
    for field, value in data.items():
        setattr(workout, field, value)
    if entries is not None:
        _check_exercises(user, entries, keep=before_ids)
        workout.exercises.clear()
        db.session.flush()  # the old entries go before the new ones take their places (unique order)
        workout.exercises.extend(WorkoutExercise(**entry) for entry in entries)
    db.session.flush()
    stats.record_change(
        totals,
        before,
        Contribution.of(workout),
        dates_changed=workout.date != before_date,
        exercise_ids=before_ids | _exercise_ids(workout),
    )
    challenges.record_workouts(user.id, {before_date, workout.date})
    db.session.commit()
    return _fetch(workout.id)


def delete_workout(user: User, workout_id: int) -> None:
    """The workout, its entries and its places in plans go; the owner's stats and records follow."""
    totals = stats.lock(user.id)
    workout = get_workout_for(user, workout_id, to_change=True)
    before, exercise_ids = Contribution.of(workout), _exercise_ids(workout)
    db.session.execute(delete(PlanWorkout).where(PlanWorkout.workout_id == workout.id))
    db.session.delete(workout)
    db.session.flush()
    stats.record_change(totals, before, NOTHING, dates_changed=True, exercise_ids=exercise_ids)
    challenges.record_workouts(user.id, {workout.date})
    db.session.commit()


def _exercise_ids(workout: Workout) -> set[int]:
    return {entry.exercise_id for entry in workout.exercises}


def _check_date(user: User, day: date) -> None:
    """A workout is a session that happened (streaks and records count it): not after today, owner-local."""
    if day > local_today(user):
        raise RuleViolation("A workout cannot be dated in the future (in your timezone).", field="date")


def _check_exercises(owner: User, entries: list[dict], keep: set[int] = frozenset()) -> None:
    """Every entry names a catalog exercise or one of the owner's personal ones (anyone else's is as unknown as
    a missing id: nothing leaks); archived ones only where the workout already had them."""
    wanted = {entry["exercise_id"] for entry in entries}
    usable = select(Exercise.id, Exercise.is_archived).where(Exercise.id.in_(wanted), exercises.usable_by(owner.id))
    archived = dict(db.session.execute(usable).all())
    errors = {}
    for index, entry in enumerate(entries):
        exercise_id = entry["exercise_id"]
        if exercise_id not in archived:
            errors[index] = {"exercise_id": ["No such exercise."]}
        elif archived[exercise_id] and exercise_id not in keep:
            errors[index] = {"exercise_id": ["This exercise is archived; choose another from the catalog."]}
    if errors:
        raise RuleViolation("Some exercise entries are not valid.", {"json": {"exercises": errors}})
