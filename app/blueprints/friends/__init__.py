from app.blueprints.common import Blueprint

blp = Blueprint("friends", __name__, description="Friend requests, friendships and blocks.")

from app.blueprints.friends import routes  # noqa: E402,F401
