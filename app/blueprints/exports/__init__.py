from app.blueprints.common import Blueprint

blp = Blueprint("exports", __name__, description="A copy of everything you stored, as a zip of JSON and CSV files.")

from app.blueprints.exports import routes  # noqa: E402,F401
