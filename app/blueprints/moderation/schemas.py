import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id, not_blank
from app.blueprints.shared import AuthorSchema
from app.models import FlagStatus, FlagTarget

TARGET_TYPES = validate.OneOf([str(t) for t in FlagTarget])
REASON = [validate.Length(min=1, max=500), not_blank]


class FlagCreateSchema(BaseSchema):
    target_type = fields.String(required=True, validate=TARGET_TYPES)
    target_id = Id(required=True, strict=True)
    reason = fields.String(required=True, validate=REASON, metadata={"description": "Why (1 to 500 characters)."})


class FlagArgsSchema(BaseSchema):
    status = fields.String(
        load_default=str(FlagStatus.OPEN),
        validate=validate.OneOf([str(s) for s in FlagStatus]),
        metadata={"description": "Open reports (the default, oldest first) or resolved ones (newest first)."},
    )


class HideSchema(BaseSchema):
    reason = fields.String(
        validate=REASON, metadata={"description": "Told to the author with the notice that their content is hidden."}
    )


class ResolveSchema(BaseSchema):
    hide = fields.Boolean(load_default=False, metadata={"description": "Also hide the reported content."})
    note = fields.String(
        validate=[validate.Length(min=1, max=500), not_blank],
        metadata={"description": "The moderator's note, kept in the audit log (not shown to anyone else)."},
    )


class FlagSchema(ma.Schema):
    """A report as stored."""

    id = fields.Integer()
    reporter_id = fields.Integer()
    target_type = fields.String()
    target_id = fields.Integer()
    reason = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by_id = fields.Integer(allow_none=True)


class FlagTargetSummarySchema(ma.Schema):
    """What a moderator needs to judge a report: whose content, an excerpt, and whether it is already hidden."""

    type = fields.String()
    id = fields.Integer()
    post_id = fields.Integer(allow_none=True, metadata={"description": "A comment's post; null for a post."})
    author = fields.Nested(AuthorSchema)
    excerpt = fields.String(metadata={"description": "The first 200 characters of its text (hidden or not)."})
    is_hidden = fields.Boolean()


class FlagListItemSchema(FlagSchema):
    """A report in the moderators' list, with its reporter and its target (null once the target is deleted)."""

    reporter = fields.Nested(AuthorSchema)
    target = fields.Nested(FlagTargetSummarySchema, allow_none=True)


class ModerationStateSchema(ma.Schema):
    """A post's or comment's moderation state after a moderator's action."""

    target_type = fields.String()
    target_id = fields.Integer()
    author_id = fields.Integer()
    is_hidden = fields.Boolean()
    hidden_at = fields.AwareDateTime(allow_none=True)
