"""The posts routes."""

from app.blueprints.posts import blp  # noqa: F401
