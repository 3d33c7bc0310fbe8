from app.blueprints.common import Blueprint

blp = Blueprint("stats", __name__, description="Training stats and personal records, exact after every change.")

from app.blueprints.stats import routes  # noqa: E402,F401
