"""Body metrics, and progress toward a goal measured by them."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.lib.dates import local_today, start_of_day, week_start
from app.models import BodyMetric, Goal, User
from app.models.base import utcnow
from app.services.goals import get_goal_for

TREND_WEEKS = 8


def record(user: User, data: dict) -> BodyMetric:
    metric = BodyMetric(user_id=user.id, **{"recorded_at": utcnow(), **data})
    db.session.add(metric)
    db.session.commit()
    return metric


def list_metrics(user: User, *, since: datetime | None, until: datetime | None):
    """The caller's history, newest first, within an optional range (a select, for pagination)."""
    query = select(BodyMetric).where(BodyMetric.user_id == user.id)
    if since is not None:
        query = query.where(BodyMetric.recorded_at >= since)
    if until is not None:
        query = query.where(BodyMetric.recorded_at <= until)
    return query.order_by(BodyMetric.recorded_at.desc(), BodyMetric.id.desc())


def get_metric_for(user: User, metric_id: int) -> BodyMetric:
    """Fetch and authorise: only the owner reads or changes an entry; anyone else's does not exist (404)."""
    metric = db.session.get(BodyMetric, metric_id)
    if metric is None or metric.user_id != user.id:
        raise NotFound("No such metric entry.")
    return metric


def delete_metric(user: User, metric_id: int) -> None:
    db.session.delete(get_metric_for(user, metric_id))
    db.session.commit()


def goal_progress(user: User, goal_id: int) -> dict:
    """Start, current and target values, percent done and weekly trend, for goals measured by a metric."""
    goal = get_goal_for(user, goal_id)
    base = {"goal_id": goal.id, "metric": goal.metric, "target": goal.target_value, "unit": goal.unit}
    if goal.metric is None:
        reason = (
            f"A {goal.goal_type.replace('_', ' ')} goal is not measured by body metrics; give it a metric to track."
        )
        return {**base, "is_measurable": False, "reason": reason}
    column = getattr(BodyMetric, goal.metric)
    entries = db.session.execute(
        select(BodyMetric.recorded_at, column)
        .where(BodyMetric.user_id == user.id, column.is_not(None))
        .order_by(BodyMetric.recorded_at)
    ).all()
    if not entries:
        return {
            **base,
            "is_measurable": True,
            "reason": f"No {goal.metric} entries yet.",
            "start": None,
            "current": None,
            "percent": None,
            "trend": [],
        }
    zone = ZoneInfo(user.timezone)
    start = _value_at_start(goal, entries, zone)
    current = entries[-1][1]
    return {
        **base,
        "is_measurable": True,
        "start": start,
        "current": current,
        "percent": _percent(start, current, goal.target_value),
        "trend": _weekly_trend(entries, local_today(user), zone),
    }


def _value_at_start(goal: Goal, entries: list, zone: ZoneInfo) -> float:
    """The last entry before the start date began (in the owner's timezone), else the first one since."""
    start_instant = start_of_day(goal.start_date, zone)
    before = [value for recorded_at, value in entries if recorded_at < start_instant]
    return before[-1] if before else entries[0][1]


def _percent(start: float, current: float, target: float | None) -> float | None:
    if target is None:
        return None
    if start == target:
        return 100.0
    done = (start - current) / (start - target) * 100
    return round(max(0.0, min(100.0, done)), 1)


def _weekly_trend(entries: list, today: date, zone: ZoneInfo) -> list[dict]:
    """The average per ISO week (Monday start) over the last weeks, oldest first."""
    first_monday = week_start(today) - timedelta(weeks=TREND_WEEKS - 1)
    weeks: dict[date, list[float]] = defaultdict(list)
    for recorded_at, value in entries:
        monday = week_start(recorded_at.astimezone(zone).date())
        if monday >= first_monday:
            weeks[monday].append(value)
    return [{"week_start": monday, "average": round(sum(v) / len(v), 2)} for monday, v in sorted(weeks.items())]
