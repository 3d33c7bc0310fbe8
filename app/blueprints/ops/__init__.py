from app.blueprints.common import Blueprint

blp = Blueprint("ops", __name__, description="Liveness and readiness of this process.")

from app.blueprints.ops import routes  # noqa: E402,F401
