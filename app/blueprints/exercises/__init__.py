from app.blueprints.common import Blueprint

blp = Blueprint(
    "exercises", __name__, description="The shared exercise catalog, kept by trainers, and each person's own exercises."
)

from app.blueprints.exercises import routes  # noqa: E402,F401
