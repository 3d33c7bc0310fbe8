"""Events (SPEC §8): create, read, change and delete them, RSVPs with a capacity and a waitlist, and the
iCalendar file. Reminders before the start are `app/services/event_reminders.py`.

An event is standalone, or a group's (`group_id`, set when it is created and never changed): only a member of the
group organises one in it (403; no such group is a 422). A standalone event is seen by anyone signed in; a group's
by whoever reads the group (`visibility.reads_group`: everyone for a public group, its members for a private one),
and only the group's members answer it (403). Either way an event whose organizer is inactive, or one of the two
blocked the other, does not exist for the viewer (404), nor does a private group's event for a non-member (its
organizer excepted: they still manage it after leaving the group). Only
the organizer changes or deletes it (403 for anyone else who sees it). Deleting a group deletes its events.

Seats. Every RSVP change and every capacity change takes the event's row lock first (`get_event_for(...,
lock=True)`), and counts and writes the going people under it: `going` never exceeds `capacity`. Asking to go when
the event is full stores `waitlisted`. When a seat frees (someone going says maybe or declined, or withdraws; the
capacity rises) the earliest waitlisted people, by when they asked, become going in the same transaction and are
notified. The capacity cannot drop below the number going (422): nobody loses a seat they were given. An event
that has ended takes no more RSVP changes (422).
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import icalendar
from flask import current_app
from sqlalchemy import ColumnElement, Select, case, func, or_, select, update

from app.errors import Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.models import Event, EventRsvp, NotificationType, RsvpStatus, User
from app.models.base import utcnow
from app.services import groups, notifications, visibility
from app.services.notifications import Target
from app.services.posts import user_cards
from app.transactions import lock_for_write

MAX_DURATION = timedelta(days=30)  # also bounds the upcoming list's index range: an event started longer ago is over
CHANGEABLE = ("title", "description", "starts_at", "ends_at", "place", "online_url", "capacity")
PRODID = "-//Stride//Events//EN"

Paginate = Callable[[Select], dict]


# --- what a viewer sees -------------------------------------------------------------------------------------


def event_views(viewer: User, events: list[Event]) -> list[dict]:
    """The events as the viewer sees them, in a constant number of queries: the organizer's card, how many are
    going and the viewer's own answer."""
    if not events:
        return []
    ids = [event.id for event in events]
    cards = user_cards({event.organizer_id for event in events})
    counts = select(
        EventRsvp.event_id,
        func.sum(case((EventRsvp.status == RsvpStatus.GOING, 1), else_=0)),
        func.max(case((EventRsvp.user_id == viewer.id, EventRsvp.status))),
    )
    facts = {
        event_id: (going, mine)
        for event_id, going, mine in db.session.execute(
            counts.where(EventRsvp.event_id.in_(ids)).group_by(EventRsvp.event_id)
        )
    }
    return [_view(event, cards[event.organizer_id], *facts.get(event.id, (0, None))) for event in events]


def _view(event: Event, organizer: dict, going: int, mine: str | None) -> dict:
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "group_id": event.group_id,
        "going_count": int(going or 0),
        "my_rsvp": mine,
        "organizer": organizer,
        "created_at": event.created_at,
    }


def event_view(viewer: User, event: Event) -> dict:
    return event_views(viewer, [event])[0]


def get_event_for(viewer: User, event_id: int, *, to_change: bool = False, lock: bool = False) -> Event:
    """Fetch and authorise: an event whose organizer is inactive or blocked either way, or of a group the viewer
    does not read, is 404; `to_change` (edit, delete): only its organizer, 403 for anyone else. `lock` takes the
    event's row lock (seats)."""
    if lock:
        lock_for_write(db.session)
    query = (
        select(Event, visibility.not_blocked(viewer, Event.organizer_id))
        .join(User, User.id == Event.organizer_id)
        .where(Event.id == event_id, User.is_active, _group_readable_by(viewer))
    )
    found = db.session.execute(query.with_for_update(of=Event) if lock else query).first()
    if found is None or not (found[1] or found[0].organizer_id == viewer.id):
        raise NotFound("No such event.")
    event = found[0]
    if to_change and event.organizer_id != viewer.id:
        raise Forbidden("Only its organizer can change or delete an event.")
    return event


def read_event(viewer: User, event_id: int) -> dict:
    return event_view(viewer, get_event_for(viewer, event_id))


