"""The friends routes."""

from app.blueprints.friends import blp  # noqa: F401
