from datetime import date
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, BoundedDate, DateRangeSchema, Id, not_blank
from app.blueprints.shared import ExerciseBriefSchema
from app.models import Intensity, TrainingType

TRAINING_TYPES = validate.OneOf([str(t) for t in TrainingType])
INTENSITIES = validate.OneOf([str(i) for i in Intensity])
MAX_ENTRIES = 100
EARLIEST = date(1970, 1, 1)
MAX_DISTANCE_KM = 10_000
MAX_CALORIES = 100_000
METRE = Decimal("0.001")  # distance_km is NUMERIC(8, 3): kilometres to the metre
DISTANCE_KM_RANGE = validate.Range(min=0, max=MAX_DISTANCE_KM)
DISTANCE_KM_DESCRIPTION = f"Kilometres to the metre (at most 3 decimals), 0 to {MAX_DISTANCE_KM}; null when not given."
CALORIES_DESCRIPTION = f"Kilocalories burned, a whole number from 0 to {MAX_CALORIES}; null when not given."


def validate_distance_km(value: Decimal) -> None:
    """In range, then to the metre: more decimals are a 422, never rounded away."""
    DISTANCE_KM_RANGE(value)  # first: quantizing a huge value would raise instead of refusing it
    if value != value.quantize(METRE):
        raise ma.ValidationError("At most three decimal places (to the metre).")


class WorkoutEntrySchema(ma.Schema):
    exercise_id = fields.Integer()
    exercise = fields.Nested(ExerciseBriefSchema)
    order = fields.Integer()
    sets = fields.Integer()
    reps = fields.Integer()
    rest_sec = fields.Integer()
    extra_weight_kg = fields.Float()
    volume_kg = fields.Float(metadata={"description": "sets × reps × extra_weight_kg"})


class WorkoutSchema(ma.Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    training_type = fields.String(allow_none=True, metadata={"description": "null when not given."})
    title = fields.String()
    intensity = fields.String()
    duration_min = fields.Integer()
    date = fields.Date()
    description = fields.String(allow_none=True)
    # A Float answers a JSON number (5.25); a Decimal would be answered as the string "5.250".
    distance_km = fields.Float(allow_none=True, metadata={"description": DISTANCE_KM_DESCRIPTION})
    calories = fields.Integer(allow_none=True, metadata={"description": CALORIES_DESCRIPTION})
    exercises = fields.List(fields.Nested(WorkoutEntrySchema), metadata={"description": "In `order`."})
    volume_kg = fields.Float(metadata={"description": "The entries' volumes added up."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class WorkoutEntryWriteSchema(BaseSchema):
    exercise_id = Id(required=True)
    order = fields.Integer(
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "Unique within the workout; defaults to the entry's place in the list (1, 2, …)."},
    )
    sets = fields.Integer(load_default=3, validate=validate.Range(min=1, max=100))
    reps = fields.Integer(load_default=10, validate=validate.Range(min=1, max=1000))
    rest_sec = fields.Integer(load_default=60, validate=validate.Range(min=0, max=3600))
    extra_weight_kg = fields.Float(
        load_default=0.0,
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "Kept to the gram."},
    )


class WorkoutCreateSchema(BaseSchema):
    training_type = fields.String(
        allow_none=True, load_default=None, validate=TRAINING_TYPES, metadata={"description": "Optional."}
    )
    title = fields.String(required=True, validate=[validate.Length(min=1, max=100), not_blank])
    intensity = fields.String(load_default=str(Intensity.MEDIUM), validate=INTENSITIES)
    duration_min = fields.Integer(load_default=45, validate=validate.Range(min=1, max=1440))
    date = BoundedDate(
        validate=validate.Range(min=EARLIEST),
        metadata={"description": "Defaults to today in your timezone; never in the future."},
    )
    description = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5000))
    # A Decimal, read exactly and checked against the column's 3 places (NaN and Infinity are refused).
    distance_km = fields.Decimal(
        allow_none=True,
        load_default=None,
        validate=validate_distance_km,
        metadata={"description": DISTANCE_KM_DESCRIPTION, "minimum": 0, "maximum": MAX_DISTANCE_KM, "example": 5.25},
    )
    calories = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0, max=MAX_CALORIES),
        metadata={"description": CALORIES_DESCRIPTION},
    )
    exercises = fields.List(
        fields.Nested(WorkoutEntryWriteSchema), load_default=list, validate=validate.Length(max=MAX_ENTRIES)
    )

    @ma.post_load
    def _number_the_entries(self, data, **kwargs):
        """Entries without an `order` take their place in the list; the orders must then be unique."""
        if "exercises" in data:
            for place, entry in enumerate(data["exercises"], start=1):
                entry.setdefault("order", place)
            orders = [entry["order"] for entry in data["exercises"]]
            if len(set(orders)) != len(orders):
                raise ma.ValidationError("Each entry's order must be unique within the workout.", "exercises")
        return data


class WorkoutReplaceSchema(WorkoutCreateSchema):
    """PUT: the whole document; optional fields left out go back to their defaults."""

    date = BoundedDate(required=True, validate=validate.Range(min=EARLIEST))
    exercises = fields.List(
        fields.Nested(WorkoutEntryWriteSchema), required=True, validate=validate.Length(max=MAX_ENTRIES)
    )


class WorkoutPatchSchema(WorkoutReplaceSchema):
    """PATCH: any subset of the fields; `exercises`, if given, replaces the list with whole entries."""

    def __init__(self, **kwargs):
        # Only the top-level fields are optional: marshmallow would carry partial=True into every entry too.
        super().__init__(partial=tuple(self._declared_fields), **kwargs)


class WorkoutArgsSchema(DateRangeSchema):
    user_id = Id(metadata={"description": "A client of yours (trainers); yourself by default."})
    date_from = BoundedDate(metadata={"description": "On or after this date."})
    date_to = BoundedDate(metadata={"description": "On or before this date."})
    training_type = fields.String(validate=TRAINING_TYPES)
