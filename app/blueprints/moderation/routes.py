"""The moderation routes: anyone reports; trainers and admins list reports, hide, unhide and resolve."""

from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.moderation import blp
from app.blueprints.moderation.schemas import (
    FlagArgsSchema,
    FlagCreateSchema,
    FlagListItemSchema,
    FlagSchema,
    HideSchema,
    ModerationStateSchema,
    ResolveSchema,
)
from app.idempotency import idempotent
from app.models import Role
from app.security import client_info, login_required, per_user_limit, role_required
from app.services import moderation

moderator_only = role_required(Role.TRAINER)
TARGET = "<any(post, comment):target_type>/<int:target_id>"


@blp.route("/moderation/flags/")
class FlagsView(MethodView):
    decorators = [login_required]

    @moderator_only
    @blp.arguments(FlagArgsSchema, location="query")
    @blp.response(200, FlagListItemSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List reports with their reporter and target (moderators): open ones by default, oldest first."""
        return moderation.list_flags(current_user, status=args["status"])

    @per_user_limit("RATELIMIT_FLAGS")
    @blp.arguments(FlagCreateSchema)
    @blp.response(201, FlagSchema)
    @blp.alt_response(404, description="No such post or comment that the caller can see.")
    @blp.alt_response(409, description="The caller already has an open report of it.")
    @idempotent
    def post(self, data):
        """Report a post or comment to the moderators (not one's own)."""
        return moderation.create_flag(current_user, data)


@blp.route(f"/moderation/{TARGET}/hide/")
class HideView(MethodView):
    decorators = [login_required]

    @moderator_only
    @blp.arguments(HideSchema, required=False)
    @blp.response(200, ModerationStateSchema)
    def post(self, data, target_type, target_id):
        """Hide a post or comment from all but its author and moderators; resolves its reports, tells its author."""
        return moderation.hide_content(
            current_user, target_type, target_id, reason=data.get("reason"), client=client_info()
        )


@blp.route(f"/moderation/{TARGET}/unhide/")
class UnhideView(MethodView):
    decorators = [login_required]

    @moderator_only
    @blp.response(200, ModerationStateSchema)
    def post(self, target_type, target_id):
        """Show a hidden post or comment again (moderators)."""
        return moderation.unhide_content(current_user, target_type, target_id, client=client_info())


@blp.route("/moderation/flags/<int:flag_id>/resolve/")
class ResolveView(MethodView):
    decorators = [login_required]

    @moderator_only
    @blp.arguments(ResolveSchema, required=False)
    @blp.response(200, FlagSchema)
    @blp.alt_response(409, description="The report is already resolved.")
    def post(self, data, flag_id):
        """Resolve a report (moderators), hiding its target too with `hide: true`."""
        return moderation.resolve_flag(current_user, flag_id, **data, client=client_info())
