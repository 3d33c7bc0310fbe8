import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import MAX_ID

ID_RANGE = validate.Range(min=1, max=MAX_ID)


class TrainingPersonSchema(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)


class TrainerClientSchema(ma.Schema):
    id = fields.Integer()
    trainer_id = fields.Integer()
    client_id = fields.Integer()
    trainer = fields.Nested(TrainingPersonSchema)
    client = fields.Nested(TrainingPersonSchema)
    assigned_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime(metadata={"description": "When the current (or last) assignment began."})
    ended_at = fields.AwareDateTime(allow_none=True)
    is_active = fields.Boolean()


class TrainerClientCreateSchema(ma.Schema):
    trainer_id = fields.Integer(required=True, validate=ID_RANGE, metadata={"description": "A trainer or admin."})
    client_id = fields.Integer(required=True, validate=ID_RANGE)


class TrainerClientArgsSchema(ma.Schema):
    trainer_id = fields.Integer(validate=ID_RANGE)
    client_id = fields.Integer(validate=ID_RANGE)
    active = fields.Boolean()
