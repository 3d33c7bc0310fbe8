import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import MAX_BIG_ID, BaseSchema, BigId, Keyset, TimelineArgsSchema, timeline_schema
from app.models import Channel, Notification, NotificationType

# Ids grow with time, so the id alone is the inbox's unique sort key (indexed with the recipient).
INBOX = Keyset("notifications", Notification.id)


class NotificationSchema(ma.Schema):
    id = fields.Integer()
    type = fields.String()
    actor_id = fields.Integer(allow_none=True)
    target_type = fields.String(allow_none=True)
    target_id = fields.Integer(allow_none=True)
    message = fields.String()
    data = fields.Dict()
    is_read = fields.Boolean()
    created_at = fields.AwareDateTime()


NotificationPageSchema = timeline_schema(NotificationSchema)


class InboxArgsSchema(TimelineArgsSchema):
    """Newest first, or, with `after`, oldest first from a notification the client has; `cursor` then carries on
    in the same direction."""

    keyset = INBOX

    after = fields.Integer(
        validate=validate.Range(min=0, max=MAX_BIG_ID),
        metadata={
            "description": "The `id` of the newest notification the client has (live pushes carry it; 0 for all): "
            "those newer, oldest first, to catch up after reconnecting. `next_cursor` continues them; null means "
            "caught up."
        },
    )
    unread = fields.Boolean(metadata={"description": "Only unread (true) or only read (false)."})

    @ma.validates_schema
    def _one_direction(self, data, **kwargs):
        if "cursor" in data and "after" in data:
            raise ma.ValidationError("Use either cursor or after, not both.", "after")


class UnreadCountSchema(ma.Schema):
    count = fields.Integer()


class MarkReadSchema(BaseSchema):
    ids = fields.List(BigId(), validate=validate.Length(min=1, max=500))
    all = fields.Boolean()

    @ma.validates_schema
    def _ids_or_all(self, data, **kwargs):
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ma.ValidationError("Give either ids or all: true.", "ids")


class MarkReadResultSchema(ma.Schema):
    updated = fields.Integer()
    unread_count = fields.Integer()


class ChannelChoicesSchema(BaseSchema):
    in_app = fields.Boolean()
    email = fields.Boolean()
    telegram = fields.Boolean()


class QuietHoursSchema(BaseSchema):
    start = fields.Time(required=True, format="%H:%M")
    end = fields.Time(required=True, format="%H:%M")

    @ma.validates_schema
    def _not_empty(self, data, **kwargs):
        if data.get("start") == data.get("end"):
            raise ma.ValidationError("start and end must differ.", "end")


class PreferencesSchema(BaseSchema):
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf([str(t) for t in NotificationType])),
        values=fields.Nested(ChannelChoicesSchema),
        load_default=dict,
        metadata={"description": f"Per type: {{{', '.join(str(c) for c in Channel)}: bool}}; omitted = default."},
    )
    quiet_hours = fields.Nested(
        QuietHoursSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "Email and Telegram stay silent then, in your timezone."},
    )
