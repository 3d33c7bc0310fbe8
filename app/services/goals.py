"""Fitness goals: their date rules, reads that never show an expired goal as active, and expiry."""

import logging
from datetime import date, datetime

from sqlalchemy import Select, case, func, inspect, literal, select, update
from sqlalchemy.orm import DictBundle

from app.errors import NotFound, RuleViolation
from app.extensions import db
from app.lib.dates import local_now, local_today
from app.lib.sql import is_postgresql, iso_date
from app.models import Goal, GoalType, MetricField, NotificationType, User
from app.models.base import utcnow
from app.services import notifications

log = logging.getLogger(__name__)

DEFAULT_METRIC = {GoalType.WEIGHT_LOSS: MetricField.WEIGHT_KG, GoalType.MUSCLE_GAIN: MetricField.WEIGHT_KG}


# A goal as its owner sees it: the stored fields, with `is_active` as of today in the owner's timezone, so a goal past
# its end date shows inactive whether or not the expiry job has run yet.
STORED_FIELDS = tuple(key for key in inspect(Goal).columns.keys() if key != "is_active")


def list_goals(user: User, *, active: bool | None, goal_type: str | None) -> Select:
    """The caller's goals as they see them today, newest first, as a select; `active` filters on the same rule."""
    is_active = Goal.is_active_on(local_today(user))
    shown = DictBundle("goal", *(getattr(Goal, key) for key in STORED_FIELDS), is_active.label("is_active"))
    query = select(shown).where(Goal.user_id == user.id).order_by(Goal.id.desc())
    if goal_type:
        query = query.where(Goal.goal_type == goal_type)
    if active is not None:
        query = query.where(is_active if active else ~is_active)
    return query


def read_goal(user: User, goal_id: int) -> dict:
    return _as_seen_today(get_goal_for(user, goal_id), user)


def _as_seen_today(goal: Goal, owner: User) -> dict:
    shown = {key: getattr(goal, key) for key in STORED_FIELDS}
    return shown | {"is_active": goal.is_active_on(local_today(owner))}


def get_goal_for(user: User, goal_id: int) -> Goal:
    """Fetch and authorise: another person's goal does not exist for the caller."""
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.user_id != user.id:
        raise NotFound("No such goal.")
    return goal


def create_goal(user: User, data: dict) -> dict:
    data = dict(data)
    data.setdefault("start_date", local_today(user))
    data.setdefault("metric", DEFAULT_METRIC.get(data["goal_type"]))
    _check_dates(data["start_date"], data.get("end_date"))
    goal = Goal(user_id=user.id, **data)
    db.session.add(goal)
    db.session.commit()
    return _as_seen_today(goal, user)


def update_goal(user: User, goal_id: int, data: dict) -> dict:
    """PUT and PATCH: the date rules hold for the result, whichever date changed."""
    goal = get_goal_for(user, goal_id)
    _check_dates(data.get("start_date", goal.start_date), data.get("end_date", goal.end_date))
    for field, value in data.items():
        setattr(goal, field, value)
    db.session.commit()
    return _as_seen_today(goal, user)


def deactivate_goal(user: User, goal_id: int) -> dict:
    goal = get_goal_for(user, goal_id)
    goal.is_active = False
    db.session.commit()
    return _as_seen_today(goal, user)


def delete_goal(user: User, goal_id: int) -> None:
    db.session.delete(get_goal_for(user, goal_id))
    db.session.commit()


def _check_dates(start: date, end: date | None) -> None:
    if end is not None and end <= start:
        raise RuleViolation("end_date must be after start_date.", field="end_date")


# --- expiry -------------------------------------------------------------------------------------------------


def expire_due_goals(now: datetime | None = None) -> int:
    """Deactivate every active goal whose end date has come in its owner's timezone, in one UPDATE,
    and notify each owner (`goal_expired`, stored in bulk, pushed after the commit). Safe to run twice
    or concurrently: a goal already inactive is not matched again."""
    now = now or utcnow()
    zones = list(db.session.scalars(select(User.timezone).distinct()))
    if not zones:
        return 0
    today_by_zone = {zone: local_now(zone, now).date() for zone in zones}
    owner_today = case(*((User.timezone == zone, day) for zone, day in today_by_zone.items()), else_=None)
    expired = (
        update(Goal)
        .where(
            Goal.is_active,  # as the index's predicate reads
            Goal.end_date.is_not(None),
            Goal.end_date <= max(today_by_zone.values()),  # lets the index skip goals that end later
            User.id == Goal.user_id,  # UPDATE … FROM users: a join, not a lookup per goal
            Goal.end_date <= owner_today,
        )
        .values(is_active=False, updated_at=now)
        .returning(Goal.id, Goal.user_id, Goal.goal_type, Goal.end_date)
        .execution_options(synchronize_session=False)
    )
    if is_postgresql():  # the UPDATE and the notifications' INSERT in one statement
        count = notifications.notify_from(NotificationType.GOAL_EXPIRED, _expiry_notices(expired.cte("expired")))
    else:
        ids = [row.id for row in db.session.execute(expired)]
        count = len(ids)
        for start in range(0, count, notifications.CHUNK):
            chunk = select(Goal).where(Goal.id.in_(ids[start : start + notifications.CHUNK])).subquery()
            notifications.notify_from(NotificationType.GOAL_EXPIRED, _expiry_notices(chunk))
    db.session.commit()
    log.info("expired %d goals", count)
    return count


def _expiry_notices(goals) -> Select:
    """One `goal_expired` notice per goal in `goals` (a subquery or CTE of goal columns)."""
    kind = func.replace(goals.c.goal_type, "_", " ")
    return select(
        goals.c.user_id.label("recipient_id"),
        ("Your " + kind + " goal reached its end date (" + iso_date(goals.c.end_date) + ").").label("message"),
        literal("goal").label("target_type"),
        goals.c.id.label("target_id"),
    )
