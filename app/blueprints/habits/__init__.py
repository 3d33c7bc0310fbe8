from app.blueprints.common import Blueprint

blp = Blueprint("habits", __name__, description="Habits: what, where, when and how often; completions and streaks.")

from app.blueprints.habits import routes  # noqa: E402,F401
