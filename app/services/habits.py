"""Habits: the five rules, completions and streaks, and reminders that fire exactly once per due slot."""

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select

from app.errors import Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.lib import dates
from app.lib.sql import insert_ignore
from app.lib.streaks import current_streak, streaks
from app.models import Habit, HabitCompletion, HabitReminder, NotificationType, User
from app.models.base import utcnow
from app.services import challenges, notifications, visibility
from app.services.notifications import Draft, Target

log = logging.getLogger(__name__)
CLAIM_CHUNK = 5000


# --- reading and writing habits -----------------------------------------------------------------------------


def list_habits(user: User, *, is_pleasant: bool | None, is_public: bool | None):
    query = select(Habit).where(Habit.user_id == user.id).order_by(Habit.id.desc())
    if is_pleasant is not None:
        query = query.where(Habit.is_pleasant.is_(is_pleasant))
    if is_public is not None:
        query = query.where(Habit.is_public.is_(is_public))
    return query


def public_habits(viewer: User):
    """Everyone's public habits (of active accounts, and of nobody blocked either way), newest first."""
    return (
        select(Habit)
        .join(User, User.id == Habit.user_id)
        .where(Habit.is_public.is_(True), User.is_active, visibility.not_blocked(viewer, Habit.user_id))
        .order_by(Habit.id.desc())
    )


def get_habit_for(user: User, habit_id: int, *, to_change: bool = False) -> Habit:
    """One's own habits; others' public habits are visible but read-only (403 to change), the rest 404 — as are
    the public habits of an inactive account or of someone blocked either way (blocks hide everything)."""
    habit = db.session.get(Habit, habit_id)
    if habit is None or (habit.user_id != user.id and not _shown_to_others(habit, user)):
        raise NotFound("No such habit.")
    if to_change and habit.user_id != user.id:
        raise Forbidden("Only the owner can change this habit.")
    return habit


def _shown_to_others(habit: Habit, viewer: User) -> bool:
    if not habit.is_public or not db.session.get(User, habit.user_id).is_active:
        return False
    return not visibility.is_blocked_between(viewer.id, habit.user_id)


def create_habit(user: User, data: dict) -> Habit:
    data = {"start_date": dates.local_today(user), **data}
    habit = Habit(user_id=user.id, **data)
    _check_rules(user, habit, set(data))
    db.session.add(habit)
    db.session.commit()
    return habit


def update_habit(user: User, habit_id: int, data: dict) -> Habit:
    """PUT and PATCH: the rules hold for the result, whichever fields changed."""
    habit = get_habit_for(user, habit_id, to_change=True)
    for field, value in data.items():
        setattr(habit, field, value)
    _check_rules(user, habit, set(data))
    if "is_pleasant" in data and not habit.is_pleasant:  # only a change to unpleasant can break others
        _check_not_a_related_habit_elsewhere(habit)
    db.session.commit()
    return habit


def delete_habit(user: User, habit_id: int) -> None:
    """Its completions and reminder slots go with it (and habits that named it as reward lose the link)."""
    db.session.delete(get_habit_for(user, habit_id, to_change=True))
    db.session.flush()
    challenges.record_habits(user.id, None)  # its completions went with it
    db.session.commit()


def _check_rules(user: User, habit: Habit, changed: set[str]) -> None:
    """The rules that need the database or the whole habit; field bounds are the schema's.
    An error names the field the caller just set, where that tells them what to fix."""
    if habit.reward and habit.related_habit_id:
        field = "reward" if "reward" in changed and "related_habit_id" not in changed else "related_habit_id"
        raise RuleViolation("A habit has either a reward or a related habit, not both.", field=field)
    if habit.is_pleasant and (habit.reward or habit.related_habit_id):
        field = "reward" if habit.reward else "related_habit_id"
        raise RuleViolation("A pleasant habit has neither a reward nor a related habit.", field=field)
    if habit.related_habit_id is not None:
        related = db.session.get(Habit, habit.related_habit_id)
        seen = related is not None and (related.user_id == user.id or _shown_to_others(related, user))
        if not seen or related.id == habit.id:  # one the caller may not see is answered as one that does not exist
            raise RuleViolation("The related habit must be your own or a public habit.", field="related_habit_id")
        if not related.is_pleasant:
            raise RuleViolation("The related habit must be a pleasant habit.", field="related_habit_id")


def _check_not_a_related_habit_elsewhere(habit: Habit) -> None:
    """A habit others use as their pleasant related habit cannot stop being pleasant."""
    used = db.session.scalar(select(Habit.id).where(Habit.related_habit_id == habit.id).limit(1))
    if used is not None:
        raise RuleViolation("Other habits use this one as their pleasant related habit.", field="is_pleasant")


# --- completions and streaks --------------------------------------------------------------------------------


def mark_done(user: User, habit_id: int) -> tuple[dict, bool]:
    """Log today's completion (the owner's local date); doing it twice a day records it once.
    Returns `{completion, streaks}` and whether the completion is new."""
    habit = get_habit_for(user, habit_id, to_change=True)
    today = dates.local_today(user)
    completion = db.session.scalar(
        select(HabitCompletion).where(HabitCompletion.habit_id == habit.id, HabitCompletion.done_on == today)
    )
    is_new = completion is None
    if is_new:
        completion = HabitCompletion(habit_id=habit.id, done_on=today, done_at=utcnow())
        db.session.add(completion)
        db.session.flush()
        challenges.record_habits(user.id, {today})
        db.session.commit()
    return {"completion": completion, "streaks": _streaks(user, habit)}, is_new


def habit_streaks(user: User, habit_id: int) -> dict:
    return _streaks(user, get_habit_for(user, habit_id, to_change=True))


