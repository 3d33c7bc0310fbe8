from marshmallow import Schema, fields

from app.openapi import ErrorSchema


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ready"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class NotReadySchema(ErrorSchema):
    """The error shape, plus the state of each dependency."""

    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
