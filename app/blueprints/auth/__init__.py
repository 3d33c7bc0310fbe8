from app.blueprints.common import Blueprint

blp = Blueprint("auth", __name__, description="Accounts: registration, login, tokens, sessions, passwords.")
wellknown = Blueprint("wellknown", __name__, description="Keys for verifying Stride's tokens.")

from app.blueprints.auth import routes  # noqa: E402,F401
