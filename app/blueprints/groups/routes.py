from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import timeline_schema
from app.blueprints.groups import blp
from app.blueprints.groups.schemas import (
    GROUP_POSTS,
    GROUPS,
    MEMBERS,
    REQUESTS,
    GroupCreateSchema,
    GroupJoinRequestPageSchema,
    GroupMemberPageSchema,
    GroupMemberSchema,
    GroupMembershipSchema,
    GroupPageSchema,
    GroupPostsArgsSchema,
    GroupRoleSchema,
    GroupsArgsSchema,
    GroupSchema,
    GroupUpdateSchema,
    JoinAnswerSchema,
    MembersArgsSchema,
    RequestsArgsSchema,
)
from app.blueprints.shared import PostSchema
from app.idempotency import idempotent
from app.security import login_required, per_user_limit
from app.services import groups, posts

NO_GROUP = "No such group."
ADMINS_ONLY = "Only the group's admins can do this."
PRIVATE = "A private group's posts and members are its members' only."
LAST_ADMIN = "The last admin cannot leave or be demoted: make another member an admin first, or delete the group."


@blp.route("/groups/")
class GroupsView(MethodView):
    decorators = [login_required]

    @blp.arguments(GroupsArgsSchema, location="query")
    @blp.response(200, GroupPageSchema)
    def get(self, args):
        """List groups, newest first (`member=true`: the ones you are in)."""
        return groups.list_groups(current_user, GROUPS.pager(args), member=args["member"])

    @blp.arguments(GroupCreateSchema)
    @blp.response(201, GroupSchema)
    @per_user_limit("RATELIMIT_GROUPS")
    @idempotent
    def post(self, data):
        """Create a group: you are its first admin, and it has a group chat."""
        return groups.create_group(current_user, data)


@blp.route("/groups/<int:group_id>/")
class GroupByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, GroupSchema)
    @blp.alt_response(404, description=NO_GROUP)
    def get(self, group_id):
        """Read a group: anyone finds a group's name, description and size."""
        return groups.read_group(current_user, group_id)

    @blp.arguments(GroupUpdateSchema)
    @blp.response(200, GroupSchema)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description=NO_GROUP)
    def patch(self, data, group_id):
        """Change a group's name, description or visibility (admins)."""
        return groups.update_group(current_user, group_id, data)

    @blp.response(204)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description=NO_GROUP)
    def delete(self, group_id):
        """Delete a group with its posts, events and chat (admins)."""
        groups.delete_group(current_user, group_id)


@blp.route("/groups/<int:group_id>/join/")
class JoinView(MethodView):
    decorators = [login_required]

    @blp.response(200, GroupMembershipSchema, description="A member: joined now, or already.")
    @blp.alt_response(
        202, schema=GroupMembershipSchema, description="A private group: the request waits for its admins."
    )
    @blp.alt_response(404, description=NO_GROUP)
    @per_user_limit("RATELIMIT_GROUP_JOINS")
    def post(self, group_id):
        """Join a public group, or ask to join a private one."""
        status = groups.join_group(current_user, group_id)
        return {"status": status}, 200 if status == "member" else 202

    @blp.response(204)
    @blp.alt_response(404, description="No such group, or you are neither in it nor asked to join.")
    @blp.alt_response(422, description=LAST_ADMIN)
    def delete(self, group_id):
        """Leave a group, or withdraw your request to join it."""
        groups.leave_group(current_user, group_id)


@blp.route("/groups/<int:group_id>/members/")
class MembersView(MethodView):
    decorators = [login_required]

    @blp.arguments(MembersArgsSchema, location="query")
    @blp.response(200, GroupMemberPageSchema)
    @blp.alt_response(403, description=PRIVATE)
    @blp.alt_response(404, description=NO_GROUP)
    def get(self, args, group_id):
        """List a group's members, earliest first, with their roles."""
        return groups.list_members(current_user, group_id, MEMBERS.pager(args, is_descending=False))


@blp.route("/groups/<int:group_id>/members/<int:user_id>/")
class MemberByIdView(MethodView):
    decorators = [login_required]

    @blp.arguments(GroupRoleSchema)
    @blp.response(200, GroupMemberSchema)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description="No such group or member.")
    @blp.alt_response(422, description=LAST_ADMIN)
    def patch(self, data, group_id, user_id):
        """Promote a member to admin, or demote an admin (admins)."""
        return groups.set_role(current_user, group_id, user_id, data["role"])

    @blp.response(204)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description="No such group or member.")
    @blp.alt_response(422, description=LAST_ADMIN)
    def delete(self, group_id, user_id):
        """Remove a member from a group (admins)."""
        groups.remove_member(current_user, group_id, user_id)


@blp.route("/groups/<int:group_id>/requests/")
class RequestsView(MethodView):
    decorators = [login_required]

    @blp.arguments(RequestsArgsSchema, location="query")
    @blp.response(200, GroupJoinRequestPageSchema)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description=NO_GROUP)
    def get(self, args, group_id):
        """List the requests to join waiting for an answer, oldest first (admins)."""
        return groups.list_requests(current_user, group_id, REQUESTS.pager(args, is_descending=False))


@blp.route("/groups/<int:group_id>/requests/<int:request_id>/accept/")
class RequestAcceptView(MethodView):
    decorators = [login_required]

    @blp.response(200, JoinAnswerSchema)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description="No such group, or no such request waiting in it.")
    def post(self, group_id, request_id):
        """Accept a request to join: the requester becomes a member and is told (admins)."""
        return groups.answer_request(current_user, group_id, request_id, accept=True)


@blp.route("/groups/<int:group_id>/requests/<int:request_id>/decline/")
class RequestDeclineView(MethodView):
    decorators = [login_required]

    @blp.response(200, JoinAnswerSchema)
    @blp.alt_response(403, description=ADMINS_ONLY)
    @blp.alt_response(404, description="No such group, or no such request waiting in it.")
    def post(self, group_id, request_id):
        """Decline a request to join: the requester is told (admins)."""
        return groups.answer_request(current_user, group_id, request_id, accept=False)


@blp.route("/groups/<int:group_id>/posts/")
class GroupPostsView(MethodView):
    decorators = [login_required]

    @blp.arguments(GroupPostsArgsSchema, location="query")
    @blp.response(200, timeline_schema(PostSchema))
    @blp.alt_response(403, description=PRIVATE)
    @blp.alt_response(404, description=NO_GROUP)
    def get(self, args, group_id):
        """A group's feed: its posts, newest first (post with `group_id` on `POST /posts/`)."""
        return posts.list_group_posts(current_user, group_id, GROUP_POSTS.pager(args))
