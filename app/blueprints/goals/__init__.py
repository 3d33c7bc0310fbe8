from app.blueprints.common import Blueprint

blp = Blueprint("goals", __name__, description="Fitness goals: targets with dates, and progress toward them.")

from app.blueprints.goals import routes  # noqa: E402,F401
