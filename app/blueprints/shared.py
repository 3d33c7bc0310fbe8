"""Schemas of one domain that other domains' answers embed or extend: a blueprint never imports another
blueprint, so what two of them share lives here (generic fields and validators are in common.py)."""

import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, PhoneNumber, validate_birth_date, validate_timezone
from app.models import Gender, MuscleGroup, Privacy

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.]{3,30}$", error="3 to 30 letters, digits, '_' or '.'.")
MUSCLE_GROUPS = validate.OneOf([str(m) for m in MuscleGroup])


class UserSchema(ma.Schema):
    """One's own account, as its owner sees it."""

    id = fields.Integer(dump_only=True)
    username = fields.String()
    email = fields.Email()
    role = fields.String()
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    gender = fields.String(allow_none=True)
    phone_number = fields.String(allow_none=True, metadata={"description": "E.164, e.g. +493012345678."})
    height_cm = fields.Float(allow_none=True)
    weight_kg = fields.Float(allow_none=True)
    bio = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    avatar = fields.String(allow_none=True)
    background = fields.String(allow_none=True, metadata={"description": "The background image's URL."})
    job = fields.String(allow_none=True)
    privacy = fields.String()
    timezone = fields.String()
    telegram_linked = fields.Function(lambda user: user.telegram_chat_id is not None)
    created_at = fields.AwareDateTime()
    last_login = fields.AwareDateTime(allow_none=True)
    email_verified_at = fields.AwareDateTime(allow_none=True)


class BadgeSchema(ma.Schema):
    """A badge earned in a challenge."""

    kind = fields.String(
        metadata={
            "description": "first_challenge (took part in a challenge to its end: once per person), podium (finished "
            "first, second or third with a value above zero) or streak (finished a challenge with a run of 4 or more "
            "weeks with workouts behind them)."
        }
    )
    challenge_id = fields.Integer(
        allow_none=True, metadata={"description": "The challenge that earned it; null once that challenge is deleted."}
    )
    awarded_at = fields.AwareDateTime()


def badges_field() -> fields.List:
    """A profile's badges (`services.users.badges_of`)."""
    description = "Badges earned in challenges, newest first (at most the 100 newest)."
    return fields.List(fields.Nested(BadgeSchema), metadata={"description": description})


class ProfileSchema(UserSchema):
    """One's own profile (`GET /profile/` and its changes): the account, one's interests (sorted), how many
    friends one has and one's badges. Built by `services.users.own_profile`."""

    tags = fields.List(fields.String())
    friends_count = fields.Integer()
    badges = badges_field()


class ProfileFieldsSchema(BaseSchema):
    """The profile fields a person may set on themselves (never role, timestamps or the password)."""

    first_name = fields.String(allow_none=True, validate=validate.Length(max=50))
    last_name = fields.String(allow_none=True, validate=validate.Length(max=50))
    date_of_birth = fields.Date(allow_none=True, validate=validate_birth_date)
    gender = fields.String(allow_none=True, validate=validate.OneOf([str(g) for g in Gender]))
    phone_number = PhoneNumber(allow_none=True)
    height_cm = fields.Float(allow_none=True, validate=validate.Range(min=50, max=272))
    weight_kg = fields.Float(allow_none=True, validate=validate.Range(min=20, max=500))
    bio = fields.String(allow_none=True, validate=validate.Length(max=500))
    location = fields.String(allow_none=True, validate=validate.Length(max=100))
    job = fields.String(allow_none=True, validate=validate.Length(max=100))
    privacy = fields.String(validate=validate.OneOf([str(p) for p in Privacy]))
    timezone = fields.String(validate=validate_timezone)


class UserCardSchema(ma.Schema):
    """Another person as lists of people show them (friends, requests, blocks): enough to recognise them."""

    id = fields.Integer()
    username = fields.String()
    avatar = fields.String(allow_none=True)
    privacy = fields.String()


class ExerciseBriefSchema(ma.Schema):
    """An exercise as other documents embed it."""

    id = fields.Integer()
    title = fields.String()
    muscle_group = fields.String()
    equipment_required = fields.Boolean()
    complexity = fields.String()


class AuthorSchema(ma.Schema):
    """A person as content names them (a post's or comment's author, a report's reporter)."""

    id = fields.Integer()
    username = fields.String()
    avatar = fields.String(allow_none=True)


class GroupCardSchema(ma.Schema):
    """A group as other things name it (a group's conversation)."""

    id = fields.Integer()
    name = fields.String()
    visibility = fields.String()


class GroupSchema(ma.Schema):
    """A group as the caller sees it."""

    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    visibility = fields.String(
        metadata={"description": "public (anyone joins and reads) or private (members read; joining is a request)."}
    )
    members_count = fields.Integer()
    is_member = fields.Boolean()
    is_admin = fields.Boolean()
    has_requested = fields.Boolean(metadata={"description": "The caller's request to join waits for an answer."})
    created_at = fields.AwareDateTime()


# --- posts, as the posts and the feeds answer them ------------------------------------------------------------


class PostMediaSchema(ma.Schema):
    """An image or video of a post: `urls` name each rendition that exists (none while processing)."""

    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    urls = fields.Dict(keys=fields.String(), values=fields.String())


class PostFieldsSchema(ma.Schema):
    id = fields.Integer(allow_none=True)
    author = fields.Nested(AuthorSchema)
    text = fields.String()
    visibility = fields.String(
        metadata={"description": "public, friends or private; a group's post: public (its group decides who sees it)."}
    )
    group_id = fields.Integer(allow_none=True, metadata={"description": "The group it was posted in, or null."})
    media = fields.List(fields.Nested(PostMediaSchema))
    reactions = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "How many of each kind (only the kinds present): `{like: 3, wow: 1}`."},
    )
    my_reaction = fields.String(allow_none=True, metadata={"description": "The caller's reaction, if any."})
    comments_count = fields.Integer(metadata={"description": "The comments the caller finds in the thread."})
    shares_count = fields.Integer()
    is_share = fields.Boolean()
    created_at = fields.AwareDateTime()
    edited_at = fields.AwareDateTime(allow_none=True)
    is_hidden = fields.Boolean(
        metadata={"description": "Hidden by a moderator: shown only to its author and to moderators."}
    )


class SharedPostSchema(PostFieldsSchema):
    """The original of a share as the caller may see it (`is_available: true`, every field of a post but
    `shared_post`), or a tombstone — exactly `{id: null, is_available: false}` — when the original was deleted or
    the caller may not see it (the two are not told apart)."""

    is_available = fields.Boolean()


class PostSchema(PostFieldsSchema):
    """A post as the caller sees it. For a share (`is_share`), `shared_post` is its original as the caller may see
    it, or a tombstone; `shared_post_id` is the original's id, null when it is a tombstone. Both are null on a post
    that is not a share."""

    shared_post_id = fields.Integer(allow_none=True)
    shared_post = fields.Nested(SharedPostSchema, allow_none=True)
