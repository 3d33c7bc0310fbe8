from app.blueprints.common import Blueprint

blp = Blueprint("notifications", __name__, description="The inbox, read state and notification preferences.")

from app.blueprints.notifications import events, routes  # noqa: E402,F401
