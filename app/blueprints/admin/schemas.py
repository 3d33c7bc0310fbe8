import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id
from app.blueprints.shared import UserSchema
from app.models import AuditType, Role


class AdminUserSchema(UserSchema):
    is_active = fields.Boolean()
    deactivated_at = fields.AwareDateTime(allow_none=True)


class AdminUserUpdateSchema(BaseSchema):
    role = fields.String(validate=validate.OneOf([str(r) for r in Role]))
    is_active = fields.Boolean()


class AdminUserArgsSchema(BaseSchema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Part of a username or email."})
    role = fields.String(validate=validate.OneOf([str(r) for r in Role]))
    include_inactive = fields.Boolean(load_default=False)


class AuditEventSchema(ma.Schema):
    id = fields.Integer()
    type = fields.String()
    user_id = fields.Integer(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    details = fields.Dict()
    created_at = fields.AwareDateTime()


class AuditArgsSchema(BaseSchema):
    user_id = Id()
    type = fields.String(validate=validate.OneOf([str(t) for t in AuditType]))
