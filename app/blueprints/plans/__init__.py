from app.blueprints.common import Blueprint

blp = Blueprint("plans", __name__, description="Training plans: ordered workouts, built by you or by your trainer.")

from app.blueprints.plans import routes  # noqa: E402,F401
