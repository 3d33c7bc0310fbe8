"""Notifications: the one door through which every domain tells people things.

`notify()` stores the notifications in the caller's transaction (in bulk); after the commit they are
pushed live to each recipient's room and sent through the other channels the recipient enabled.
A notification is stored before it is emitted, so an offline client finds it over REST.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import Select, and_, delete, false, func, insert, literal, select, text, update
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.errors import NotFound
from app.extensions import db
from app.integrations import mail, realtime, telegram
from app.lib.dates import local_now
from app.lib.sql import is_postgresql
from app.models import Channel, Notification, NotificationPreferences, NotificationType, User
from app.queueing import Live, emit

log = logging.getLogger(__name__)

EMAIL_BY_DEFAULT = frozenset({NotificationType.SYSTEM})
TELEGRAM_BY_DEFAULT = frozenset({NotificationType.HABIT_REMINDER})  # once a chat is linked


DEFAULT_CHANNELS: dict[str, dict[str, bool]] = {
    str(kind): {
        str(Channel.IN_APP): True,
        str(Channel.EMAIL): kind in EMAIL_BY_DEFAULT,
        str(Channel.TELEGRAM): kind in TELEGRAM_BY_DEFAULT,
    }
    for kind in NotificationType
}


def default_channels() -> dict[str, dict[str, bool]]:
    """A fresh copy of the defaults (callers may change it)."""
    return {kind: dict(choices) for kind, choices in DEFAULT_CHANNELS.items()}


@dataclass(frozen=True)
class Target:
    type: str
    id: int


@dataclass(frozen=True)
class Draft:
    """One notification to one person, for `notify_each` (each may differ in text and target)."""

    recipient_id: int
    message: str
    target: Target | None = None
    actor_id: int | None = None
    data: dict | None = None


ALL_CHANNELS = frozenset(Channel)
CHUNK = 5000  # rows per statement when a fan-out is large (and under SQLite's bound-parameter limit)


def notify_account(user: User, message: str, *, event: str, **data) -> None:
    """Security notices about the account itself: stored in-app and emailed (unless switched off)."""
    notify([user.id], NotificationType.SYSTEM, message, data={"event": event, **data})


def notify(
    recipient_ids: list[int],
    type: NotificationType,
    message: str,
    *,
    actor_id: int | None = None,
    target: Target | None = None,
    data: dict | None = None,
    channels: frozenset[Channel] = ALL_CHANNELS,
) -> list[dict]:
    """The same notification for each recipient; see `notify_each`."""
    return notify_each(type, [Draft(r, message, target, actor_id, data) for r in recipient_ids], channels=channels)


def notify_each(
    type: NotificationType, drafts: list[Draft], *, channels: frozenset[Channel] = ALL_CHANNELS
) -> list[dict]:
    """Store the notifications in the caller's transaction, in bulk; after its commit, push each one to its
    recipient's room and email those who want this type by email (outside their quiet hours).

    Returns the stored notifications as dicts (the payloads that will be pushed)."""
    recipients = _recipients_with_choices([d.recipient_id for d in drafts])
    now = datetime.now(UTC)
    rows = [
        _row(draft, type, now)
        for draft in drafts
        if draft.recipient_id in recipients
        and Channel.IN_APP in channels
        and recipients[draft.recipient_id].wants(type, Channel.IN_APP)
    ]
    payloads = [_payload(row) for row in _insert_rows(rows)]
    emit(Live.NOTIFICATIONS, [payload["id"] for payload in payloads])
    for draft in drafts:
        recipient = recipients.get(draft.recipient_id)
        if recipient is None or recipient.quiet(now):
            continue
        by_email = Channel.EMAIL in channels and recipient.wants(type, Channel.EMAIL)
        by_telegram = Channel.TELEGRAM in channels and recipient.wants(type, Channel.TELEGRAM)
        _send_outside_the_app(
            draft.message,
            email=recipient.user.email if by_email else None,
            chat_id=recipient.user.telegram_chat_id if by_telegram else None,
        )
    return payloads


_UNNEST_INSERT = text(
    """
    INSERT INTO notifications (recipient_id, type, actor_id, target_type, target_id, message, data, is_read, created_at)
    SELECT r, t, a, tt, ti, m, CAST(d AS json), false, c
    FROM unnest(CAST(:r AS integer[]), CAST(:t AS text[]), CAST(:a AS integer[]), CAST(:tt AS text[]),
                CAST(:ti AS bigint[]), CAST(:m AS text[]), CAST(:d AS text[]), CAST(:c AS timestamptz[]))
         AS u(r, t, a, tt, ti, m, d, c)
    RETURNING *
    """
)


def _insert_rows(rows: list[dict]) -> list:
    """Insert in bulk, returning the stored rows. PostgreSQL takes the whole batch as arrays in one statement
    (executemany with RETURNING costs the driver far more than the server); elsewhere, chunked executemany."""
    if not rows:
        return []
    if is_postgresql():
        columns = {
            "r": "recipient_id",
            "t": "type",
            "a": "actor_id",
            "tt": "target_type",
            "ti": "target_id",
            "m": "message",
            "c": "created_at",
        }
        params = {key: [row[name] for row in rows] for key, name in columns.items()}
        params["d"] = [json.dumps(row["data"]) for row in rows]
        return [row._mapping for row in db.session.execute(_UNNEST_INSERT, params)]
    table = Notification.__table__
    stored = []
    for start in range(0, len(rows), CHUNK):
        result = db.session.execute(insert(table).returning(*table.c), rows[start : start + CHUNK])
        stored.extend(row._mapping for row in result)
    return stored


def notify_from(type: NotificationType, source: Select) -> int:
    """`notify_each` for a fan-out given as SQL: `source` selects `recipient_id`, `message`, `target_type` and
    `target_id`, at most one row per recipient and target. Who wants which channel is decided in SQL, so the
    rows never pass through Python before they are stored. On PostgreSQL this is one statement, so the source
    may read a data-modifying CTE (`UPDATE … RETURNING`): the change and its notifications are written
    together. SQLite (no data-modifying CTE) stores, counts and reads the other channels in three statements.

    Returns how many rows the source gave (inactive recipients' rows included: they are told nothing)."""
    now = datetime.now(UTC)
    type = str(type)
    chosen = _chosen(type, source.subquery("source")).cte("chosen")
    stored = (
        insert(Notification)
        .from_select(
            ["recipient_id", "type", "target_type", "target_id", "message", "data", "is_read", "created_at"],
            select(
                chosen.c.recipient_id,
                literal(type),
                chosen.c.target_type,
                chosen.c.target_id,
                func.substr(chosen.c.message, 1, 500),
                literal({}, type_=Notification.__table__.c.data.type),
                false(),
                literal(now, type_=Notification.__table__.c.created_at.type),
            ).where(chosen.c.in_app),
        )
        .returning(
            Notification.id,
            Notification.recipient_id,
            Notification.target_type,
            Notification.target_id,
            Notification.message,
        )
    )
    if is_postgresql():
        counted, notices, outside = _read_back_pg(chosen, stored.cte("stored"))
    else:
        notices = db.session.execute(stored).all()
        counted = db.session.scalar(select(func.count()).select_from(chosen))
        wanted = db.session.execute(select(*_outside_columns(chosen)).where(_wanted(chosen)))
        outside = [_outside(*row) for row in wanted]
    created_at = now.isoformat()
    payloads = [
        {
            "id": id,
            "recipient_id": recipient_id,
            "type": type,
            "actor_id": None,
            "target_type": target_type,
            "target_id": target_id,
            "message": message[:500],
            "data": {},
            "is_read": False,
            "created_at": created_at,
        }
        for id, recipient_id, target_type, target_id, message in notices
    ]
    emit(Live.NOTIFICATIONS, [payload["id"] for payload in payloads])
    for message, email, chat_id, timezone, quiet_start, quiet_end in outside:
        if not _quiet(timezone, quiet_start, quiet_end, now):
            _send_outside_the_app(message, email=email, chat_id=chat_id)
    return counted


def _read_back_pg(chosen, stored) -> tuple[int, list, list]:
    """In the statement that stores them: how many rows the source gave, the stored notifications (for the live
    push), and the rows wanted by email or Telegram. One row of three columns, the lists as JSON arrays, so
    a fan-out of 100,000 reaches Python as two strings to parse instead of 100,000 rows joined back to their
    choices (1.8 s of row handling and a sort that spilled to disk, at 100,000 expired goals)."""
    notices = func.json_agg(
        aggregate_order_by(
            func.json_build_array(
                stored.c.id, stored.c.recipient_id, stored.c.target_type, stored.c.target_id, stored.c.message
            ),
            stored.c.id,
        )
    )
    outside = func.json_agg(func.json_build_array(*_outside_columns(chosen)))
    counted, stored_rows, outside_rows = db.session.execute(
        select(
            select(func.count()).select_from(chosen).scalar_subquery(),
            select(notices).select_from(stored).scalar_subquery(),
            select(outside).where(_wanted(chosen)).scalar_subquery(),
        )
    ).one()
    return counted, stored_rows or [], [_outside(*row) for row in outside_rows or []]


def _wanted(chosen):
    """SQL: the chosen row is wanted by email or by Telegram."""
    return chosen.c.by_email | chosen.c.by_telegram


def _outside_columns(chosen) -> list:
    """What `_outside` takes of a chosen row."""
    c = chosen.c
    return [c.message, c.email, c.telegram_chat_id, c.timezone, c.quiet_start, c.quiet_end, c.by_email, c.by_telegram]


def _outside(message, email, chat_id, timezone, quiet_start, quiet_end, by_email, by_telegram) -> tuple:
    """(message, email, Telegram chat, timezone, quiet start, quiet end) of a chosen row: the address of each
    channel the recipient wants, else None (quiet hours come as times, or as ISO strings from JSON)."""
    start, end = (time.fromisoformat(t) if isinstance(t, str) else t for t in (quiet_start, quiet_end))
    return message, email if by_email else None, chat_id if by_telegram else None, timezone, start, end


def _send_outside_the_app(message: str, *, email: str | None, chat_id: str | None) -> None:
    """Email and Telegram, after the commit, to whichever of the two is given."""
    if email:
        mail.send_after_commit(mail.Email(email, f"Stride: {message[:60]}", message + "\n"))
    if chat_id:
        telegram.send_after_commit(chat_id, message)


def _chosen(type: NotificationType, source) -> Select:
    """The source's rows, with whether each recipient wants this type in-app, by email and by Telegram (their
    choice, else the default; never, if they are not active) and what the quiet hours need."""
    prefs = NotificationPreferences

    def wants(channel: Channel):
        choice = prefs.channels[(str(type), str(channel))].as_boolean()
        return User.id.is_not(None) & func.coalesce(choice, DEFAULT_CHANNELS[str(type)][str(channel)])

    return (
        select(
            source.c.recipient_id,
            source.c.message,
            source.c.target_type,
            source.c.target_id,
            wants(Channel.IN_APP).label("in_app"),
            wants(Channel.EMAIL).label("by_email"),
            wants(Channel.TELEGRAM).label("by_telegram"),
            User.email,
            User.telegram_chat_id,
            User.timezone,
            prefs.quiet_hours_start.label("quiet_start"),
            prefs.quiet_hours_end.label("quiet_end"),
        )
        .outerjoin(User, and_(User.id == source.c.recipient_id, User.is_active))
        .outerjoin(prefs, prefs.user_id == source.c.recipient_id)
    )


def _row(draft: Draft, type: NotificationType, now: datetime) -> dict:
    return {
        "recipient_id": draft.recipient_id,
        "type": str(type),
        "actor_id": draft.actor_id,
        "target_type": draft.target.type if draft.target else None,
        "target_id": draft.target.id if draft.target else None,
        "message": draft.message[:500],
        "data": draft.data or {},
        "is_read": False,
        "created_at": now,
    }


def push_stored(ids: list[int]) -> None:
    """The live push of stored notifications (`Live.NOTIFICATIONS`, after their commit): each to its recipient's
    room, then each recipient's unread count. One deleted since is not pushed."""
    table = Notification.__table__
    payloads = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        payloads += map(_payload, db.session.execute(select(table).where(table.c.id.in_(chunk))).mappings())
    payloads.sort(key=lambda payload: payload["id"])
    _push(payloads)


def push_unread_count(user_id: int) -> None:
    """`Live.UNREAD_COUNT`: a person's unread count, as it is when the emit is made."""
    realtime.emit_to_user(user_id, "unread_count", {"count": unread_counts([user_id]).get(user_id, 0)})


def _push(payloads: list[dict]) -> None:
    if not payloads:
        return
    counts = unread_counts([p["recipient_id"] for p in payloads])
    for payload in payloads:
        realtime.emit_to_user(payload["recipient_id"], "notification", payload)
    for recipient in dict.fromkeys(p["recipient_id"] for p in payloads):  # once each, after their notifications
        realtime.emit_to_user(recipient, "unread_count", {"count": counts.get(recipient, 0)})


@dataclass
class _Recipient:
    user: User
    choices: dict
    quiet_start: time | None
    quiet_end: time | None

    def wants(self, type: NotificationType, channel: Channel) -> bool:
        return bool(self.choices.get(str(type), {}).get(str(channel), DEFAULT_CHANNELS[str(type)][str(channel)]))

    def quiet(self, now: datetime) -> bool:
        return _quiet(self.user.timezone, self.quiet_start, self.quiet_end, now)


def _quiet(timezone: str, start: time | None, end: time | None, now: datetime) -> bool:
    """Within a person's quiet hours, in their own time zone (a range may wrap past midnight)."""
    if start is None or end is None:
        return False
    local = local_now(timezone, now).time()
    return start <= local < end if start <= end else local >= start or local < end


def _recipients_with_choices(user_ids: list[int]) -> dict[int, "_Recipient"]:
    """Active recipients with their choices, keyed by id (one query per CHUNK of ids)."""
    ids = sorted(set(user_ids))
    found = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(User, NotificationPreferences)
            .outerjoin(NotificationPreferences, NotificationPreferences.user_id == User.id)
            .where(User.id.in_(ids[start : start + CHUNK]), User.is_active)
        )
        for user, prefs in db.session.execute(query):
            choices = prefs.channels if prefs else {}
            quiet = (prefs.quiet_hours_start, prefs.quiet_hours_end) if prefs else (None, None)
            found[user.id] = _Recipient(user, choices, *quiet)
    return found


