from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.memberships import blp
from app.blueprints.memberships.schemas import (
    MembershipChangeSchema,
    MembershipSchema,
    MembershipUpdateSchema,
    TierArgsSchema,
    TierCreateSchema,
    TierSchema,
    TierUpdateSchema,
)
from app.idempotency import idempotent
from app.models import Role
from app.security import login_required, role_required
from app.services import memberships

admin_only = role_required(Role.ADMIN)


@blp.route("/memberships/")
class TiersView(MethodView):
    decorators = [login_required]

    @blp.arguments(TierArgsSchema, location="query")
    @blp.response(200, TierSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the membership tiers, cheapest first; filter by `active`."""
        return memberships.list_tiers(active=args.get("active"))

    @admin_only
    @blp.arguments(TierCreateSchema)
    @blp.response(201, TierSchema)
    @idempotent
    def post(self, data):
        """Create a tier (admins); one per access level."""
        return memberships.create_tier(data)


@blp.route("/memberships/<int:tier_id>/")
class TierByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, TierSchema)
    def get(self, tier_id):
        """Read one tier."""
        return memberships.get_tier_for(current_user, tier_id)

    @admin_only
    @blp.arguments(TierUpdateSchema(partial=True))
    @blp.response(200, TierSchema)
    def patch(self, data, tier_id):
        """Change a tier (admins); members' history keeps the terms they had."""
        return memberships.update_tier(current_user, tier_id, data)

    @admin_only
    @blp.response(204)
    @blp.alt_response(409, description="The tier is held by members: deactivate it instead.")
    def delete(self, tier_id):
        """Delete a tier nobody holds (admins)."""
        memberships.delete_tier(current_user, tier_id)


@blp.route("/memberships/me/")
class MyMembershipView(MethodView):
    decorators = [login_required]

    @blp.response(200, MembershipSchema)
    def get(self):
        """Read your own membership and client status."""
        return memberships.my_membership(current_user)


@blp.route("/users/<int:user_id>/membership/")
class ClientMembershipView(MethodView):
    decorators = [login_required]

    @blp.response(200, MembershipSchema)
    def get(self, user_id):
        """Read the membership of one of your clients (trainers), or anyone's (admins)."""
        return memberships.membership_for(current_user, user_id)


@blp.route("/admin/users/<int:user_id>/membership/")
class AdminMembershipView(MethodView):
    decorators = [admin_only]

    @blp.response(200, MembershipSchema)
    def get(self, user_id):
        """Read a user's membership and client status (admins)."""
        return memberships.membership_for(current_user, user_id)

    @blp.arguments(MembershipUpdateSchema)
    @blp.response(200, MembershipSchema)
    def put(self, data, user_id):
        """Set a user's tier (null for none) and client status (admins); the change is recorded."""
        return memberships.set_membership(current_user, user_id, data["tier_id"], data["client_status"])


@blp.route("/admin/users/<int:user_id>/membership/history/")
class AdminMembershipHistoryView(MethodView):
    decorators = [admin_only]

    @blp.response(200, MembershipChangeSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, user_id):
        """List a user's membership changes, newest first, with the terms at the time (admins)."""
        return memberships.membership_history(current_user, user_id)
