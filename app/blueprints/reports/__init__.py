from app.blueprints.common import Blueprint

blp = Blueprint(
    "reports", __name__, description="Training reports (CSV, HTML or PDF with charts), rendered in the background."
)

from app.blueprints.reports import routes  # noqa: E402,F401
