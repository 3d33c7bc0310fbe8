import marshmallow as ma
from marshmallow import fields

from app.blueprints.common import BaseSchema, Id


class TrainingPersonSchema(ma.Schema):
    """A trainer or client as an assignment names them."""

    id = fields.Integer()
    username = fields.String()
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)


class ClientDetailsSchema(TrainingPersonSchema):
    """A client as their trainers (and admins) see them: the name and the details a trainer works with, which
    nobody else is shown."""

    date_of_birth = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True)
    phone_number = fields.String(allow_none=True, metadata={"description": "E.164, e.g. +493012345678."})


class TrainerClientSchema(ma.Schema):
    """A trainer–client assignment as its client sees it: the trainer by name only."""

    id = fields.Integer()
    trainer_id = fields.Integer()
    client_id = fields.Integer()
    trainer = fields.Nested(TrainingPersonSchema)
    client = fields.Nested(TrainingPersonSchema)
    assigned_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime(metadata={"description": "When the current (or last) assignment began."})
    ended_at = fields.AwareDateTime(allow_none=True)
    is_active = fields.Boolean()


class ClientAssignmentSchema(TrainerClientSchema):
    """A trainer–client assignment as the trainer and admins see it: the client with their details."""

    client = fields.Nested(ClientDetailsSchema)


class TrainerClientCreateSchema(BaseSchema):
    trainer_id = Id(required=True, metadata={"description": "A trainer or admin."})
    client_id = Id(required=True)


class TrainerClientArgsSchema(BaseSchema):
    trainer_id = Id()
    client_id = Id()
    active = fields.Boolean()
