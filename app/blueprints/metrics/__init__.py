from app.blueprints.common import Blueprint

blp = Blueprint("metrics", __name__, description="Body metrics: weight, body fat, waist and any named measurement.")

from app.blueprints.metrics import routes  # noqa: E402,F401
