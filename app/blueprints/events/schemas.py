import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import (
    BaseSchema,
    BoundedAwareDateTime,
    Id,
    Keyset,
    TimelineArgsSchema,
    not_blank,
    timeline_schema,
)
from app.blueprints.shared import AuthorSchema
from app.models import Event, RsvpStatus
from app.models.base import utcnow
from app.services.events import MAX_DURATION

MAX_TITLE, MAX_DESCRIPTION, MAX_PLACE, MAX_URL, MAX_CAPACITY = 200, 5000, 200, 2000, 100_000
ANSWERS = [str(RsvpStatus.GOING), str(RsvpStatus.MAYBE), str(RsvpStatus.DECLINED)]

# Soonest first: the start, then the id, is the list's unique sort key (indexed together).
EVENTS = Keyset("events", Event.starts_at, Event.id)


# --- answers --------------------------------------------------------------------------------------------------


class EventSchema(ma.Schema):
    """An event as the caller sees it."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    place = fields.String(allow_none=True)
    online_url = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True, metadata={"description": "Seats; null is unlimited."})
    group_id = fields.Integer(
        allow_none=True, metadata={"description": "The group the event belongs to; null for a standalone event."}
    )
    going_count = fields.Integer()
    my_rsvp = fields.String(
        allow_none=True,
        metadata={"description": "The caller's answer: going, maybe, declined or waitlisted; null if none."},
    )
    organizer = fields.Nested(AuthorSchema)
    created_at = fields.AwareDateTime()


EventPageSchema = timeline_schema(EventSchema)


class RsvpAnswerSchema(ma.Schema):
    status = fields.String(
        metadata={"description": "What was stored: going, maybe or declined, or waitlisted when going and full."}
    )


# --- requests -------------------------------------------------------------------------------------------------


def _not_past(value) -> None:
    if value < utcnow():
        raise ma.ValidationError("Must not be in the past.")


def _instant(description: str, **kwargs) -> BoundedAwareDateTime:
    return BoundedAwareDateTime(metadata={"description": description}, **kwargs)


class EventsArgsSchema(TimelineArgsSchema):
    """Events not ended yet, soonest first."""

    keyset = EVENTS

    group_id = Id(
        metadata={"description": "Only this group's events (a private group's: its members only, 403 otherwise)."}
    )


class EventUpdateSchema(BaseSchema):
    """What the organizer may change; send only what changes."""

    title = fields.String(validate=[validate.Length(min=1, max=MAX_TITLE), not_blank])
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION))
    starts_at = _instant("When it starts, with a UTC offset; not in the past.", validate=_not_past)
    ends_at = _instant(f"When it ends: after starts_at, at most {MAX_DURATION.days} days after it.")
    place = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_PLACE))
    online_url = fields.URL(
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=MAX_URL),
        metadata={"description": "An http(s) link to join online."},
    )
    capacity = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_CAPACITY),
        metadata={
            "description": "Seats (null: unlimited). Not below the number going (422); raising it seats the "
            "earliest waitlisted people."
        },
    )


class EventCreateSchema(EventUpdateSchema):
    title = fields.String(required=True, validate=[validate.Length(min=1, max=MAX_TITLE), not_blank])
    description = fields.String(load_default="", validate=validate.Length(max=MAX_DESCRIPTION))
    starts_at = _instant("When it starts, with a UTC offset; not in the past.", required=True, validate=_not_past)
    ends_at = _instant(f"When it ends: after starts_at, at most {MAX_DURATION.days} days after it.", required=True)
    group_id = Id(
        metadata={
            "description": "Organise it in this group (you must be a member): the group's readers see it, everyone "
            "for a public group, members only for a private one, and its members answer it. Not changeable."
        }
    )


class RsvpSchema(BaseSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(ANSWERS),
        metadata={"description": "going, maybe or declined (going when full is stored as waitlisted)."},
    )
