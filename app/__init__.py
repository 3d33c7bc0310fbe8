"""The Stride application factory."""

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, derive, load_config

log = logging.getLogger(__name__)

# Response headers an SPA on another origin needs to read (CORS hides all but a few simple ones by default).
CORS_EXPOSED_HEADERS = [
    "X-Pagination",
    "Content-Disposition",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-Request-ID",
    "Idempotent-Replayed",
]


def create_app(config: str | Config | None = None, **overrides) -> Flask:
    """Build the app from a config name (or object) and keyword overrides (tests)."""
    app = Flask(__name__, instance_path=None)
    settings = config if isinstance(config, Config) else load_config(config)
    app.config.from_object(settings)
    app.config.update(overrides)
    derive(app.config)
    app.url_map.strict_slashes = False  # "/goals" answers like "/goals/", with no redirect
    if app.config["TRUST_PROXY_HOPS"]:
        hops = app.config["TRUST_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app.http import register_request_hooks
    from app.input_guard import register_input_guard
    from app.logs import configure_logging
    from app.metrics import register_metrics

    configure_logging(app)
    register_metrics(app)  # first: its clock starts before, and its count ends after, every other hook
    register_request_hooks(app)  # before the extensions: its after-request hook then runs last
    register_input_guard(app)  # before the limiter's key functions, the JWT checks and webargs read input
    register_socket_handlers(app)  # before socketio.init_app, which copies the handlers into each new server
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_jobs()
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401 - every model, for Alembic and relationships
    from app.extensions import api, cors, db, jwt, limiter, migrate, redis_store, socketio
    from app.integrations import realtime
    from app.lib.sql import ping_after_idle
    from app.security import socket_origin_allowed

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        import os

        os.makedirs(os.path.dirname(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]) or ".", exist_ok=True)
    db.init_app(app)
    app.teardown_appcontext(_remove_session)  # runs before flask-sqlalchemy's own (teardowns run last-added first)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            ping_after_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE"])
    migrate.init_app(app, db, directory=_migrations_dir())
    redis_store.init_app(app)
    _configure_limiter_storage(app)
    limiter.init_app(app)
    jwt.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        supports_credentials=True,
        expose_headers=CORS_EXPOSED_HEADERS,  # without this a browser hides them from the SPA's script
        always_send=False,  # no Access-Control-Allow-Origin for a request that sent no Origin
    )
    api.init_app(app, spec_kwargs=_spec_kwargs())
    socketio.init_app(
        app,
        async_mode="threading",
        # Always given (None: in memory), so no manager of an earlier app in this process is reused.
        client_manager=realtime.message_queue(
            app.config["REDIS_URL"] if app.config.get("SOCKETIO_MESSAGE_QUEUE", True) else None,
            app.config["SOCKETIO_CHANNEL"],
        ),
        cors_allowed_origins=socket_origin_allowed,  # CORS_ORIGINS and the server's own origin
    )


def _remove_session(_exc) -> None:
    """End the request's session; a connection that died under it (a database restart) is dropped by the pool and
    logged, not raised from teardown, where it would turn an answered request into a 500."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from app.extensions import db

    try:
        db.session.remove()
    except SQLAlchemyError as error:
        logging.getLogger(__name__).warning("could not end the database session cleanly: %s", error)
        db.session.registry.clear()


def _configure_limiter_storage(app: Flask) -> None:
    """Limits live in the app's Redis: the real server, or the embedded stand-in shared by everything."""
    if app.config["REDIS_URL"]:
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    else:
        app.config["RATELIMIT_STORAGE_URI"] = "redis://embedded"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"connection_pool": app.extensions["redis"].connection_pool}


def _spec_kwargs() -> dict:
    return {
        "info": {
            "description": "Stride: goals, body metrics, habits, workouts, training plans, memberships and reports. "
            "Every error answers "
            "`{code, status, message, errors?}`; `errors` names each bad field by location (json, query, path)."
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearerAuth": []}],
    }


def _migrations_dir() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def register_blueprints(app: Flask) -> None:
    """Every domain's blueprints, from the one list in app/blueprints/__init__.py."""
    from app.blueprints import DOMAINS
    from app.blueprints.common import IdConverter
    from app.extensions import api
    from app.idempotency import register_idempotency
    from app.security import register_security

    app.url_map.converters["int"] = IdConverter
    register_idempotency(app)  # before the cookie hooks, so that it runs after them
    register_security(app)
    for domain in DOMAINS:
        package = domain.package
        for attribute, url_prefix in domain.extra:
            api.register_blueprint(getattr(package, attribute), url_prefix=url_prefix)
        api.register_blueprint(package.blp, url_prefix=domain.url_prefix)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register_error_handlers as register

    register(app)


def register_jobs() -> None:
    """Every job a service enqueues by name must exist: checked here, not when a worker first runs it."""
    from app.queueing import check_jobs

    check_jobs()


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


def register_socket_handlers(app: Flask) -> None:
    """Socket.IO namespaces live in each domain's events.py. Flask-SocketIO keeps handlers declared
    before the first init_app for every later app, but gives a handler declared after it only to that
    one server: import them first."""
    from importlib import import_module
    from importlib.util import find_spec

    from app.blueprints import DOMAINS

    for domain in DOMAINS:
        events = f"{domain.package.__name__}.events"
        if find_spec(events) is not None:
            import_module(events)