def list_events(viewer: User, paginate: Paginate, *, group_id: int | None = None) -> dict:
    """The events that have not ended, soonest first, as `paginate` pages them (a keyset over `Event.starts_at,
    Event.id`); an inactive or blocked (either way) organizer's events, and those of groups the viewer does not
    read, are absent. `group_id`: that group's events only (404 no such group, 403 a private one's non-member)."""
    now = utcnow()
    if group_id is not None:
        groups.require_reader(viewer, groups.get_group(group_id))
    query = (
        select(Event)
        .join(User, User.id == Event.organizer_id)
        .where(
            Event.starts_at > now - MAX_DURATION,  # an index range: no event lasts longer
            Event.ends_at > now,
            User.is_active,
            visibility.not_blocked(viewer, Event.organizer_id),
            _group_readable_by(viewer),
        )
    )
    if group_id is not None:
        query = query.where(Event.group_id == group_id)
    page = paginate(query)
    return page | {"items": event_views(viewer, page["items"])}


def _group_readable_by(viewer: User) -> ColumnElement[bool]:
    """SQL: the event is standalone, the viewer's own (an organizer who left its group still manages it), or of a
    group the viewer reads."""
    return or_(
        Event.group_id.is_(None), Event.organizer_id == viewer.id, visibility.group_readable_by(viewer, Event.group_id)
    )


# --- writing ------------------------------------------------------------------------------------------------


def create_event(organizer: User, data: dict) -> dict:
    """An event organised by the caller, standalone or (`group_id`) in a group they are a member of; the caller
    holds no seat unless they RSVP too."""
    group_id = data.get("group_id")
    if group_id is not None:
        groups.require_member(organizer, group_id, field="group_id")
    data = _in_utc(data)
    _check_times(data["starts_at"], data["ends_at"])
    now = utcnow()
    event = Event(organizer_id=organizer.id, group_id=group_id, created_at=now, updated_at=now, **data)
    db.session.add(event)
    db.session.flush()
    view = event_view(organizer, event)
    db.session.commit()
    return view


def update_event(viewer: User, event_id: int, data: dict) -> dict:
    """Change what was sent. A higher (or no) capacity seats the earliest waitlisted people; one below the number
    going is a 422. A new start time re-arms the reminders (they are claimed per start time)."""
    event = get_event_for(viewer, event_id, to_change=True, lock=True)
    data = _in_utc(data)
    _check_times(data.get("starts_at", event.starts_at), data.get("ends_at", event.ends_at))
    changed = {field: value for field, value in data.items() if getattr(event, field) != value}
    if "capacity" in changed:
        going = _going_count(event.id)
        if changed["capacity"] is not None and changed["capacity"] < going:
            message = f"{going} people are going: the capacity cannot be lower than that."
            raise RuleViolation(message, field="capacity")
    for field, value in changed.items():
        setattr(event, field, value)
    if changed:
        event.updated_at = utcnow()
        db.session.flush()
    if "capacity" in changed:
        _fill_seats(event)
    view = event_view(viewer, event)
    db.session.commit()
    return view


def delete_event(viewer: User, event_id: int) -> None:
    """Delete one's event with its RSVPs; those going or waitlisted for one not over yet are told."""
    event = get_event_for(viewer, event_id, to_change=True, lock=True)
    if event.ends_at > utcnow():
        query = select(EventRsvp.user_id).where(
            EventRsvp.event_id == event.id, EventRsvp.status.in_([RsvpStatus.GOING, RsvpStatus.WAITLISTED])
        )
        notifications.notify(
            list(db.session.scalars(query)),
            NotificationType.EVENT,
            f"{event.title} was cancelled.",
            actor_id=viewer.id,
            data={"event_id": event.id, "cancelled": True},
        )
    db.session.delete(event)
    db.session.commit()


