from app.blueprints.common import Blueprint

blp = Blueprint(
    "workouts", __name__, description="Workouts: a training session with its ordered exercises, as one document."
)

from app.blueprints.workouts import routes  # noqa: E402,F401
