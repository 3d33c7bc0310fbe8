from flask import g
from flask.views import MethodView
from flask_jwt_extended import current_user, get_current_user

from app.blueprints.common import SQLPage
from app.blueprints.shared import ProfileSchema
from app.blueprints.users import blp
from app.blueprints.users.schemas import (
    PasswordConfirmSchema,
    ProfileReplaceSchema,
    ProfileUpdateSchema,
    PublicUserSchema,
    UserSearchArgsSchema,
)
from app.security import client_info, login_required
from app.services import users


@blp.route("/profile/")
class ProfileView(MethodView):
    decorators = [login_required]

    @blp.response(200, ProfileSchema)
    def get(self):
        """Read the caller's own profile."""
        # The user itself, not the `current_user` proxy: the answer reads some 25 of its attributes.
        return users.own_profile(get_current_user())

    @blp.arguments(ProfileReplaceSchema)
    @blp.response(200, ProfileSchema)
    @blp.alt_response(409, description="The username or email is taken.")
    def put(self, data):
        """Replace the caller's profile (optional fields left out are cleared)."""
        return users.update_profile(get_current_user(), data)

    @blp.arguments(ProfileUpdateSchema(partial=True))
    @blp.response(200, ProfileSchema)
    @blp.alt_response(409, description="The username or email is taken.")
    def patch(self, data):
        """Change some fields of the caller's profile."""
        return users.update_profile(get_current_user(), data)

    @blp.arguments(PasswordConfirmSchema)
    @blp.response(204)
    def delete(self, data):
        """Delete the caller's account (confirmed by password); every session ends."""
        users.delete_account(current_user, data["password"], client_info())
        g.clear_auth_cookies = True


@blp.route("/users/")
class UsersView(MethodView):
    decorators = [login_required]

    @blp.arguments(UserSearchArgsSchema, location="query")
    @blp.response(200, PublicUserSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """Find people by username or name (private profiles are not listed)."""
        return users.search_users(current_user, args.get("q"))


@blp.route("/users/<int:user_id>/")
class UserByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, PublicUserSchema)
    @blp.alt_response(404, description="No such active user.")
    def get(self, user_id):
        """Read someone's profile: a private one, or a friends-only one to a non-friend, shows only its card."""
        return users.get_profile_for(current_user, user_id)
