"""API8:2023 Security Misconfiguration.

Every answer carries security headers (app/http.py: nosniff, no framing, no referrer, a CSP, HSTS over HTTPS), CORS
answers only CORS_ORIGINS, errors are JSON without tracebacks (app/errors.py), proxy headers count only with
TRUST_PROXY_HOPS, and production refuses weak secrets and runs without debug (config.py). Also tested in
tests/test_errors.py, tests/test_config.py, tests/ops/test_cors.py and tests/auth/test_cookies_and_keys.py."""

import re

import pytest

from app import create_app
from app.extensions import db
from app.http import API_CSP
from config import DEV_SECRET, ConfigError, ProductionConfig, load_config
from tests.conftest import REAL_REDIS_URL

API = "/api/v1"
SPA = "https://app.example"
ADMIN_SPA = "https://admin.example"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": API_CSP,
}
SAFE_PRODUCTION = {
    "SECRET_KEY": "k" * 40,
    "JWT_SECRET_KEY": "j" * 40,
    "DATABASE_URL": "postgresql://stride@db/stride",
    "REDIS_URL": "redis://cache:6379/0",
}
LEAKS = re.compile(r"Traceback|File \"|\.py\b|RuntimeError|secret internal detail|/etc/passwd|line \d+")


def boom():
    raise RuntimeError("secret internal detail /etc/passwd at app/services/x.py line 12")


def assert_error_shape(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) <= {"code", "status", "message", "errors"}
    assert body["code"] == code and body["status"] and body["message"]
    return body


def assert_security_headers(response, label: str) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (label, name, response.headers.get(name))


