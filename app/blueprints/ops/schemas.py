from marshmallow import Schema, fields, validate

from app.openapi import ErrorSchema


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(["ready", "degraded"]),
        metadata={"description": "`degraded`: serving, but `warnings` says what is at risk.", "example": "ready"},
    )
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={
            "description": "`database` and `redis`: `ok` or `down`; `redis_persistence`: `aof`, `rdb`, `aof+rdb`, "
            "`off`, `in-process` (the embedded mode's stand-in) or `unknown` (the server does not tell).",
            "example": {"database": "ok", "redis": "ok", "redis_persistence": "aof"},
        },
    )
    warnings = fields.List(fields.String(), metadata={"description": "What puts data at risk, when degraded."})


class NotReadySchema(ErrorSchema):
    """The error shape, plus the state of each dependency."""

    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
