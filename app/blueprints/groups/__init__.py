from app.blueprints.common import Blueprint

blp = Blueprint(
    "groups",
    __name__,
    description="Groups: public or private communities with admins, join requests, a group feed and a group chat.",
)

from app.blueprints.groups import routes  # noqa: E402,F401
