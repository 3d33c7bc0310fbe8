from app.blueprints.common import Blueprint

blp = Blueprint("chat", __name__, description="1:1 conversations: their messages, deletions and read receipts.")

from app.blueprints.chat import routes  # noqa: E402,F401
