from app.blueprints.common import Blueprint

blp = Blueprint(
    "challenges",
    __name__,
    description="Challenges and leaderboards: progress from your own activity, ranked boards, weekly workouts.",
)

from app.blueprints.challenges import routes  # noqa: E402,F401
