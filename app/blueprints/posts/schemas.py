import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id, Keyset, TimelineArgsSchema, not_blank, timeline_schema
from app.blueprints.shared import AuthorSchema, PostSchema
from app.models import Comment, Post, Privacy, ReactionKind
from app.services.media import MAX_IMAGES_PER_POST
from app.services.posts import MAX_TEXT

MAX_COMMENT = 2000
VISIBILITIES = validate.OneOf([str(p) for p in Privacy])

# Ids grow with time: the id alone is each timeline's unique sort key (indexed with the author, or the post).
USER_POSTS = Keyset("user_posts", Post.id)
COMMENTS = Keyset("comments", Comment.id)


# --- answers --------------------------------------------------------------------------------------------------


PostPageSchema = timeline_schema(PostSchema)


class CommentSchema(ma.Schema):
    id = fields.Integer()
    post_id = fields.Integer()
    author = fields.Nested(AuthorSchema)
    text = fields.String()
    created_at = fields.AwareDateTime()
    edited_at = fields.AwareDateTime(allow_none=True)
    is_hidden = fields.Boolean(
        metadata={"description": "Hidden by a moderator: shown only to its author and to moderators."}
    )


CommentPageSchema = timeline_schema(CommentSchema)


# --- requests -------------------------------------------------------------------------------------------------


def _text(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=MAX_TEXT), **kwargs)


def _visibility(description: str) -> fields.String:
    return fields.String(validate=VISIBILITIES, metadata={"description": description})


class PostCreateSchema(BaseSchema):
    """Text, media or both."""

    text = _text(load_default="")
    visibility = _visibility("public, friends or private; your profile's privacy when left out.")
    media_ids = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=MAX_IMAGES_PER_POST),
        metadata={"description": "Your unattached uploads, in order: up to 10 images or one video."},
    )
    group_id = Id(
        metadata={
            "description": "Post in this group (you must be a member): its readers see the post, everyone for a "
            "public group, members only for a private one; `visibility` is then public."
        }
    )


class PostUpdateSchema(BaseSchema):
    """The text and the visibility can change; the media cannot (`media_ids` is refused): post again instead."""

    text = _text()
    visibility = _visibility("public, friends or private (a share: no more visible than its original allows).")


class ShareCreateSchema(BaseSchema):
    text = _text(load_default="", metadata={"description": "What you say about the post you share."})
    visibility = _visibility(
        "A share of a public post may be anything; of a friends-only post, friends or private. When left out: "
        "your profile's privacy, or less visible if the original requires it."
    )


class ReactionSchema(BaseSchema):
    kind = fields.String(required=True, validate=validate.OneOf([str(k) for k in ReactionKind]))


class CommentWriteSchema(BaseSchema):
    text = fields.String(required=True, validate=[validate.Length(min=1, max=MAX_COMMENT), not_blank])


class UserPostsArgsSchema(TimelineArgsSchema):
    """Newest first."""

    keyset = USER_POSTS


class CommentsArgsSchema(TimelineArgsSchema):
    """Oldest first: a thread reads in the order it was written."""

    keyset = COMMENTS
