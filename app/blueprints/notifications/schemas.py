import marshmallow as ma
from marshmallow import fields, validate

from app.models import Channel, NotificationType

BIG_ID = validate.Range(min=1, max=2**63 - 1)


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


class NotificationPageSchema(ma.Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Pass as `cursor` (or `after`) for more."})


class InboxArgsSchema(ma.Schema):
    cursor = fields.Integer(validate=BIG_ID, metadata={"description": "Older than this (newest first)."})
    after = fields.Integer(
        validate=validate.Range(min=0, max=2**63 - 1),
        metadata={"description": "Newer than this, oldest first: catch up after reconnecting."},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    unread = fields.Boolean(metadata={"description": "Only unread (true) or only read (false)."})

    @ma.validates_schema
    def _one_direction(self, data, **kwargs):
        if "cursor" in data and "after" in data:
            raise ma.ValidationError("Use either cursor or after, not both.", "after")


class UnreadCountSchema(ma.Schema):
    count = fields.Integer()


class MarkReadSchema(ma.Schema):
    ids = fields.List(fields.Integer(validate=BIG_ID), validate=validate.Length(min=1, max=500))
    all = fields.Boolean()

    @ma.validates_schema
    def _ids_or_all(self, data, **kwargs):
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ma.ValidationError("Give either ids or all: true.", "ids")


class MarkReadResultSchema(ma.Schema):
    updated = fields.Integer()
    unread_count = fields.Integer()


class ChannelChoicesSchema(ma.Schema):
    in_app = fields.Boolean()
    email = fields.Boolean()
    telegram = fields.Boolean()


class QuietHoursSchema(ma.Schema):
    start = fields.Time(required=True, format="%H:%M")
    end = fields.Time(required=True, format="%H:%M")

    @ma.validates_schema
    def _not_empty(self, data, **kwargs):
        if data.get("start") == data.get("end"):
            raise ma.ValidationError("start and end must differ.", "end")


class PreferencesSchema(ma.Schema):
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
