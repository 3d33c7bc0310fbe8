import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Keyset, TimelineArgsSchema, not_blank, timeline_schema
from app.blueprints.shared import AuthorSchema, GroupSchema
from app.models import Group, GroupJoinRequest, GroupMember, GroupRole, GroupVisibility, Post

MAX_NAME, MAX_DESCRIPTION = 100, 5000
VISIBILITIES = [str(v) for v in GroupVisibility]
ROLES = [str(r) for r in GroupRole]

# Newest groups first; members and requests oldest first; a group's posts newest first (ids grow with time).
GROUPS = Keyset("groups", Group.id)
MEMBERS = Keyset("group_members", GroupMember.joined_at, GroupMember.user_id)
REQUESTS = Keyset("group_requests", GroupJoinRequest.id)
GROUP_POSTS = Keyset("group_posts", Post.id)


# --- answers --------------------------------------------------------------------------------------------------


GroupPageSchema = timeline_schema(GroupSchema)


class GroupMembershipSchema(ma.Schema):
    status = fields.String(
        metadata={"description": "`member` (joined, or already in) or `requested` (a private group's admins answer)."}
    )


class GroupMemberSchema(ma.Schema):
    user = fields.Nested(AuthorSchema)
    role = fields.String(metadata={"description": "admin or member."})
    joined_at = fields.AwareDateTime()


GroupMemberPageSchema = timeline_schema(GroupMemberSchema)


class GroupJoinRequestSchema(ma.Schema):
    id = fields.Integer()
    user = fields.Nested(AuthorSchema)
    created_at = fields.AwareDateTime()


GroupJoinRequestPageSchema = timeline_schema(GroupJoinRequestSchema)


class JoinAnswerSchema(ma.Schema):
    status = fields.String(metadata={"description": "`member` (accepted) or `declined`."})


# --- requests -------------------------------------------------------------------------------------------------


def _name(**kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=MAX_NAME), not_blank], **kwargs)


class GroupUpdateSchema(BaseSchema):
    """What admins may change; send only what changes."""

    name = _name()
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION))
    visibility = fields.String(
        validate=validate.OneOf(VISIBILITIES),
        metadata={"description": "public or private (a private group's posts are its members' only)."},
    )


class GroupCreateSchema(GroupUpdateSchema):
    name = _name(required=True)
    description = fields.String(load_default="", validate=validate.Length(max=MAX_DESCRIPTION))
    visibility = fields.String(
        load_default=str(GroupVisibility.PUBLIC),
        validate=validate.OneOf(VISIBILITIES),
        metadata={"description": "public (the default) or private."},
    )


class GroupsArgsSchema(TimelineArgsSchema):
    """Groups, newest first; `member=true` for the caller's own."""

    keyset = GROUPS
    member = fields.Boolean(load_default=False, metadata={"description": "Only the groups you are a member of."})


class MembersArgsSchema(TimelineArgsSchema):
    keyset = MEMBERS


class RequestsArgsSchema(TimelineArgsSchema):
    keyset = REQUESTS


class GroupPostsArgsSchema(TimelineArgsSchema):
    keyset = GROUP_POSTS


class GroupRoleSchema(BaseSchema):
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata={"description": "admin (promote) or member (demote; never the last admin)."},
    )
