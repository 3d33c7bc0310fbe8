import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, PhoneNumber, validate_birth_date, validate_timezone
from app.blueprints.shared import USERNAME, ProfileFieldsSchema, badges_field
from app.models import Gender, Privacy

MAX_TAGS = 10
MAX_TAG_LENGTH = 30
MAX_TAG_ENTRIES = 100  # entries sent, before duplicates collapse


def normalise_tag(raw: str) -> str:
    """Lower case, trimmed, every run of whitespace one space: "  Trail   Running" → "trail running"."""
    return " ".join(raw.split()).lower()


class Tags(fields.List):
    """Interests: each normalised (`normalise_tag`), duplicates collapsed (first one kept); at most MAX_TAGS of 1
    to MAX_TAG_LENGTH printable characters. An error names the entry by its index in the list sent."""

    def __init__(self, **kwargs):
        description = f"At most {MAX_TAGS} interests of 1-{MAX_TAG_LENGTH} characters, normalised."
        kwargs.setdefault("metadata", {"description": description})
        super().__init__(fields.String(validate=validate.Length(max=4 * MAX_TAG_LENGTH)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        if isinstance(value, list) and len(value) > MAX_TAG_ENTRIES:
            raise ma.ValidationError(f"At most {MAX_TAGS} tags.")
        tags = [normalise_tag(tag) for tag in super()._deserialize(value, attr, data, **kwargs)]
        errors = {
            index: [f"Tags are 1 to {MAX_TAG_LENGTH} printable characters."]
            for index, tag in enumerate(tags)
            if not (1 <= len(tag) <= MAX_TAG_LENGTH and tag.isprintable())
        }
        if errors:
            raise ma.ValidationError(errors)
        tags = list(dict.fromkeys(tags))
        if len(tags) > MAX_TAGS:
            raise ma.ValidationError(f"At most {MAX_TAGS} tags.")
        return tags


class ProfileUpdateSchema(ProfileFieldsSchema):
    """PATCH: any subset of the profile fields."""

    username = fields.String(validate=USERNAME)
    email = fields.Email(validate=validate.Length(max=254))
    tags = Tags()


class ProfileReplaceSchema(ProfileFieldsSchema):
    """PUT: the whole profile; optional fields left out go back to their defaults."""

    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    first_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    last_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    date_of_birth = fields.Date(load_default=None, allow_none=True, validate=validate_birth_date)
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf([str(g) for g in Gender]))
    phone_number = PhoneNumber(load_default=None, allow_none=True)
    height_cm = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=50, max=272))
    weight_kg = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=20, max=500))
    bio = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    job = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    tags = Tags(load_default=list)
    privacy = fields.String(load_default=str(Privacy.PUBLIC), validate=validate.OneOf([str(p) for p in Privacy]))
    timezone = fields.String(load_default="UTC", validate=validate_timezone)


class PasswordConfirmSchema(BaseSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=128))


class PublicUserSchema(ma.Schema):
    """Another person as the caller may see them. When their privacy hides the rest (`is_limited`), only the card:
    id, username, avatar, privacy and `mutual_friends_count`. `badges` come with a whole profile read by id (not
    in the people search)."""

    id = fields.Integer()
    username = fields.String()
    avatar = fields.String(allow_none=True)
    privacy = fields.String()
    is_limited = fields.Boolean()
    mutual_friends_count = fields.Integer(metadata={"description": "Their friends who are also the caller's."})
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    bio = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    job = fields.String(allow_none=True)
    background = fields.String(allow_none=True, metadata={"description": "The background image's URL."})
    tags = fields.List(fields.String())
    friends_count = fields.Integer()
    role = fields.String()
    created_at = fields.AwareDateTime()
    badges = badges_field()


class UserSearchArgsSchema(BaseSchema):
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "Words each found in a username, first or last name (any case)."},
    )
