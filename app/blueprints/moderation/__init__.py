from app.blueprints.common import Blueprint

blp = Blueprint("moderation", __name__, description="Reports of content by users, and what moderators do about them.")

from app.blueprints.moderation import routes  # noqa: E402,F401
