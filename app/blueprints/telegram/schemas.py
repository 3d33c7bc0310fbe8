import marshmallow as ma
from marshmallow import fields

from app.blueprints.common import BaseSchema


class LinkCodeSchema(ma.Schema):
    code = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds the code stays valid."})
    bot_url = fields.String(allow_none=True, metadata={"description": "Opens the bot with the code filled in."})
    instructions = fields.String()


class UpdateSchema(BaseSchema):
    """A Telegram Update; only `message.chat.id` and `message.text` matter here."""

    class Meta(BaseSchema.Meta):
        unknown = ma.INCLUDE  # Telegram adds fields to its Update over time

    update_id = fields.Integer()
    message = fields.Dict()


class WebhookResultSchema(ma.Schema):
    ok = fields.Boolean()
    result = fields.String()
