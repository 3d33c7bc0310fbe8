"""Configuration, read only from environment variables.

`create_app()` picks a class by `STRIDE_ENV` (development, testing, production; default development).
"""

import json
import os
import re
from datetime import timedelta

import phonenumbers

DEV_SECRET = "dev-only-not-secret-set-a-real-one-in-production"  # noqa: S105 - the embedded default; production refuses it


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def instance_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance")


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = env("SECRET_KEY", DEV_SECRET)
    JWT_SECRET_KEY = env("JWT_SECRET_KEY", DEV_SECRET)

    # Empty means embedded: a SQLite file under instance/ and an in-process Redis stand-in.
    DATABASE_URL = env("DATABASE_URL")
    REDIS_URL = env("REDIS_URL")
    # No ping per checkout (a round trip per request): a connection idle for DATABASE_PING_AFTER_IDLE seconds
    # is checked before use (app/lib/sql.py), and connections are replaced after an hour in any case.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 3600}
    DATABASE_PING_AFTER_IDLE = env_int("DATABASE_PING_AFTER_IDLE", 10)
    DATABASE_JIT_OFF = env_bool("DATABASE_JIT_OFF", True)  # PostgreSQL only: see `derive`

    HOST = env("HOST", "127.0.0.1")
    PORT = env_int("PORT", 5000)
    LOG_LEVEL = env("LOG_LEVEL", "INFO").upper()
    LOG_FORMAT = env("LOG_FORMAT")  # text | json; default: json in production, text elsewhere (app/logs.py)
    CORS_ORIGINS = env_list("CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000")
    FRONTEND_URL = env("FRONTEND_URL", "http://localhost:3000")
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    TRUST_PROXY_HOPS = env_int("TRUST_PROXY_HOPS", 0)
    METRICS_TOKEN = env("METRICS_TOKEN")  # /metrics wants it as a Bearer token; unset: answered to this machine only

    # flask-smorest / OpenAPI
    API_TITLE = "Stride API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # The docs UIs load pinned copies served by the app itself (app/static/vendor/README.md), never a CDN
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui-dist-5.35.0/"
    # 140+ operations: Swagger UI lists the domains (tags) folded, and a link such as /api/v1/docs#/posts opens one.
    OPENAPI_SWAGGER_UI_CONFIG = {"docExpansion": "none", "deepLinking": True}
    OPENAPI_REDOC_PATH = "/redoc"
    OPENAPI_REDOC_URL = "/static/vendor/redoc-2.5.2/redoc.standalone.js"

    # Socket.IO: the Redis pub/sub channel of its message queue (pub/sub ignores Redis database numbers,
    # so deployments sharing a Redis server need different channels)
    SOCKETIO_CHANNEL = env("SOCKETIO_CHANNEL", "stride-socketio")

    # Background jobs (RQ)
    JOBS_RUN_INLINE = env_bool("JOBS_RUN_INLINE", False)  # tests: run each job at once, in its own app context
    JOB_DEFAULT_TIMEOUT = env_int("JOB_DEFAULT_TIMEOUT", 300)

    # Reports and data exports: rendered files, kept under these folders (see app/integrations/storage.py)
    REPORTS_DIR = env("REPORTS_DIR", os.path.join(instance_path(), "files", "reports"))
    EXPORTS_DIR = env("EXPORTS_DIR", os.path.join(instance_path(), "files", "exports"))
    REPORT_RETRY_INTERVALS = None  # seconds between a failed render's retries; None: the queue's default backoff

    # Media uploads (app/services/media.py): a folder, or an fsspec URL (s3://bucket/prefix needs s3fs installed)
    MEDIA_STORAGE_URL = env("MEDIA_STORAGE_URL", os.path.join(instance_path(), "files", "media"))
    MEDIA_MAX_IMAGE_BYTES = env_int("MEDIA_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
    MEDIA_MAX_VIDEO_BYTES = env_int("MEDIA_MAX_VIDEO_BYTES", 100 * 1024 * 1024)
    MEDIA_MAX_PIXELS = env_int("MEDIA_MAX_PIXELS", 40_000_000)  # width x height, read from the header before decoding
    MEDIA_UNATTACHED_TTL = env_int("MEDIA_UNATTACHED_TTL", 24 * 3600)  # seconds an upload waits to be used
    MEDIA_FFMPEG = env("MEDIA_FFMPEG", "ffmpeg")  # a command name or path; absent: videos are kept without poster
    MEDIA_FFMPEG_TIMEOUT = env_int("MEDIA_FFMPEG_TIMEOUT", 120)

    # Feeds (app/services/feed.py, timelines.py): how many of a new friend's latest posts join one's home feed
    FEED_BACKFILL_POSTS = env_int("FEED_BACKFILL_POSTS", 200)
    # For-you ranking (README, "The for-you feed"): score = (1 + weighted signals) x 0.5 ** (age / half-life)
    FOR_YOU_WEIGHTS = json.loads(
        env(
            "FOR_YOU_WEIGHTS",
            '{"engagement": 1.0, "friend": 2.0, "friend_of_friend": 1.0, "shared_tag": 0.5, "affinity": 1.0}',
        )
    )
    FOR_YOU_HALF_LIFE_HOURS = env_int("FOR_YOU_HALF_LIFE_HOURS", 24)
    FOR_YOU_WINDOW_DAYS = env_int("FOR_YOU_WINDOW_DAYS", 14)  # candidates are at most this old
    FOR_YOU_CANDIDATES = env_int("FOR_YOU_CANDIDATES", 500)  # ranked per first page, paged from a snapshot
    FOR_YOU_SNAPSHOT_TTL = env_int("FOR_YOU_SNAPSHOT_TTL", 1800)  # seconds a ranking stays pageable

    # Rate limits (flask-limiter)
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_DEFAULT = env("RATELIMIT_DEFAULT", "300 per minute")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_HEADER_LIMIT = "RateLimit-Limit"
    RATELIMIT_HEADER_REMAINING = "RateLimit-Remaining"
    RATELIMIT_HEADER_RESET = "RateLimit-Reset"
    # One small Lua script per hit and one read for the RateLimit-* headers; moving-window costs ~25 Redis commands.
    RATELIMIT_STRATEGY = env("RATELIMIT_STRATEGY", "sliding-window-counter")

    # Email
    MAIL_BACKEND = env("MAIL_BACKEND")  # smtp | console | file; default: smtp when MAIL_SERVER is set
    MAIL_SERVER = env("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER", "Stride <no-reply@stride.local>")
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    MAIL_FILE_DIR = env("MAIL_FILE_DIR", os.path.join(instance_path(), "mail"))

    # Telegram
    TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN")
    TELEGRAM_BOT_USERNAME = env("TELEGRAM_BOT_USERNAME")
    TELEGRAM_API_URL = env("TELEGRAM_API_URL", "https://api.telegram.org")
    TELEGRAM_WEBHOOK_SECRET = env("TELEGRAM_WEBHOOK_SECRET")
    TELEGRAM_TIMEOUT = env_int("TELEGRAM_TIMEOUT", 10)

    # Habits
    HABIT_REMINDER_GRACE_MIN = env_int("HABIT_REMINDER_GRACE_MIN", 10)  # a missed minute still reminds, once
    # The domain of events' calendar UIDs (`event-<id>@<domain>`): keep it stable, calendars match events on it
    CALENDAR_UID_DOMAIN = env("CALENDAR_UID_DOMAIN", "stride")

    # Profiles: the region (ISO 3166-1 alpha-2, e.g. DE) of a phone number written without "+<country code>";
    # unset: numbers must be written in international format
    PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION")

    # Memberships: the currency of a tier created without one (ISO 4217)
    DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", "EUR")

    # Authentication
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]
    JWT_PRIVATE_KEY_PATH = env("JWT_PRIVATE_KEY_PATH")
    JWT_PUBLIC_KEY_PATH = env("JWT_PUBLIC_KEY_PATH")
    AUTH_COOKIE_MODE = env_bool("AUTH_COOKIE_MODE", False)  # browser SPAs: tokens in HttpOnly cookies + CSRF
    JWT_COOKIE_SECURE = env_bool("JWT_COOKIE_SECURE", False)
    JWT_COOKIE_SAMESITE = env("JWT_COOKIE_SAMESITE", "Lax")
    JWT_REFRESH_COOKIE_PATH = "/api/v1/token/refresh"
    JWT_COOKIE_REFRESH_WITHIN = env_int("JWT_COOKIE_REFRESH_WITHIN", 5 * 60)  # implicit refresh this close to expiry
    PASSWORD_RESET_TTL = env_int("PASSWORD_RESET_TTL", 3600)
    EMAIL_VERIFICATION_TTL = env_int("EMAIL_VERIFICATION_TTL", 48 * 3600)
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 2)  # OWASP: argon2id, m=19 MiB, t=2, p=1
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 19 * 1024)
    ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1)
    RATELIMIT_LOGIN = env("RATELIMIT_LOGIN", "10 per minute;100 per hour")  # per IP
    RATELIMIT_LOGIN_ACCOUNT = env("RATELIMIT_LOGIN_ACCOUNT", "5 per minute;30 per hour")  # per account
    RATELIMIT_REGISTER = env("RATELIMIT_REGISTER", "10 per hour")
    RATELIMIT_PASSWORD_RESET = env("RATELIMIT_PASSWORD_RESET", "5 per hour")  # per IP and per account
    RATELIMIT_VERIFICATION = env("RATELIMIT_VERIFICATION", "5 per hour")
    RATELIMIT_REFRESH = env("RATELIMIT_REFRESH", "30 per minute")
    # Second factors (app/services/mfa.py): roles that must have one (e.g. "admin,trainer"); until they do, their
    # tokens reach only the enrolment endpoints. The TOTP seeds are encrypted under MFA_ENCRYPTION_KEY (or SECRET_KEY).
    MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "")
    MFA_ISSUER = env("MFA_ISSUER", "Stride")  # the name authenticator apps show
    MFA_ENCRYPTION_KEY = env("MFA_ENCRYPTION_KEY")
    RATELIMIT_MFA = env("RATELIMIT_MFA", "5 per minute;30 per hour")  # wrong codes, per account
    RATELIMIT_MFA_CODES = env("RATELIMIT_MFA_CODES", "5 per 15 minutes")  # codes sent by Telegram, per account
    # Per signed-in person, on what is cheap to abuse (app.security.per_user_limit).
    RATELIMIT_FRIEND_REQUESTS = env("RATELIMIT_FRIEND_REQUESTS", "30 per hour")
    RATELIMIT_BLOCKS = env("RATELIMIT_BLOCKS", "60 per hour")
    RATELIMIT_POSTS = env("RATELIMIT_POSTS", "10 per minute;100 per day")
    RATELIMIT_COMMENTS = env("RATELIMIT_COMMENTS", "30 per minute;500 per day")
    RATELIMIT_REACTIONS = env("RATELIMIT_REACTIONS", "120 per minute")
    RATELIMIT_FLAGS = env("RATELIMIT_FLAGS", "20 per hour")
    RATELIMIT_UPLOADS = env("RATELIMIT_UPLOADS", "30 per hour")
    RATELIMIT_SEARCH = env("RATELIMIT_SEARCH", "60 per minute")
    RATELIMIT_CONVERSATIONS = env("RATELIMIT_CONVERSATIONS", "30 per hour")  # new conversations per person
    RATELIMIT_MESSAGES = env("RATELIMIT_MESSAGES", "60 per minute;2000 per day")  # each of REST and Socket.IO
    RATELIMIT_TYPING = env("RATELIMIT_TYPING", "30 per minute")
    RATELIMIT_EVENTS = env("RATELIMIT_EVENTS", "20 per hour")  # new events per person
    RATELIMIT_GROUPS = env("RATELIMIT_GROUPS", "10 per hour")  # new groups per person
    RATELIMIT_GROUP_JOINS = env("RATELIMIT_GROUP_JOINS", "60 per hour")  # joins and requests to join per person
    RATELIMIT_CHALLENGES = env("RATELIMIT_CHALLENGES", "20 per hour")  # new challenges per trainer

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(seconds=env_int("JWT_ACCESS_TOKEN_EXPIRES", 15 * 60))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(seconds=env_int("JWT_REFRESH_TOKEN_EXPIRES", 30 * 24 * 3600))

    def __init__(self) -> None:
        if not self.DATABASE_URL:
            self.DATABASE_URL = "sqlite:///" + os.path.join(instance_path(), "stride.sqlite")
        derive(self.__dict__, self)
        if not re.fullmatch(r"[A-Z]{3}", self.DEFAULT_CURRENCY or ""):
            raise ConfigError("DEFAULT_CURRENCY must be an ISO 4217 code: three capital letters, for example EUR.")
        if self.PHONE_DEFAULT_REGION and self.PHONE_DEFAULT_REGION not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigError("PHONE_DEFAULT_REGION must be a region phone numbers are known for, for example DE.")
        unknown_roles = set(self.MFA_REQUIRED_ROLES) - {"user", "trainer", "admin"}
        if unknown_roles:
            raise ConfigError(f"MFA_REQUIRED_ROLES names no such role: {', '.join(sorted(unknown_roles))}.")
        if self.JWT_PRIVATE_KEY_PATH or self.JWT_PUBLIC_KEY_PATH:
            self._load_rsa_keys()

    def _load_rsa_keys(self) -> None:
        """RS256 with a configured key pair (the public half is published at /.well-known/jwks.json)."""
        if not (self.JWT_PRIVATE_KEY_PATH and self.JWT_PUBLIC_KEY_PATH):
            raise ConfigError("JWT_PRIVATE_KEY_PATH and JWT_PUBLIC_KEY_PATH must be set together.")
        for name in ("JWT_PRIVATE_KEY_PATH", "JWT_PUBLIC_KEY_PATH"):
            if not os.path.isfile(getattr(self, name)):
                raise ConfigError(f"{name} does not name a readable file.")
        with open(self.JWT_PRIVATE_KEY_PATH) as private, open(self.JWT_PUBLIC_KEY_PATH) as public:
            self.JWT_PRIVATE_KEY, self.JWT_PUBLIC_KEY = private.read(), public.read()
        self.JWT_ALGORITHM = "RS256"
        self.JWT_DECODE_ALGORITHMS = ["RS256"]

    @property
    def is_embedded_redis(self) -> bool:
        return not self.REDIS_URL


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    DATABASE_URL = env("TEST_DATABASE_URL")
    REDIS_URL = env("TEST_REDIS_URL")
    JOBS_RUN_INLINE = True
    RATELIMIT_ENABLED = False
    MEDIA_STORAGE_URL = env("TEST_MEDIA_STORAGE_URL", "memory://stride-test-media")  # never files in instance/
    SOCKETIO_MESSAGE_QUEUE = False  # Flask-SocketIO's test client refuses a message queue
    MAIL_BACKEND = env("TEST_MAIL_BACKEND", "console")
    LOG_LEVEL = env("LOG_LEVEL", "WARNING").upper()
    # Hash at argon2-cffi's lowest cost (memory >= 8 KiB per lane): the suite creates and logs in people all the
    # time; production's cost is pinned by tests/auth/test_register_login.py.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False  # whatever FLASK_DEBUG says: Werkzeug's debugger runs code from the browser
    SESSION_COOKIE_SECURE = True
    JWT_COOKIE_SECURE = env_bool("JWT_COOKIE_SECURE", True)

    def __init__(self) -> None:
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            if name == "JWT_SECRET_KEY" and self.JWT_PRIVATE_KEY_PATH:
                continue  # RS256 signs with the key pair
            value = getattr(self, name)
            if not value or value == DEV_SECRET or len(value) < 32:
                raise ConfigError(f"{name} must be set to a random value of at least 32 characters in production.")
        for name in ("DATABASE_URL", "REDIS_URL"):
            if not getattr(self, name):
                raise ConfigError(f"{name} must be set in production.")
        super().__init__()


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable."""


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def load_config(name: str | None = None) -> Config:
    name = name or env("STRIDE_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"STRIDE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    return CONFIGS[name]()


def derive(settings: dict, source=None) -> None:
    """Settings computed from others; run again after overrides (tests) change their inputs."""
    get = (lambda name: getattr(source, name)) if source is not None else settings.get
    settings["SQLALCHEMY_DATABASE_URI"] = url = normalise_database_url(get("DATABASE_URL"))
    options = dict(get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = {k: v for k, v in options.pop("connect_args", {}).items() if k != "options"}
    if url.startswith("postgresql") and get("DATABASE_JIT_OFF"):
        # PostgreSQL's JIT compiles any plan it *estimates* costly: a LIMIT over a big table (feed, search) is
        # estimated so and runs in milliseconds, and compiling it took 20 to 260 ms (make bench).
        connect_args["options"] = "-c jit=off"
    # Derived again from scratch (an override from PostgreSQL to SQLite must not keep PostgreSQL's options).
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = options | ({"connect_args": connect_args} if connect_args else {})
    settings["JWT_TOKEN_LOCATION"] = ["cookies", "headers"] if get("AUTH_COOKIE_MODE") else ["headers"]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
