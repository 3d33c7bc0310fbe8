"""The exercise catalog: everyone reads and searches the shared catalog; trainers and admins keep it. Beside it,
each person keeps their own (personal) exercises, seen only by them and their trainers."""

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, func, or_, select

from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.lib.sql import search_order
from app.models import Exercise, Role, User, WorkoutExercise
from app.models.exercises import title_key
from app.services import coaching

SHARED = Exercise.owner_id.is_(None)


def usable_by(owner_id: int) -> ColumnElement[bool]:
    """The exercises one person's own training may use and list: the shared catalog and their own."""
    return or_(SHARED, Exercise.owner_id == owner_id)


def list_exercises(
    viewer: User,
    *,
    user_id: int | None = None,
    personal: bool | None = None,
    q: str | None = None,
    muscle_group: str | None = None,
    equipment_required: bool | None = None,
    complexity: str | None = None,
    include_archived: bool = False,
) -> Select:
    """The shared catalog and the caller's (or an assigned client's, `user_id`) personal exercises, in title
    order; `personal` keeps only the personal ones (true) or only the shared ones (false); filtered, and
    searched by words of the title or description."""
    subject_id = coaching.subject_for(viewer, user_id)
    if personal is None:
        query = select(Exercise).where(usable_by(subject_id))
    else:
        query = select(Exercise).where(Exercise.owner_id == subject_id if personal else SHARED)
    if not include_archived:
        query = query.where(Exercise.is_archived.is_(False))
    if muscle_group is not None:
        query = query.where(Exercise.muscle_group == muscle_group)
    if equipment_required is not None:
        query = query.where(Exercise.equipment_required.is_(equipment_required))
    if complexity is not None:
        query = query.where(Exercise.complexity == complexity)
    # In title order (a personal title may be a shared one's too); a search in the order `search_order` finds
    # cheapest for the number of matches.
    query = where_text_matches(query, q)
    title = search_order(query, Exercise.title_key) if (q or "").split() else Exercise.title_key
    return query.order_by(title, Exercise.id)


def where_text_matches(query: Select, q: str | None) -> Select:
    """Narrow a query over exercises to those whose title or description holds each word of `q` (in any case;
    `%` and `_` are plain characters), as migration 0019's trigram indexes serve on PostgreSQL."""
    for word in (q or "").split():
        key = word.casefold()
        query = query.where(
            or_(Exercise.title_key.contains(key, autoescape=True), Exercise.description.icontains(key, autoescape=True))
        )
    return query


def get_exercise_for(user: User, exercise_id: int, *, to_change: bool = False) -> Exercise:
    """Fetch and authorise. A shared exercise: everyone reads it, archived ones too (old workouts still point at
    them); `to_change`: trainers and admins only (403). A personal one: its owner and their trainers read it,
    for anyone else it does not exist (404); `to_change`: its owner only (403 for their trainers)."""
    exercise = db.session.get(Exercise, exercise_id)
    if exercise is None or (
        exercise.is_personal and exercise.owner_id != user.id and not coaching.is_trainer_of(user, exercise.owner_id)
    ):
        raise NotFound("No such exercise.")
    if to_change and exercise.is_personal and exercise.owner_id != user.id:
        raise Forbidden("Only its owner changes a personal exercise; as their trainer you can read it.")
    if to_change and not exercise.is_personal and not user.has_role(Role.TRAINER):
        raise Forbidden("Only trainers and admins keep the exercise catalog.")
    return exercise


def create_exercise(author: User, data: dict) -> Exercise:
    """Into the shared catalog (trainers and admins), or (`is_personal`) into the author's own exercises."""
    data = dict(data)
    is_personal = data.pop("is_personal", False)
    if not is_personal and not author.has_role(Role.TRAINER):
        raise Forbidden(
            "Only trainers and admins add to the shared catalog; add it to your own exercises with is_personal=true."
        )
    exercise = Exercise(created_by_id=author.id, owner_id=author.id if is_personal else None)
    exercise.rename(data.pop("title"))
    _ensure_unique_title(exercise.owner_id, exercise.title_key)
    for field, value in data.items():
        setattr(exercise, field, value)
    db.session.add(exercise)
    db.session.commit()
    return exercise


def update_exercise(editor: User, exercise_id: int, data: dict) -> Exercise:
    """PUT and PATCH; `is_archived` takes an exercise out of the catalog (or back) without touching history.
    An exercise stays where it was made: shared or personal."""
    exercise = get_exercise_for(editor, exercise_id, to_change=True)
    data = dict(data)
    if "title" in data:
        new_key = title_key(data["title"])
        if new_key != exercise.title_key:
            _ensure_unique_title(exercise.owner_id, new_key)
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


def _ensure_unique_title(owner_id: int | None, key: str) -> None:
    """Within one namespace: the shared catalog (owner None), or one person's own exercises."""
    namespace = SHARED if owner_id is None else Exercise.owner_id == owner_id
    if db.session.scalar(select(Exercise.id).where(namespace, Exercise.title_key == key)) is not None:
        where = "Already in the catalog." if owner_id is None else "Already among your exercises."
        raise Conflict("An exercise with this title already exists.", {"json": {"title": [where]}})


def seed_catalog(entries: Iterable[dict]) -> tuple[int, int]:
    """Add the entries whose title is not in the shared catalog yet (personal exercises do not count), in one
    transaction: (added, already there)."""
    known = set(db.session.scalars(select(Exercise.title_key).where(SHARED)))
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
