"""Trainer analytics: aggregates over a trainer's live clients (or, for admins, every account not deleted).

Everything is counted by the database (GROUP BY); Python only fills empty days and weeks with zeros and turns
per-group counts into rates. Days are the ones the data records: a workout's `date` and a habit completion's
`done_on` are the user's local dates, a login counts on its UTC date. Weeks start on Monday.
"""

import math
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, distinct, func, or_, select, union_all

from app.extensions import db
from app.lib.dates import week_start
from app.lib.sql import utc_date
from app.lib.sql import week_start as sql_week_start
from app.models import (
    AuditEvent,
    AuditType,
    Challenge,
    ChallengeParticipant,
    Goal,
    Habit,
    HabitCompletion,
    Role,
    TrainerClient,
    User,
    Workout,
)
from app.models.base import utcnow


def population(viewer: User) -> Select:
    """The user ids a viewer's analytics cover: everyone not deleted for admins, live clients for trainers."""
    if viewer.has_role(Role.ADMIN):
        return select(User.id).where(User.deleted_at.is_(None))
    return (
        select(TrainerClient.client_id)
        .join(User, User.id == TrainerClient.client_id)
        .where(
            TrainerClient.trainer_id == viewer.id,
            TrainerClient.ended_at.is_(None),
            User.is_active,
        )
    )


def _weeks(date_from: date, date_to: date) -> list[date]:
    first, last = week_start(date_from), week_start(date_to)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _range(viewer: User, date_from: date, date_to: date) -> dict:
    users = db.session.scalar(select(func.count()).select_from(population(viewer).subquery()))
    return {"date_from": date_from, "date_to": date_to, "users": users}


def active_users(viewer: User, date_from: date, date_to: date) -> dict:
    """Distinct users with a workout, a habit completion or a login, per day and per week."""
    members = population(viewer)
    start = datetime.combine(date_from, time.min, UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
    events = union_all(
        select(Workout.user_id.label("user_id"), Workout.date.label("day")).where(
            Workout.user_id.in_(members), Workout.date.between(date_from, date_to)
        ),
        select(Habit.user_id, HabitCompletion.done_on)
        .join(Habit, Habit.id == HabitCompletion.habit_id)
        .where(Habit.user_id.in_(members), HabitCompletion.done_on.between(date_from, date_to)),
        select(AuditEvent.user_id, utc_date(AuditEvent.created_at)).where(
            AuditEvent.type == AuditType.LOGIN_SUCCEEDED,
            AuditEvent.user_id.in_(members),
            AuditEvent.created_at >= start,
            AuditEvent.created_at < end,
        ),
    ).subquery()
    daily = dict(
        db.session.execute(select(events.c.day, func.count(distinct(events.c.user_id))).group_by(events.c.day)).all()
    )
    week = sql_week_start(events.c.day)
    weekly = dict(db.session.execute(select(week, func.count(distinct(events.c.user_id))).group_by(week)).all())
    days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    return {
        **_range(viewer, date_from, date_to),
        "days": [{"date": day, "active_users": daily.get(day, 0)} for day in days],
        "weeks": [
            {"week_start": monday, "active_users": weekly.get(monday, 0)} for monday in _weeks(date_from, date_to)
        ],
    }


def workouts_per_week(viewer: User, date_from: date, date_to: date) -> dict:
    """Workouts and minutes per week, and the average session length (`duration_min`)."""
    week = sql_week_start(Workout.date)
    rows = db.session.execute(
        select(week, func.count(Workout.id), func.sum(Workout.duration_min))
        .where(Workout.user_id.in_(population(viewer)), Workout.date.between(date_from, date_to))
        .group_by(week)
    ).all()
    by_week = {monday: (count, minutes) for monday, count, minutes in rows}
    total = sum(count for count, _ in by_week.values())
    minutes = sum(minutes for _, minutes in by_week.values())
    weeks = []
    for monday in _weeks(date_from, date_to):
        count, week_minutes = by_week.get(monday, (0, 0))
        weeks.append(
            {
                "week_start": monday,
                "workouts": count,
                "total_minutes": week_minutes,
                "average_duration_min": _avg(week_minutes, count),
            }
        )
    return {
        **_range(viewer, date_from, date_to),
        "total_workouts": total,
        "total_minutes": minutes,
        "average_duration_min": _avg(minutes, total),
        "weeks": weeks,
    }


def _avg(total: int, count: int) -> float | None:
    return round(total / count, 1) if count else None


def goal_completion(viewer: User, date_from: date, date_to: date, today: date | None = None) -> dict:
    """Of the goals whose end date fell in the range and has passed, the share kept to the end: not deactivated
    by their owner before the end date. Deleted goals are gone and not counted."""
    last = min(date_to, today or utcnow().date())
    kept = or_(Goal.is_active.is_(True), utc_date(Goal.updated_at) >= Goal.end_date)
    due, completed = db.session.execute(
        select(func.count(Goal.id), func.coalesce(func.sum(case((kept, 1), else_=0)), 0)).where(
            Goal.user_id.in_(population(viewer)), Goal.end_date.between(date_from, last)
        )
    ).one()
    return {
        **_range(viewer, date_from, date_to),
        "goals_due": due,
        "goals_completed": completed,
        "completion_rate": round(completed / due, 4) if due else None,
    }


def habit_adherence(viewer: User, date_from: date, date_to: date) -> dict:
    """Completions over expected completions: a habit is due every `periodicity_days` from its start date."""
    habits = func.count(distinct(Habit.id))
    rows = db.session.execute(
        select(Habit.start_date, Habit.periodicity_days, habits, func.count(HabitCompletion.id))
        .outerjoin(
            HabitCompletion,
            and_(HabitCompletion.habit_id == Habit.id, HabitCompletion.done_on.between(date_from, date_to)),
        )
        .where(Habit.user_id.in_(population(viewer)), Habit.start_date <= date_to)
        .group_by(Habit.start_date, Habit.periodicity_days)
    ).all()
    expected = sum(count * _due_slots(start, every, date_from, date_to) for start, every, count, _ in rows)
    completed = min(sum(row[3] for row in rows), expected)
    return {
        **_range(viewer, date_from, date_to),
        "habits": sum(row[2] for row in rows),
        "expected_completions": expected,
        "completions": completed,
        "adherence": round(completed / expected, 4) if expected else None,
    }


def _due_slots(start: date, every: int, date_from: date, date_to: date) -> int:
    """How many of the days start, start + every, start + 2·every, … fall within [date_from, date_to]."""
    low = max(start, date_from)
    first = math.ceil((low - start).days / every)
    last = (date_to - start).days // every
    return max(0, last - first + 1)


def challenge_participation(viewer: User, date_from: date, date_to: date) -> dict:
    """Who took part in challenges running during the range: a challenge counts when its window
    `[start_date, end_date]` overlaps the range, whoever joined it and whenever."""
    overlapping = and_(Challenge.start_date <= date_to, Challenge.end_date >= date_from)
    challenges, participants, participations = db.session.execute(
        select(
            func.count(distinct(ChallengeParticipant.challenge_id)),
            func.count(distinct(ChallengeParticipant.user_id)),
            func.count(),
        )
        .select_from(ChallengeParticipant)
        .join(Challenge, Challenge.id == ChallengeParticipant.challenge_id)
        .where(ChallengeParticipant.user_id.in_(population(viewer)), overlapping)
    ).one()
    scope = _range(viewer, date_from, date_to)
    return {
        **scope,
        "challenges": challenges,
        "participants": participants,
        "participations": participations,
        "participation_rate": round(participants / scope["users"], 4) if scope["users"] else None,
    }