def _in_utc(data: dict) -> dict:
    """Instants are kept and answered in UTC, whatever offset they were sent with."""
    return {
        field: value.astimezone(UTC) if isinstance(value, datetime) else value
        for field, value in data.items()
        if field in CHANGEABLE
    }


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise RuleViolation("Must be after starts_at.", field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise RuleViolation(f"An event lasts at most {MAX_DURATION.days} days.", field="ends_at")


# --- RSVPs --------------------------------------------------------------------------------------------------


def set_rsvp(user: User, event_id: int, status: str) -> dict:
    """Answer an event: going, maybe or declined. Going when the event is full is stored as waitlisted; asking
    to go again keeps one's place (going or in the queue); a group's event is answered by its members only (403).
    Answers `{status}`, the status stored."""
    event = get_event_for(user, event_id, lock=True)
    if event.group_id is not None and not visibility.is_group_member(user.id, event.group_id):
        raise Forbidden("Only the group's members answer its events.")
    _check_open(event)
    rsvp = db.session.get(EventRsvp, (event.id, user.id))
    previous = rsvp.status if rsvp is not None else None
    if status == RsvpStatus.GOING and previous in (RsvpStatus.GOING, RsvpStatus.WAITLISTED):
        stored = previous
    elif status == RsvpStatus.GOING:
        stored = RsvpStatus.GOING if _has_seat(event) else RsvpStatus.WAITLISTED
    else:
        stored = status
    if stored != previous:
        now = utcnow()
        if rsvp is None:
            rsvp = EventRsvp(event_id=event.id, user_id=user.id)
            db.session.add(rsvp)
        rsvp.status, rsvp.asked_at, rsvp.updated_at = stored, now, now
        db.session.flush()
        if previous == RsvpStatus.GOING:
            _fill_seats(event)
    db.session.commit()
    return {"status": str(stored)}


def withdraw_rsvp(user: User, event_id: int) -> None:
    """Take one's answer back (again changes nothing); a seat it frees goes to the earliest waitlisted."""
    event = get_event_for(user, event_id, lock=True)
    _check_open(event)
    rsvp = db.session.get(EventRsvp, (event.id, user.id))
    if rsvp is not None:
        was_going = rsvp.status == RsvpStatus.GOING
        db.session.delete(rsvp)
        db.session.flush()
        if was_going:
            _fill_seats(event)
    db.session.commit()


def _check_open(event: Event) -> None:
    if event.ends_at <= utcnow():
        message = "This event is over: its RSVPs are closed."
        raise RuleViolation(message, {"path": {"event_id": [message]}})


def _going_count(event_id: int) -> int:
    query = select(func.count()).where(EventRsvp.event_id == event_id, EventRsvp.status == RsvpStatus.GOING)
    return db.session.scalar(query)


def _has_seat(event: Event) -> bool:
    """Under the event's lock: whether one more person may go."""
    return event.capacity is None or _going_count(event.id) < event.capacity


def _fill_seats(event: Event) -> list[int]:
    """Under the event's lock: the free seats go to the earliest waitlisted people (one statement), who are told."""
    waitlist = (
        select(EventRsvp.user_id)
        .where(EventRsvp.event_id == event.id, EventRsvp.status == RsvpStatus.WAITLISTED)
        .order_by(EventRsvp.asked_at, EventRsvp.user_id)
    )
    if event.capacity is not None:
        free = event.capacity - _going_count(event.id)
        if free <= 0:
            return []
        waitlist = waitlist.limit(free)
    promote = (
        update(EventRsvp)
        .where(EventRsvp.event_id == event.id, EventRsvp.user_id.in_(waitlist.scalar_subquery()))
        .values(status=RsvpStatus.GOING, updated_at=utcnow())
        .returning(EventRsvp.user_id)
        .execution_options(synchronize_session=False)
    )
    promoted = sorted(db.session.scalars(promote))
    if promoted:
        notifications.notify(
            promoted,
            NotificationType.EVENT,
            f"A seat freed up: you are going to {event.title}.",
            target=Target("event", event.id),
            data={"status": str(RsvpStatus.GOING)},
        )
    return promoted


# --- the calendar file --------------------------------------------------------------------------------------


def event_calendar(viewer: User, event_id: int) -> bytes:
    """The event as an iCalendar file (RFC 5545): one VEVENT whose UID stays the same for the event's life."""
    event = get_event_for(viewer, event_id)
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.id}@{current_app.config['CALENDAR_UID_DOMAIN']}")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", event.ends_at.astimezone(UTC))
    entry.add("last-modified", event.updated_at.astimezone(UTC))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    if event.place:
        entry.add("location", event.place)
    if event.online_url:
        entry.add("url", event.online_url)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(entry)
    return calendar.to_ical()
