"""Event reminders: 24 hours and 1 hour before the start, to the people going and to the organizer (not to the
waitlisted, maybe or declined), exactly once per event, person, reminder and start time.

A periodic pass (every minute) finds the reminders due and inserts one claim row each with ON CONFLICT DO NOTHING,
in the transaction that stores the notifications (the habit reminders' pattern): only the rows a pass inserted are
sent, so a pass run twice, or two schedulers at once, remind once. The start time is part of the claim: an event
moved to another time is reminded again for its new time (its reminders re-arm), and a pass that read the old time
can claim only the old time's reminder.

Each reminder is due from its moment before the start until the next one's (the 24-hour one until 1 hour before,
the 1-hour one until the start): a pass missed while the scheduler was down still reminds, and someone who says
"going" 5 hours before the start gets the 24-hour reminder at the next pass, then the 1-hour one.

A group's event is recalled to the people going only while they read the group (`visibility.reads_group`'s rule):
someone who answered a private group's event and left the group no longer sees the event and is not reminded of it.
The organizer always sees their own event, and is reminded of it.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, or_, select

from app.extensions import db
from app.lib.sql import insert_ignore
from app.models import Event, EventReminder, EventRsvp, NotificationType, ReminderKind, RsvpStatus, User
from app.models.base import utcnow
from app.services import notifications, visibility
from app.services.notifications import Draft, Target

log = logging.getLogger(__name__)

REMINDERS = ((ReminderKind.HOUR, timedelta(hours=1)), (ReminderKind.DAY, timedelta(hours=24)))  # nearest first
CHUNK = 2000  # events per look-up, claims per statement (4 columns each: under SQLite's bound-parameter limit)
CLAIMS_KEPT = timedelta(days=1)  # a claim of a start this long past can never be due again

Key = tuple[int, int, str, datetime]  # event_id, user_id, kind, starts_at: a claim's primary key


def remind_due_events(now: datetime | None = None) -> int:
    """One pass: send every reminder due now and not sent yet; returns how many were sent."""
    now = now or utcnow()
    due, events = _due_reminders(now)
    claimed = _claim(due)
    notifications.notify_each(NotificationType.EVENT, [_draft(key, events[key[0]]) for key in claimed])
    db.session.execute(delete(EventReminder).where(EventReminder.starts_at < now - CLAIMS_KEPT))
    db.session.commit()
    log.info("event reminders: %d due, %d sent", len(due), len(claimed))
    return len(claimed)


def _draft(key: Key, event: Event) -> Draft:
    _, user_id, kind, starts_at = key
    return Draft(
        user_id,
        f"Reminder: {event.title} starts at {starts_at:%H:%M} UTC on {starts_at:%Y-%m-%d}.",
        target=Target("event", event.id),
        data={"reminder": kind, "starts_at": starts_at.isoformat()},
    )


def reminder_due(starts_at: datetime, now: datetime) -> ReminderKind | None:
    """Which reminder of an event starting at `starts_at` is due at `now`, if any."""
    if starts_at <= now:
        return None
    return next((kind for kind, before in REMINDERS if starts_at - before <= now), None)


def _due_reminders(now: datetime) -> tuple[list[Key], dict[int, Event]]:
    """The keys of the reminders due now and not claimed yet, and their events by id."""
    latest = max(before for _, before in REMINDERS)
    query = (
        select(Event)
        .join(User, User.id == Event.organizer_id)
        .where(Event.starts_at > now, Event.starts_at <= now + latest, User.is_active)
        .order_by(Event.id)
    )
    events = {event.id: event for event in db.session.scalars(query)}
    ids = list(events)
    due: dict[Key, None] = {}  # ordered, and the organizer going too is one key
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        recipients = [(event_id, events[event_id].organizer_id) for event_id in chunk]
        recipients += [tuple(row) for row in db.session.execute(_going_recipients(chunk))]
        claims = select(EventReminder.event_id, EventReminder.user_id, EventReminder.kind, EventReminder.starts_at)
        sent = {tuple(row) for row in db.session.execute(claims.where(EventReminder.event_id.in_(chunk)))}
        for event_id, user_id in recipients:
            event = events[event_id]
            key = (event_id, user_id, str(reminder_due(event.starts_at, now)), event.starts_at)
            if key not in sent:
                due[key] = None
    return list(due), events


def _going_recipients(event_ids: list[int]) -> Select:
    """`(event_id, user_id)` of the active people going, clear of blocks with the organizer either way."""
    return (
        select(EventRsvp.event_id, EventRsvp.user_id)
        .join(Event, Event.id == EventRsvp.event_id)
        .join(User, User.id == EventRsvp.user_id)
        .where(
            EventRsvp.event_id.in_(event_ids),
            EventRsvp.status == RsvpStatus.GOING,
            User.is_active,
            visibility.not_blocked_between(EventRsvp.user_id, Event.organizer_id),
            or_(Event.group_id.is_(None), visibility.reads_group_of(EventRsvp.user_id, Event.group_id)),
        )
    )


def _claim(keys: list[Key]) -> list[Key]:
    """Insert the claims; only the keys this pass inserted come back."""
    table = EventReminder.__table__
    now = utcnow()
    columns = ("event_id", "user_id", "kind", "starts_at")
    rows = [dict(zip(columns, key, strict=True)) | {"sent_at": now} for key in keys]
    claimed = []
    for start in range(0, len(rows), CHUNK):
        statement = (
            insert_ignore(table, conflict_on=columns)
            .values(rows[start : start + CHUNK])
            .returning(*(table.c[column] for column in columns))
        )
        claimed.extend(tuple(row) for row in db.session.execute(statement))
    return claimed
