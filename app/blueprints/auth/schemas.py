import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema
from app.blueprints.shared import USERNAME, ProfileFieldsSchema, UserSchema

PASSWORD = validate.Length(min=8, max=128, error="Between 8 and 128 characters.")


class RegisterSchema(ProfileFieldsSchema):
    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class LoginSchema(BaseSchema):
    username = fields.String(
        required=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "The username or the email address."},
    )
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class TokenPairSchema(ma.Schema):
    access_token = fields.String(metadata={"description": "Absent in cookie mode (AUTH_COOKIE_MODE)."})
    refresh_token = fields.String(metadata={"description": "Absent in cookie mode (AUTH_COOKIE_MODE)."})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the access token lives."})
    user = fields.Nested(UserSchema, required=True)


class RefreshSchema(BaseSchema):
    refresh_token = fields.String(metadata={"description": "Or send it as the bearer token (or its cookie)."})


class SessionSchema(ma.Schema):
    id = fields.String()
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime()
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    is_current = fields.Boolean()


class RevokedCountSchema(ma.Schema):
    revoked_sessions = fields.Integer()


class PasswordResetRequestSchema(BaseSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class PasswordResetConfirmSchema(BaseSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class ChangePasswordSchema(BaseSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class TokenConfirmSchema(BaseSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class MessageSchema(ma.Schema):
    message = fields.String()


class JWKSetSchema(ma.Schema):
    keys = fields.List(fields.Dict())
