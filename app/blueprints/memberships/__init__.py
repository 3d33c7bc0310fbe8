from app.blueprints.common import Blueprint

blp = Blueprint(
    "memberships", __name__, description="Membership tiers, each user's membership and client status, and its history."
)

from app.blueprints.memberships import routes  # noqa: E402,F401