@pytest.fixture
def production_app(monkeypatch, database_url, _schema):
    """Apps built from the production settings (valid secrets), on the test database and Redis."""
    for name, value in SAFE_PRODUCTION.items():
        monkeypatch.setattr(ProductionConfig, name, value)
    apps = []

    def build(**overrides):
        settings = {
            "DATABASE_URL": database_url,
            "REDIS_URL": REAL_REDIS_URL,  # None: the embedded stand-in
            "SOCKETIO_MESSAGE_QUEUE": False,
            "RATELIMIT_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
        app = create_app("production", **(settings | overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- headers ------------------------------------------------------------------------------------------------


def test_every_kind_of_api_answer_carries_the_security_headers(app_factory, client, auth_headers):
    throttled_client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute").test_client()
    throttled_client.get(f"{API}/openapi.json")
    answers = {
        "200 document": client.get(f"{API}/openapi.json"),
        "200 private": client.get(f"{API}/profile/", headers=auth_headers),
        "401": client.get(f"{API}/profile/"),
        "404": client.get(f"{API}/nothing-here"),
        "405": client.delete("/health"),
        "422": client.post(f"{API}/login/", json={"username": 1}),
        "400": client.post(f"{API}/login/", data="{not json", content_type="application/json"),
        "429": throttled_client.get(f"{API}/openapi.json"),
        "health": client.get("/health"),
    }

    for label, response in answers.items():
        assert_security_headers(response, label)
        assert "Strict-Transport-Security" not in response.headers, label  # plain HTTP: HSTS would be ignored
    assert answers["429"].status_code == 429


def test_hsts_is_sent_over_https(client):
    response = client.get(f"{API}/openapi.json", base_url="https://stride.example")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(re.search(r"max-age=(\d+)", response.headers["Strict-Transport-Security"])[1]) >= 180 * 24 * 3600


def test_a_forwarded_scheme_counts_only_behind_a_configured_proxy(app_factory, client):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-For": "1.2.3.4"}
    behind_proxy = app_factory(TRUST_PROXY_HOPS=1).test_client()

    assert "Strict-Transport-Security" not in client.get("/health", headers=forwarded).headers
    assert "Strict-Transport-Security" in behind_proxy.get("/health", headers=forwarded).headers


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/redoc"])
def test_the_docs_pages_have_a_csp_of_their_own(client, path):
    """The docs pages are HTML: the API's `default-src 'none'` would break them, so they need a policy of their
    own that still allows only the app's own scripts and no framing."""
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"

    policy = response.headers.get("Content-Security-Policy")

    assert policy, f"{path} is served without any Content-Security-Policy"
    assert policy != API_CSP
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert "frame-ancestors" in directives and "'none'" in directives["frame-ancestors"]
    scripts = directives.get("script-src", directives.get("default-src", ""))
    assert "'self'" in scripts
    assert not {"*", "http:", "https:", "data:"} & set(scripts.split())


# --- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/not-even-api", "/api/v2/profile/", "/api/v1/docs-internal", "/static/..%2fconfig.py"],
)
def test_an_unknown_path_is_a_json_404_with_the_api_headers(client, path):
    response = client.get(path)

    assert_error_shape(response, 404)
    assert_security_headers(response, path)


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_unusual_methods_are_refused_in_the_error_shape(client, method):
    response = client.open("/health", method=method)

    assert response.status_code in (405, 501)
    assert_error_shape(response, response.status_code)


def test_an_unexpected_error_is_a_500_that_reveals_nothing(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    app.add_url_rule(f"{API}/owasp-boom", "owasp_boom", boom)

    response = app.test_client().get(f"{API}/owasp-boom")

    body = assert_error_shape(response, 500)
    assert not LEAKS.search(response.get_data(as_text=True)), body
    assert_security_headers(response, "500")


def test_production_answers_an_unexpected_error_with_a_bare_500(production_app):
    app = production_app()
    app.add_url_rule(f"{API}/owasp-boom", "owasp_boom", boom)

    response = app.test_client().get(f"{API}/owasp-boom")

    assert_error_shape(response, 500)
    assert not LEAKS.search(response.get_data(as_text=True))


# --- settings -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SECRET_KEY"])
@pytest.mark.parametrize("value", [None, "", DEV_SECRET, "x" * 31])
def test_production_refuses_a_missing_default_or_short_secret(monkeypatch, name, value):
    for setting, good in SAFE_PRODUCTION.items():
        monkeypatch.setattr(ProductionConfig, setting, good)
    monkeypatch.setattr(ProductionConfig, name, value)

    with pytest.raises(ConfigError, match=name):
        load_config("production")


def test_production_runs_without_debug_and_with_secure_cookies(production_app, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)

    app = production_app()

    assert app.debug is False and app.testing is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is not True  # errors go to the JSON handlers, not up to the server
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["JWT_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] != DEV_SECRET and app.config["JWT_SECRET_KEY"] != DEV_SECRET


def test_production_stays_out_of_debug_even_when_flask_debug_is_set(production_app, monkeypatch):
    """FLASK_DEBUG=1 left in a production environment must not turn on debug: `flask serve` would then run
    Werkzeug's interactive debugger (code execution from the browser) and errors would propagate as tracebacks."""
    monkeypatch.setenv("FLASK_DEBUG", "1")

    app = production_app()

    assert app.debug is False


# --- CORS ---------------------------------------------------------------------------------------------------


@pytest.fixture
def spa_client(app_factory):
    return app_factory(CORS_ORIGINS=[SPA, ADMIN_SPA]).test_client()


@pytest.mark.parametrize("origin", [SPA, ADMIN_SPA])
def test_cors_answers_each_configured_origin_exactly(spa_client, origin):
    response = spa_client.get(f"{API}/openapi.json", headers={"Origin": origin})

    assert response.headers["Access-Control-Allow-Origin"] == origin  # never "*" with credentials
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers.get("Vary", "")  # a shared cache must not hand one origin's answer to another


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "https://app.example.evil.example",
        "https://evilapp.example",
        "http://app.example",
    ],
)
def test_cors_ignores_every_other_origin(spa_client, origin):
    simple = spa_client.get(f"{API}/openapi.json", headers={"Origin": origin})
    preflight = spa_client.options(
        f"{API}/profile/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization",
        },
    )

    for response in (simple, preflight):
        assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-allow")], origin


def test_the_default_cors_origins_are_explicit_local_ones():
    origins = load_config("development").CORS_ORIGINS

    assert "*" not in origins
    assert all(re.fullmatch(r"https?://[a-z0-9.-]+(:\d+)?", origin) for origin in origins)


# --- links built from settings, not from request headers -------------------------------------------------


def test_emailed_links_use_frontend_url_whatever_host_the_request_names(app_factory, make_user, tmp_path):
    app = app_factory(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path), FRONTEND_URL="https://app.stride.example")
    make_user(username="alice", email="alice@example.com")
    poisoned = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}

    response = app.test_client().post(f"{API}/password-reset/", json={"email": "alice@example.com"}, headers=poisoned)

    assert response.status_code == 202
    [mail] = [path.read_text() for path in tmp_path.glob("*.eml")]
    assert "https://app.stride.example/reset-password?token=" in mail
    assert "evil.example" not in mail
