from flask_smorest import Blueprint

blp = Blueprint("exercises", __name__, description="The exercise catalog: everyone reads it; trainers keep it.")

from app.blueprints.exercises import routes  # noqa: E402,F401
