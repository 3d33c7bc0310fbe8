from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.admin import blp
from app.blueprints.admin.schemas import (
    AdminUserArgsSchema,
    AdminUserSchema,
    AdminUserUpdateSchema,
    AuditArgsSchema,
    AuditEventSchema,
)
from app.blueprints.common import SQLPage
from app.models import Role
from app.security import client_info, role_required
from app.services import audit, users

admin_only = role_required(Role.ADMIN)


@blp.route("/admin/users/")
class AdminUsersView(MethodView):
    decorators = [admin_only]

    @blp.arguments(AdminUserArgsSchema, location="query")
    @blp.response(200, AdminUserSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List accounts, filtered by text, role and (optionally) including deactivated ones."""
        return users.admin_list_users(args.get("q"), args.get("role"), args["include_inactive"])


@blp.route("/admin/users/<int:user_id>/")
class AdminUserByIdView(MethodView):
    decorators = [admin_only]

    @blp.response(200, AdminUserSchema)
    def get(self, user_id):
        """Read one account."""
        return users.get_account_for(current_user, user_id)

    @blp.arguments(AdminUserUpdateSchema)
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(403, description="Admins cannot demote or deactivate themselves.")
    def patch(self, data, user_id):
        """Change an account's role, or deactivate / reactivate it (its sessions end)."""
        return users.admin_update_user(current_user, user_id, data, client_info())


@blp.route("/admin/audit-events/")
class AuditEventsView(MethodView):
    decorators = [admin_only]

    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """Read the security audit log, newest first, filtered by user and type."""
        return audit.list_events(user_id=args.get("user_id"), type=args.get("type"))
