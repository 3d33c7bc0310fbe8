from app.blueprints.common import Blueprint

blp = Blueprint("telegram", __name__, description="Linking a Telegram chat for reminders.")

from app.blueprints.telegram import routes  # noqa: E402,F401
