"""The media routes."""

from app.blueprints.media import blp  # noqa: F401
