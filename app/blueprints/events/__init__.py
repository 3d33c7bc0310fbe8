from app.blueprints.common import Blueprint

blp = Blueprint(
    "events", __name__, description="Events: RSVPs with capacity and a waitlist, reminders, calendar files."
)

from app.blueprints.events import routes  # noqa: E402,F401
