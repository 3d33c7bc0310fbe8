"""The moderation routes."""

from app.blueprints.moderation import blp  # noqa: F401
