from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, not_blank
from app.blueprints.shared import MUSCLE_GROUPS, ExerciseBriefSchema
from app.models import Complexity

COMPLEXITIES = validate.OneOf([str(c) for c in Complexity])


class ExerciseSchema(ExerciseBriefSchema):
    description = fields.String(allow_none=True)
    is_archived = fields.Boolean(metadata={"description": "Out of the catalog; kept in the workouts that used it."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ExerciseCreateSchema(BaseSchema):
    title = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), not_blank],
        metadata={"description": "Unique in the catalog, compared case-insensitively."},
    )
    description = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    muscle_group = fields.String(required=True, validate=MUSCLE_GROUPS)
    equipment_required = fields.Boolean(load_default=False)
    complexity = fields.String(load_default=str(Complexity.BEGINNER), validate=COMPLEXITIES)


class ExerciseUpdateSchema(ExerciseCreateSchema):
    """PUT: the whole exercise; optional fields left out go back to their defaults, `is_archived` stays."""

    is_archived = fields.Boolean()


class ExercisePatchSchema(ExerciseUpdateSchema):
    """PATCH: any subset of the exercise's fields (used with partial=True)."""


class ExerciseArgsSchema(BaseSchema):
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Words to find in the title or description."}
    )
    muscle_group = fields.String(validate=MUSCLE_GROUPS)
    equipment_required = fields.Boolean()
    complexity = fields.String(validate=COMPLEXITIES)
    include_archived = fields.Boolean(load_default=False)
