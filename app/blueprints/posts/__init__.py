from app.blueprints.common import Blueprint

blp = Blueprint("posts", __name__, description="Posts, shares, reactions and comments, as each viewer may see them.")

from app.blueprints.posts import routes  # noqa: E402,F401
