from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.friends import blp
from app.blueprints.friends.schemas import (
    BlockSchema,
    FriendRequestArgsSchema,
    FriendRequestSchema,
    FriendsArgsSchema,
    FriendSchema,
    UserIdSchema,
)
from app.idempotency import idempotent
from app.security import login_required, per_user_limit
from app.services import friends

NO_SUCH_USER = "No such user (or one blocked either way: the two do not exist for each other)."


@blp.route("/friend-requests/")
class FriendRequestsView(MethodView):
    decorators = [login_required]

    @blp.arguments(FriendRequestArgsSchema, location="query")
    @blp.response(200, FriendRequestSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the caller's pending friend requests, received or sent, newest first."""
        return friends.list_friend_requests(current_user, args["direction"])

    @per_user_limit("RATELIMIT_FRIEND_REQUESTS")
    @blp.arguments(UserIdSchema)
    @blp.response(201, FriendRequestSchema)
    @blp.alt_response(404, description=NO_SUCH_USER)
    @blp.alt_response(409, description="Already friends, or already asked.")
    @idempotent
    def post(self, data):
        """Send a friend request; to someone who already asked the caller, accept theirs (`status: accepted`)."""
        return friends.send_friend_request(current_user, data["user_id"])


@blp.route("/friend-requests/<int:request_id>/")
class FriendRequestByIdView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(403, description="The recipient declines; only the sender cancels.")
    @blp.alt_response(404, description="No such request between the caller and someone else.")
    def delete(self, request_id):
        """Cancel a friend request the caller sent."""
        friends.cancel_friend_request(current_user, request_id)


@blp.route("/friend-requests/<int:request_id>/accept/")
class FriendRequestAcceptView(MethodView):
    decorators = [login_required]

    @blp.response(200, FriendRequestSchema)
    @blp.alt_response(403, description="Only the recipient answers a request.")
    @blp.alt_response(404, description="No such request between the caller and someone else.")
    def post(self, request_id):
        """Accept a friend request sent to the caller: the two become friends."""
        return friends.accept_friend_request(current_user, request_id)


@blp.route("/friend-requests/<int:request_id>/decline/")
class FriendRequestDeclineView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(403, description="Only the recipient answers a request.")
    @blp.alt_response(404, description="No such request between the caller and someone else.")
    def post(self, request_id):
        """Decline a friend request sent to the caller (the sender is not told)."""
        friends.decline_friend_request(current_user, request_id)


@blp.route("/friends/")
class FriendsView(MethodView):
    decorators = [login_required]

    @blp.arguments(FriendsArgsSchema, location="query")
    @blp.response(200, FriendSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    @blp.alt_response(404, description="No such user, or their profile is hidden from the caller.")
    def get(self, args):
        """List the caller's friends, or (`user_id`) someone's whose profile the caller may see; `q` searches them."""
        return friends.list_friends(current_user, args.get("user_id"), args.get("q"))


@blp.route("/friends/<int:user_id>/")
class FriendByIdView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(404, description="Not a friend of the caller.")
    def delete(self, user_id):
        """Unfriend someone (the friendship ends both ways)."""
        friends.unfriend(current_user, user_id)


@blp.route("/blocks/")
class BlocksView(MethodView):
    decorators = [login_required]

    @blp.response(200, BlockSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self):
        """List the people the caller blocked, newest first."""
        return friends.list_blocks(current_user)

    @per_user_limit("RATELIMIT_BLOCKS")
    @blp.arguments(UserIdSchema)
    @blp.response(201, BlockSchema)
    @blp.alt_response(200, schema=BlockSchema, description="Already blocked: nothing changed.")
    @blp.alt_response(404, description="No such active user.")
    @idempotent
    def post(self, data):
        """Block someone: any friendship or pending request between the two ends; both are hidden from each other."""
        block, is_new = friends.block(current_user, data["user_id"])
        return block, 201 if is_new else 200


@blp.route("/blocks/<int:user_id>/")
class BlockByIdView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(404, description="The caller has not blocked them.")
    def delete(self, user_id):
        """Unblock someone the caller blocked."""
        friends.unblock(current_user, user_id)
