import marshmallow as ma
from marshmallow import fields


class LinkCodeSchema(ma.Schema):
    code = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds the code stays valid."})
    bot_url = fields.String(allow_none=True, metadata={"description": "Opens the bot with the code filled in."})
    instructions = fields.String()


class UpdateSchema(ma.Schema):
    """A Telegram Update; only `message.chat.id` and `message.text` matter here."""

    class Meta:
        unknown = ma.INCLUDE

    update_id = fields.Integer()
    message = fields.Dict()


class WebhookResultSchema(ma.Schema):
    ok = fields.Boolean()
    result = fields.String()
