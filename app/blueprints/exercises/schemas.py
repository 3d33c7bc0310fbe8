from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id, not_blank
from app.blueprints.shared import MUSCLE_GROUPS, ExerciseBriefSchema
from app.models import Complexity

COMPLEXITIES = validate.OneOf([str(c) for c in Complexity])


class ExerciseSchema(ExerciseBriefSchema):
    description = fields.String(allow_none=True)
    is_personal = fields.Boolean(
        metadata={"description": "One person's own exercise, seen only by them and their trainers; else shared."}
    )
    owner_id = fields.Integer(allow_none=True, metadata={"description": "A personal exercise's owner; null if shared."})
    is_archived = fields.Boolean(metadata={"description": "Out of the catalog; kept in the workouts that used it."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ExerciseFieldsSchema(BaseSchema):
    title = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), not_blank],
        metadata={
            "description": "Unique in the shared catalog, or among the owner's personal exercises (the two never "
            "clash), compared case-insensitively."
        },
    )
    description = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    muscle_group = fields.String(required=True, validate=MUSCLE_GROUPS)
    equipment_required = fields.Boolean(load_default=False)
    complexity = fields.String(load_default=str(Complexity.BEGINNER), validate=COMPLEXITIES)


class ExerciseCreateSchema(ExerciseFieldsSchema):
    is_personal = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: one of your own exercises (anyone may add them), seen only by you and your "
            "trainers; false: the shared catalog (trainers and admins). Fixed once created."
        },
    )


class ExerciseUpdateSchema(ExerciseFieldsSchema):
    """PUT: the whole exercise; optional fields left out go back to their defaults, `is_archived` stays."""

    is_archived = fields.Boolean()


class ExercisePatchSchema(ExerciseUpdateSchema):
    """PATCH: any subset of the exercise's fields (used with partial=True)."""


class ExerciseArgsSchema(BaseSchema):
    personal = fields.Boolean(
        metadata={"description": "true: only personal exercises; false: only the shared catalog; absent: both."}
    )
    user_id = Id(metadata={"description": "Whose personal exercises: a client of yours (trainers); yours by default."})
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Words to find in the title or description."}
    )
    muscle_group = fields.String(validate=MUSCLE_GROUPS)
    equipment_required = fields.Boolean()
    complexity = fields.String(validate=COMPLEXITIES)
    include_archived = fields.Boolean(load_default=False)
