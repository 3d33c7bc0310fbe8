from app.blueprints.common import Blueprint

blp = Blueprint("search", __name__, description="Find people, posts and groups, ranked, among what the caller may see.")

from app.blueprints.search import routes  # noqa: E402,F401
