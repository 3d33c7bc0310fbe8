"""The exercise catalog: everyone reads and searches it; trainers and admins keep it."""

from collections.abc import Iterable

from sqlalchemy import Select, func, or_, select

from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.models import Exercise, Role, User, WorkoutExercise
from app.models.exercises import title_key


def list_exercises(
    *,
    q: str | None = None,
    muscle_group: str | None = None,
    equipment_required: bool | None = None,
    complexity: str | None = None,
    include_archived: bool = False,
) -> Select:
    """The catalog in title order, filtered, and searched by words of the title or description."""
    query = select(Exercise)
    if not include_archived:
        query = query.where(Exercise.is_archived.is_(False))
    if muscle_group is not None:
        query = query.where(Exercise.muscle_group == muscle_group)
    if equipment_required is not None:
        query = query.where(Exercise.equipment_required.is_(equipment_required))
    if complexity is not None:
        query = query.where(Exercise.complexity == complexity)
    for word in (q or "").split():
        key = word.casefold()
        query = query.where(
            or_(Exercise.title_key.contains(key, autoescape=True), Exercise.description.icontains(key, autoescape=True))
        )
    return query.order_by(Exercise.title_key)


def get_exercise_for(user: User, exercise_id: int, *, to_change: bool = False) -> Exercise:
    """Fetch and authorise: everyone reads any exercise, archived ones too (old workouts still point at them);
    `to_change`: trainers and admins only (403)."""
    if to_change and not user.has_role(Role.TRAINER):
        raise Forbidden("Only trainers and admins keep the exercise catalog.")
    exercise = db.session.get(Exercise, exercise_id)
    if exercise is None:
        raise NotFound("No such exercise.")
    return exercise


def create_exercise(author: User, data: dict) -> Exercise:
    data = dict(data)
    exercise = Exercise(created_by_id=author.id)
    exercise.rename(data.pop("title"))
    _ensure_unique_title(exercise.title_key)
    for field, value in data.items():
        setattr(exercise, field, value)
    db.session.add(exercise)
    db.session.commit()
    return exercise


def update_exercise(editor: User, exercise_id: int, data: dict) -> Exercise:
    """PUT and PATCH; `is_archived` takes an exercise out of the catalog (or back) without touching history."""
    exercise = get_exercise_for(editor, exercise_id, to_change=True)
    data = dict(data)
    if "title" in data:
        new_key = title_key(data["title"])
        if new_key != exercise.title_key:
            _ensure_unique_title(new_key)
        exercise.rename(data.pop("title"))
    for field, value in data.items():
        setattr(exercise, field, value)
    db.session.commit()
    return exercise


def delete_exercise(editor: User, exercise_id: int) -> None:
    """Only an exercise no workout uses can go; one in use is refused, and can be archived instead."""
    exercise = get_exercise_for(editor, exercise_id, to_change=True)
    uses = db.session.scalar(
        select(func.count(func.distinct(WorkoutExercise.workout_id))).where(WorkoutExercise.exercise_id == exercise.id)
    )
    if uses:
        raise Conflict(
            f"The exercise is used in {uses} workout(s); archive it instead (PATCH is_archived=true): "
            "it then leaves the catalog and stays in those workouts."
        )
    db.session.delete(exercise)
    db.session.commit()


def _ensure_unique_title(key: str) -> None:
    if db.session.scalar(select(Exercise.id).where(Exercise.title_key == key)) is not None:
        raise Conflict("An exercise with this title already exists.", {"json": {"title": ["Already in the catalog."]}})


def seed_catalog(entries: Iterable[dict]) -> tuple[int, int]:
    """Add the catalog entries whose title is not there yet, in one transaction: (added, already there)."""
    known = set(db.session.scalars(select(Exercise.title_key)))
    added = skipped = 0
    for entry in entries:
        exercise = Exercise(
            description=entry.get("description"),
            muscle_group=entry["muscle_group"],
            equipment_required=entry.get("equipment_required", False),
            complexity=entry.get("complexity", "beginner"),
        )
        exercise.rename(entry["title"])
        if exercise.title_key in known:
            skipped += 1
            continue
        known.add(exercise.title_key)
        db.session.add(exercise)
        added += 1
    db.session.commit()
    return added, skipped