def _payload(row) -> dict:
    return {
        "id": row["id"],
        "recipient_id": row["recipient_id"],
        "type": row["type"],
        "actor_id": row["actor_id"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "message": row["message"],
        "data": row["data"],
        "is_read": row["is_read"],
        "created_at": row["created_at"].isoformat(),
    }


# --- announcements ------------------------------------------------------------------------------------------


def announce_to_all(message: str) -> int:
    """A `system` notification for every active person: one INSERT … SELECT and one broadcast emit."""
    now = datetime.now(UTC)
    columns = ("recipient_id", "type", "message", "data", "is_read", "created_at")
    source = select(
        User.id,
        literal(str(NotificationType.SYSTEM)),
        literal(message[:500]),
        literal({}, type_=Notification.__table__.c.data.type),
        literal(False),
        literal(now, type_=Notification.__table__.c.created_at.type),
    ).where(User.is_active)
    table = Notification.__table__
    # RETURNING, because psycopg reports no rowcount for INSERT … SELECT through SQLAlchemy here.
    count = len(db.session.execute(insert(table).from_select(columns, source).returning(table.c.id)).all())
    payload = {
        "type": NotificationType.SYSTEM,
        "message": message[:500],
        "created_at": now.isoformat(),
        "broadcast": True,
    }
    emit(Live.BROADCAST, "notification", payload)
    db.session.commit()
    return count


def announce_to(usernames: list[str], message: str) -> int:
    ids = list(db.session.scalars(select(User.id).where(User.username.in_([u.lower() for u in usernames]))))
    stored = notify(ids, NotificationType.SYSTEM, message, channels=frozenset({Channel.IN_APP}))
    db.session.commit()
    return len(stored)


# --- the inbox ----------------------------------------------------------------------------------------------


def inbox(user: User, *, unread: bool | None, after: int | None) -> Select:
    """The user's notifications (only unread or read ones, if asked), or, to catch up after reconnecting, those
    newer than the id `after`; unordered: the timeline pager orders and pages them by id."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread is not None:
        query = query.where(Notification.is_read.is_(not unread))
    if after is not None:
        query = query.where(Notification.id > after)
    return query


def unread_count(user: User) -> int:
    return unread_counts([user.id]).get(user.id, 0)


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    ids = sorted(set(user_ids))
    counts: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(Notification.recipient_id, func.count())
            .where(Notification.recipient_id.in_(ids[start : start + CHUNK]), Notification.is_read.is_(False))
            .group_by(Notification.recipient_id)
        )
        counts.update(db.session.execute(query).all())
    return counts


def mark_read(user: User, ids: list[int] | None) -> int:
    """Mark the given notifications (or all, when `ids` is None) read; others' ids are ignored."""
    query = update(Notification).where(Notification.recipient_id == user.id, Notification.is_read.is_(False))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    changed = db.session.execute(query.values(is_read=True)).rowcount
    emit(Live.UNREAD_COUNT, user.id)
    db.session.commit()
    return changed


def delete_notification(user: User, notification_id: int) -> None:
    result = db.session.execute(
        delete(Notification).where(Notification.id == notification_id, Notification.recipient_id == user.id)
    )
    if result.rowcount != 1:
        raise NotFound("No such notification.")
    db.session.commit()


# --- preferences --------------------------------------------------------------------------------------------


def get_preferences(user: User) -> dict:
    prefs = db.session.get(NotificationPreferences, user.id)
    channels = default_channels()
    for kind, choices in (prefs.channels if prefs else {}).items():
        channels.setdefault(kind, {}).update(choices)
    quiet = None
    if prefs and prefs.quiet_hours_start is not None:
        quiet = {"start": prefs.quiet_hours_start, "end": prefs.quiet_hours_end}
    return {"channels": channels, "quiet_hours": quiet}


def set_preferences(user: User, data: dict) -> dict:
    """Replace the person's choices; types and channels left out keep their defaults."""
    prefs = db.session.get(NotificationPreferences, user.id) or NotificationPreferences(user_id=user.id)
    prefs.channels = {kind: dict(choices) for kind, choices in data.get("channels", {}).items()}
    quiet = data.get("quiet_hours")
    prefs.quiet_hours_start, prefs.quiet_hours_end = (quiet["start"], quiet["end"]) if quiet else (None, None)
    db.session.add(prefs)
    db.session.commit()
    return get_preferences(user)
