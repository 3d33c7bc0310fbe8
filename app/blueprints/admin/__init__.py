from app.blueprints.common import Blueprint

blp = Blueprint("admin", __name__, description="Administration: accounts, roles and the security audit log.")

from app.blueprints.admin import routes  # noqa: E402,F401
