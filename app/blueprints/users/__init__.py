from app.blueprints.common import Blueprint

blp = Blueprint("users", __name__, description="Profiles: one's own, and other people's as their privacy allows.")

from app.blueprints.users import routes  # noqa: E402,F401