def completions(user: User, habit_id: int):
    habit = get_habit_for(user, habit_id, to_change=True)
    return select(HabitCompletion).where(HabitCompletion.habit_id == habit.id).order_by(HabitCompletion.done_on.desc())


def _streaks(user: User, habit: Habit) -> dict:
    """Periods of `periodicity_days` counted from the start date; a streak is a run of periods each with a
    completion. The current streak may end with the previous period while the current one is still open."""
    days = db.session.scalars(select(HabitCompletion.done_on).where(HabitCompletion.habit_id == habit.id)).all()
    done = {(day - habit.start_date).days // habit.periodicity_days for day in days if day >= habit.start_date}
    now = (dates.local_today(user) - habit.start_date).days // habit.periodicity_days
    return {
        "current_streak": current_streak(done, now),
        "longest_streak": streaks(done).longest,
        "total_completions": len(days),
    }


# --- reminders ----------------------------------------------------------------------------------------------


def remind_due_habits(now: datetime | None = None) -> int:
    """Remind every habit due now in its owner's timezone, once per habit and due slot.

    Due: the habit's time of day fell within the last HABIT_REMINDER_GRACE_MIN minutes (local), on a day
    that starts one of its periods, and it was not done yet in that period. The unique (habit, slot) row
    inserted with ON CONFLICT DO NOTHING is the claim: two passes at once, or one run twice, remind once.
    """
    now = now or utcnow()
    due = _due_slots(now)
    claimed = _claim(due)
    habits = {habit.id: habit for habit in due.values()}
    notifications.notify_each(
        NotificationType.HABIT_REMINDER,
        [
            Draft(
                habits[habit_id].user_id,
                f"Time to {habits[habit_id].action}"
                + (f" at {habits[habit_id].place}" if habits[habit_id].place else ""),
                target=Target("habit", habit_id),
                data={"slot_date": slot.isoformat()},
            )
            for habit_id, slot in claimed
        ],
    )
    db.session.commit()
    log.info("habit reminders: %d due, %d sent", len(due), len(claimed))
    return len(claimed)


def _due_slots(now: datetime) -> dict[tuple[int, date], Habit]:
    grace = timedelta(minutes=current_app.config["HABIT_REMINDER_GRACE_MIN"])
    zones = db.session.scalars(select(User.timezone).distinct().join(Habit, Habit.user_id == User.id)).all()
    local_nows = {zone: dates.local_now(zone, now) for zone in zones}  # ZoneInfo's own cache holds only 8
    windows = []
    for zone, local_now in local_nows.items():
        start = local_now - grace
        if start.date() == local_now.date():
            times = and_(Habit.time > start.time(), Habit.time <= local_now.time())
        else:  # the window crosses local midnight
            times = or_(Habit.time > start.time(), Habit.time <= local_now.time())
        windows.append(and_(User.timezone == zone, times))
    if not windows:
        return {}
    candidates = db.session.execute(
        select(Habit, User.timezone).join(User, User.id == Habit.user_id).where(or_(*windows), User.is_active)
    ).all()
    due = {}
    for habit, zone in candidates:
        local_now = local_nows[zone]
        slot = local_now.date() if habit.time <= local_now.time() else local_now.date() - timedelta(days=1)
        offset = (slot - habit.start_date).days
        if offset >= 0 and offset % habit.periodicity_days == 0:
            due[(habit.id, slot)] = habit
    return _not_done_yet(due)


def _not_done_yet(due: dict[tuple[int, date], Habit]) -> dict[tuple[int, date], Habit]:
    """Drop habits already done in the period that the slot opens, and slots already reminded (later passes
    within the grace window would otherwise re-claim them all, only to conflict)."""
    if not due:
        return due
    ids = sorted({habit_id for habit_id, _ in due})
    earliest = min(slot for _, slot in due)
    done, reminded = defaultdict(set), set()
    for start in range(0, len(ids), CLAIM_CHUNK):
        chunk = ids[start : start + CLAIM_CHUNK]
        completions = select(HabitCompletion.habit_id, HabitCompletion.done_on).where(
            HabitCompletion.habit_id.in_(chunk), HabitCompletion.done_on >= earliest
        )
        for habit_id, done_on in db.session.execute(completions):
            done[habit_id].add(done_on)
        claimed = select(HabitReminder.habit_id, HabitReminder.slot_date).where(
            HabitReminder.habit_id.in_(chunk), HabitReminder.slot_date >= earliest
        )
        reminded.update((habit_id, slot) for habit_id, slot in db.session.execute(claimed))
    return {
        (habit_id, slot): habit
        for (habit_id, slot), habit in due.items()
        if (habit_id, slot) not in reminded
        and not any(slot <= day < slot + timedelta(days=habit.periodicity_days) for day in done[habit_id])
    }


def _claim(due: dict[tuple[int, date], Habit]) -> list[tuple[int, date]]:
    """Insert the slots; only the rows this pass inserted come back."""
    rows = [{"habit_id": habit_id, "slot_date": slot, "sent_at": utcnow()} for habit_id, slot in due]
    table = HabitReminder.__table__
    claimed = []
    for start in range(0, len(rows), CLAIM_CHUNK):
        statement = (
            insert_ignore(table, conflict_on=["habit_id", "slot_date"])
            .values(rows[start : start + CLAIM_CHUNK])
            .returning(table.c.habit_id, table.c.slot_date)
        )
        claimed.extend((row.habit_id, row.slot_date) for row in db.session.execute(statement))
    return claimed


def prune(now: datetime) -> int:
    """Reminder slots older than a week can never be claimed again."""
    horizon = (now - timedelta(days=8)).date()
    return db.session.execute(delete(HabitReminder).where(HabitReminder.slot_date < horizon)).rowcount
