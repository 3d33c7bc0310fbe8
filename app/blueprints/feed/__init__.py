from app.blueprints.common import Blueprint

blp = Blueprint(
    "feed", __name__, description="What a person sees when they open the app: their friends' posts, and a ranked mix."
)

from app.blueprints.feed import routes  # noqa: E402,F401
