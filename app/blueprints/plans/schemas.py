import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id, not_blank
from app.models import PlanStatus
from app.services.plans import MAX_WORKOUTS

STATUSES = validate.OneOf([str(s) for s in PlanStatus])


def _distinct(ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        raise ma.ValidationError("A workout appears in a plan at most once.")


def workout_id_list(**kwargs) -> fields.List:
    return fields.List(
        Id(),
        validate=[validate.Length(max=MAX_WORKOUTS), _distinct],
        metadata={"description": "Workouts of the plan's owner, in order."},
        **kwargs,
    )


class TrainingPlanSchema(ma.Schema):
    id = fields.Integer()
    user_id = fields.Integer(metadata={"description": "The owner: who trains by the plan."})
    created_by_id = fields.Integer(allow_none=True, metadata={"description": "The owner, or their trainer."})
    title = fields.String()
    description = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "prepared → active → completed (then read-only)."})
    workout_ids = fields.List(fields.Integer())
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class TrainingPlanCreateSchema(BaseSchema):
    user_id = Id(metadata={"description": "Trainers: the client the plan is for. Yourself by default."})
    title = fields.String(required=True, validate=[validate.Length(min=1, max=100), not_blank])
    description = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5000))
    status = fields.String(load_default=str(PlanStatus.ACTIVE), validate=STATUSES)
    workout_ids = workout_id_list(load_default=list)


class TrainingPlanPatchSchema(BaseSchema):
    """PATCH: any subset; `status` only moves forward; `workout_ids` replaces the list (add, remove, reorder)."""

    title = fields.String(validate=[validate.Length(min=1, max=100), not_blank])
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    status = fields.String(validate=STATUSES)
    workout_ids = workout_id_list()


class PlanWorkoutsSchema(BaseSchema):
    workout_ids = workout_id_list(required=True)


class PlanWorkoutAddSchema(BaseSchema):
    workout_id = Id(required=True)
    position = fields.Integer(
        validate=validate.Range(min=1, max=MAX_WORKOUTS), metadata={"description": "1-based; the end by default."}
    )


class TrainingPlanArgsSchema(BaseSchema):
    user_id = Id(metadata={"description": "A client of yours (trainers); yourself by default."})
    status = fields.String(validate=STATUSES)
