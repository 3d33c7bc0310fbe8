import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, BoundedDate, Id, validate_local_time


class HabitSchema(ma.Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    place = fields.String(allow_none=True)
    time = fields.Time(format="%H:%M", metadata={"description": "Time of day in the owner's timezone."})
    action = fields.String()
    is_pleasant = fields.Boolean()
    related_habit_id = fields.Integer(allow_none=True)
    periodicity_days = fields.Integer()
    reward = fields.String(allow_none=True)
    duration_sec = fields.Integer(allow_none=True)
    is_public = fields.Boolean()
    start_date = fields.Date()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class HabitWriteSchema(BaseSchema):
    """The rules that need the whole habit or the database (reward xor related habit, pleasant habits,
    the related habit being pleasant and visible) are checked by the service, on create and on update."""

    place = fields.String(allow_none=True, validate=validate.Length(max=100))
    time = fields.Time(required=True, validate=validate_local_time, metadata={"example": "07:30"})
    action = fields.String(required=True, validate=validate.Length(min=1, max=200))
    is_pleasant = fields.Boolean(load_default=False)
    related_habit_id = Id(allow_none=True)
    periodicity_days = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=7, error="Between 1 and 7: a habit is done at least once in 7 days."),
    )
    reward = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    duration_sec = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=120, error="At most 120 seconds.")
    )
    is_public = fields.Boolean(load_default=False)
    start_date = BoundedDate(metadata={"description": "Periods count from here; defaults to today."})


class HabitPatchSchema(HabitWriteSchema):
    """PATCH: any subset of the fields (used with partial=True, so no defaults are applied)."""


class HabitArgsSchema(BaseSchema):
    is_pleasant = fields.Boolean()
    is_public = fields.Boolean()


class CompletionSchema(ma.Schema):
    id = fields.Integer()
    habit_id = fields.Integer()
    done_on = fields.Date(metadata={"description": "The owner's local date."})
    done_at = fields.AwareDateTime()


class StreaksSchema(ma.Schema):
    current_streak = fields.Integer(metadata={"description": "Consecutive periods with a completion, up to now."})
    longest_streak = fields.Integer()
    total_completions = fields.Integer()


class DoneSchema(ma.Schema):
    completion = fields.Nested(CompletionSchema)
    streaks = fields.Nested(StreaksSchema)
