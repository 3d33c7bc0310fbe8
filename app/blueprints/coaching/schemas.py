import marshmallow as ma
from marshmallow import fields

from app.blueprints.common import BaseSchema, Id


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


class TrainerClientCreateSchema(BaseSchema):
    trainer_id = Id(required=True, metadata={"description": "A trainer or admin."})
    client_id = Id(required=True)


class TrainerClientArgsSchema(BaseSchema):
    trainer_id = Id()
    client_id = Id()
    active = fields.Boolean()
