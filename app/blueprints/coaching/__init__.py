from app.blueprints.common import Blueprint

blp = Blueprint("coaching", __name__, description="Trainers and their clients: who may read whose training.")

from app.blueprints.coaching import routes  # noqa: E402,F401
