"""Training plans: an ordered selection of the owner's workouts, built by the owner or by their trainer.

Who may do what: the owner and their assigned trainers read a plan; the owner, and the trainer who built
it while they still train the owner, change it; everyone else does not see it. A completed plan is
read-only (it can still be deleted by those who may change it).
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.models import PlanWorkout, TrainingPlan, User, Workout
from app.services import coaching
from app.transactions import lock_for_write

MAX_WORKOUTS = 200


def _with_items(query: Select) -> Select:
    return query.options(selectinload(TrainingPlan.items))


def list_plans(viewer: User, *, user_id: int | None = None, status: str | None = None) -> Select:
    """The caller's (or an assigned client's) plans, newest first (a select, for pagination)."""
    owner_id = coaching.subject_for(viewer, user_id)
    query = select(TrainingPlan).where(TrainingPlan.user_id == owner_id)
    if status is not None:
        query = query.where(TrainingPlan.status == status)
    return _with_items(query).order_by(TrainingPlan.id.desc())


def _fetch(plan_id: int, *, lock: bool = False) -> TrainingPlan | None:
    query = _with_items(select(TrainingPlan).where(TrainingPlan.id == plan_id))
    if lock:  # the items are loaded after the lock is granted, so they are the latest committed ones
        lock_for_write(db.session)
        query = query.with_for_update(of=TrainingPlan)
    return db.session.scalar(query.execution_options(populate_existing=True))


def get_plan_for(viewer: User, plan_id: int, *, to_change: bool = False, lock: bool = False) -> TrainingPlan:
    """Fetch and authorise: the owner's plan, or an assigned client's for their trainer; else 404.
    `to_change`: only the owner, or the trainer who built it (else 403). `lock`: hold the plan's row until the
    commit, so changes to one plan's workouts take turns."""
    plan = _fetch(plan_id, lock=lock)
    if plan is None or (plan.user_id != viewer.id and not coaching.is_trainer_of(viewer, plan.user_id)):
        raise NotFound("No such training plan.")
    if to_change and plan.user_id != viewer.id and plan.created_by_id != viewer.id:
        raise Forbidden("Only the owner, or the trainer who built this plan, can change it.")
    return plan


def _ensure_open(plan: TrainingPlan) -> None:
    """A completed plan keeps its contents (it can still be deleted)."""
    if plan.is_read_only:
        raise Conflict("The plan is completed and read-only.")


def create_plan(viewer: User, data: dict) -> TrainingPlan:
    """For oneself, or (`user_id`) for a client the caller trains; the workouts must be the owner's."""
    data = dict(data)
    owner_id = data.pop("user_id", None) or viewer.id
    if owner_id != viewer.id:
        coaching.ensure_trainer_of(viewer, owner_id)
    workout_ids = data.pop("workout_ids", [])
    _check_workouts(owner_id, workout_ids)
    plan = TrainingPlan(user_id=owner_id, created_by_id=viewer.id, **data)
    plan.items = _items(workout_ids)
    db.session.add(plan)
    db.session.commit()
    return _fetch(plan.id)


def update_plan(viewer: User, plan_id: int, data: dict) -> TrainingPlan:
    """PUT and PATCH: title, description, status (prepared → active → completed) and `workout_ids`."""
    plan = get_plan_for(viewer, plan_id, to_change=True, lock=True)
    _ensure_open(plan)
    data = dict(data)
    if "status" in data and not plan.can_move_to(data["status"]):
        raise RuleViolation(
            f"A plan goes prepared → active → completed; it cannot go from {plan.status} to {data['status']}.",
            field="status",
        )
    workout_ids = data.pop("workout_ids", None)
    for field, value in data.items():
        setattr(plan, field, value)
    if workout_ids is not None:
        _replace_items(plan, workout_ids)
    db.session.commit()
    return _fetch(plan.id)


def add_workout(viewer: User, plan_id: int, workout_id: int, position: int | None = None) -> TrainingPlan:
    """Put one of the owner's workouts into the plan, at `position` (1-based) or at the end.

    Adds to one plan take turns (the plan's row is locked), so concurrent adds at one position all land, each
    at that position when its turn comes. Repeating an add whose workout is already where it asked (at
    `position`, or last) changes nothing and succeeds; a workout already elsewhere in the plan is a 409."""
    plan = get_plan_for(viewer, plan_id, to_change=True, lock=True)
    _ensure_open(plan)
    ids = plan.workout_ids
    if workout_id in ids:
        if ids.index(workout_id) + 1 == (position or len(ids)):
            return plan
        raise Conflict("That workout is already in the plan, at another place; PUT the list to move it.")
    if position is not None and position > len(ids) + 1:
        raise RuleViolation(f"position must be between 1 and {len(ids) + 1}.", field="position")
    ids.insert((position or len(ids) + 1) - 1, workout_id)
    _replace_items(plan, ids, field="workout_id")
    db.session.commit()
    return _fetch(plan.id)


def remove_workout(viewer: User, plan_id: int, workout_id: int) -> None:
    plan = get_plan_for(viewer, plan_id, to_change=True, lock=True)
    _ensure_open(plan)
    if workout_id not in plan.workout_ids:
        raise NotFound("That workout is not in the plan.")
    _replace_items(plan, [i for i in plan.workout_ids if i != workout_id])
    db.session.commit()


def delete_plan(viewer: User, plan_id: int) -> None:
    plan = get_plan_for(viewer, plan_id, to_change=True, lock=True)
    db.session.delete(plan)  # its items are loaded: they go with it
    db.session.commit()


def _items(workout_ids: list[int]) -> list[PlanWorkout]:
    return [PlanWorkout(workout_id=workout_id, position=n) for n, workout_id in enumerate(workout_ids, start=1)]


def _replace_items(plan: TrainingPlan, workout_ids: list[int], field: str = "workout_ids") -> None:
    if len(workout_ids) > MAX_WORKOUTS:
        raise RuleViolation(f"A plan holds at most {MAX_WORKOUTS} workouts.", field=field)
    already = set(plan.workout_ids)
    _check_workouts(plan.user_id, [i for i in workout_ids if i not in already], field=field)
    plan.items.clear()
    db.session.flush()  # the old places go before the new ones take them (unique positions)
    plan.items.extend(_items(workout_ids))


def _check_workouts(owner_id: int, workout_ids: list[int], field: str = "workout_ids") -> None:
    """Only the owner's own workouts; others' and missing ones are refused alike (nothing leaks)."""
    if not workout_ids:
        return
    found = set(db.session.scalars(select(Workout.id).where(Workout.id.in_(workout_ids), Workout.user_id == owner_id)))
    unknown = [i for i in workout_ids if i not in found]
    if unknown:
        raise RuleViolation(
            f"These are not workouts of the plan's owner: {', '.join(map(str, unknown))}.",
            field=field,
        )
