import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, Id
from app.blueprints.shared import UserCardSchema
from app.services.friends import Direction, RequestStatus


class UserIdSchema(BaseSchema):
    """`{user_id}`: the person a friend request or a block is about."""

    user_id = Id(required=True)


class FriendRequestArgsSchema(BaseSchema):
    direction = fields.String(
        load_default=str(Direction.INCOMING),
        validate=validate.OneOf([str(d) for d in Direction]),
        metadata={"description": "`incoming` (sent to the caller, the default) or `outgoing` (sent by the caller)."},
    )


class FriendsArgsSchema(BaseSchema):
    user_id = Id(metadata={"description": "Whose friends (the caller's when absent); their profile must be visible."})
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "Words each found in a friend's username, first or last name (any case)."},
    )


class FriendRequestSchema(ma.Schema):
    """A friend request, with the other person's card (the recipient's to its sender, the sender's to its
    recipient)."""

    id = fields.Integer()
    sender_id = fields.Integer()
    recipient_id = fields.Integer()
    status = fields.String(
        validate=validate.OneOf([str(s) for s in RequestStatus]),
        metadata={"description": "`pending`, or `accepted` when it made the two friends (it is then gone)."},
    )
    user = fields.Nested(UserCardSchema)
    created_at = fields.AwareDateTime()


class FriendSchema(ma.Schema):
    """A friend: their card, and since when."""

    user = fields.Nested(UserCardSchema)
    created_at = fields.AwareDateTime(metadata={"description": "When the two became friends."})


class BlockSchema(ma.Schema):
    """Someone the caller blocked: their card, and since when."""

    user = fields.Nested(UserCardSchema)
    created_at = fields.AwareDateTime(metadata={"description": "When the caller blocked them."})
