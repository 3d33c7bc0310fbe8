from app.blueprints.common import Blueprint

blp = Blueprint(
    "media",
    __name__,
    description="Image and video uploads, processed in the background, served to who may see them.",
)

from app.blueprints.media import routes  # noqa: E402,F401
