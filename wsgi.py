"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app` (Socket.IO runs on the same port)."""

from app import create_app
from app.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
