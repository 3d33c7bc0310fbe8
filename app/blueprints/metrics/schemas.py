from datetime import UTC, datetime, timedelta

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, BoundedAwareDateTime, DateRangeSchema

MEASUREMENT_NAME = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Lower-case letters, digits and '_' (max 32).")


class MeasurementSchema(BaseSchema):
    value = fields.Float(required=True, validate=validate.Range(min=0, max=100_000))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=16))


class MetricSchema(ma.Schema):
    id = fields.Integer()
    recorded_at = fields.AwareDateTime()
    weight_kg = fields.Float(allow_none=True)
    body_fat_pct = fields.Float(allow_none=True)
    waist_cm = fields.Float(allow_none=True)
    measurements = fields.Dict(keys=fields.String(), values=fields.Nested(MeasurementSchema))
    note = fields.String(allow_none=True)


def not_in_the_future(value: datetime) -> None:
    if value > datetime.now(UTC) + timedelta(minutes=5):  # a little slack for clock skew
        raise ma.ValidationError("Must not be in the future.")


class MetricCreateSchema(BaseSchema):
    recorded_at = BoundedAwareDateTime(
        default_timezone=UTC, validate=not_in_the_future, metadata={"description": "Defaults to now."}
    )
    weight_kg = fields.Float(allow_none=True, validate=validate.Range(min=20, max=500))
    body_fat_pct = fields.Float(allow_none=True, validate=validate.Range(min=1, max=75))
    waist_cm = fields.Float(allow_none=True, validate=validate.Range(min=30, max=300))
    measurements = fields.Dict(
        keys=fields.String(validate=MEASUREMENT_NAME),
        values=fields.Nested(MeasurementSchema),
        validate=validate.Length(max=30),
        load_default=dict,
        metadata={"example": {"biceps": {"value": 35.5, "unit": "cm"}}},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=200))

    @ma.validates_schema
    def _something_measured(self, data, **kwargs):
        if all(data.get(name) is None for name in ("weight_kg", "body_fat_pct", "waist_cm")) and not data.get(
            "measurements"
        ):
            raise ma.ValidationError("Record at least one value.", "weight_kg")


class MetricArgsSchema(DateRangeSchema):
    range_fields = ("since", "until")

    since = BoundedAwareDateTime(default_timezone=UTC, data_key="from", metadata={"description": "From this instant."})
    until = BoundedAwareDateTime(default_timezone=UTC, data_key="to", metadata={"description": "Up to this instant."})
