import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, BoundedDate
from app.models import GoalType, MetricField

GOAL_TYPES = validate.OneOf([str(t) for t in GoalType])
METRICS = validate.OneOf([str(m) for m in MetricField])


class GoalSchema(ma.Schema):
    id = fields.Integer()
    goal_type = fields.String()
    target_value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    metric = fields.String(allow_none=True, metadata={"description": "The body metric that measures progress."})
    description = fields.String(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    is_active = fields.Boolean(metadata={"description": "False once deactivated or once the end date has come."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class GoalFieldsSchema(BaseSchema):
    target_value = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    unit = fields.String(allow_none=True, validate=validate.Length(max=16))
    metric = fields.String(allow_none=True, validate=METRICS)
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    start_date = BoundedDate()
    end_date = BoundedDate(allow_none=True)


class GoalCreateSchema(GoalFieldsSchema):
    goal_type = fields.String(required=True, validate=GOAL_TYPES)
    start_date = BoundedDate(metadata={"description": "Defaults to today in your timezone."})


class GoalUpdateSchema(GoalFieldsSchema):
    """PATCH (partial) and PUT: the goal's fields, including `is_active` to reactivate or deactivate."""

    goal_type = fields.String(required=True, validate=GOAL_TYPES)
    start_date = BoundedDate(required=True)
    is_active = fields.Boolean()


class GoalArgsSchema(BaseSchema):
    active = fields.Boolean()
    goal_type = fields.String(validate=GOAL_TYPES)


class TrendPointSchema(ma.Schema):
    week_start = fields.Date()
    average = fields.Float()


class ProgressSchema(ma.Schema):
    goal_id = fields.Integer()
    is_measurable = fields.Boolean()
    reason = fields.String(metadata={"description": "Why there is no figure, when there is none."})
    metric = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    start = fields.Float(allow_none=True)
    current = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    percent = fields.Float(allow_none=True, metadata={"description": "0–100 toward the target."})
    trend = fields.List(fields.Nested(TrendPointSchema), metadata={"description": "Weekly averages, oldest first."})


class GoalPatchSchema(GoalUpdateSchema):
    """PATCH: any subset of the goal's fields (used with partial=True)."""
