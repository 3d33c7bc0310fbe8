import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, validate_birth_date, validate_timezone
from app.blueprints.shared import USERNAME, ProfileFieldsSchema
from app.models import Gender, Privacy


class ProfileUpdateSchema(ProfileFieldsSchema):
    """PATCH: any subset of the profile fields."""

    username = fields.String(validate=USERNAME)
    email = fields.Email(validate=validate.Length(max=254))


class ProfileReplaceSchema(ProfileFieldsSchema):
    """PUT: the whole profile; optional fields left out go back to their defaults."""

    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    first_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    last_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=validate_birth_date)
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf([str(g) for g in Gender]))
    height_cm = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=50, max=272))
    weight_kg = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=20, max=500))
    bio = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    privacy = fields.String(load_default=str(Privacy.PUBLIC), validate=validate.OneOf([str(p) for p in Privacy]))
    timezone = fields.String(load_default="UTC", validate=validate_timezone)


class PasswordConfirmSchema(BaseSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=128))


class PublicUserSchema(ma.Schema):
    """Another person as the caller may see them; `is_limited` when their privacy hides the rest."""

    id = fields.Integer()
    username = fields.String()
    avatar = fields.String(allow_none=True)
    privacy = fields.String()
    is_limited = fields.Boolean()
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    role = fields.String()
    created_at = fields.AwareDateTime()


class UserSearchArgsSchema(BaseSchema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Part of a username or name."})
