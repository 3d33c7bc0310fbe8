from app.blueprints.common import Blueprint

blp = Blueprint(
    "analytics",
    __name__,
    description="Aggregates for trainers (over their live clients) and admins (over everyone): activity, "
    "workouts, goal completion, habit adherence and challenge participation.",
)

from app.blueprints.analytics import routes  # noqa: E402,F401
