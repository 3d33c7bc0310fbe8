"""Who may open a Socket.IO connection: origins (CORS_ORIGINS and the server's own, also behind a trusted proxy),
the access cookie of cookie-mode SPAs (only from an admitted origin), and nothing on the root namespace."""

import pytest

from app.extensions import socketio
from app.integrations.realtime import NOTIFICATIONS
from tests.conftest import login
from tests.factories import DEFAULT_PASSWORD

SPA = "https://app.example"
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def handshake(app, **headers) -> int:
    """The status of an Engine.IO polling handshake, through the whole WSGI stack (origin check included)."""
    return app.test_client().get(HANDSHAKE, headers=headers).status_code


# --- the origin check of the handshake -------------------------------------------------------------------------


def test_a_listed_spa_origin_may_connect_and_another_may_not(app_factory):
    app = app_factory(CORS_ORIGINS=[SPA])

    assert handshake(app, Origin=SPA) == 200
    assert handshake(app, Origin="https://evil.example") == 400


@pytest.mark.parametrize("origin", ["http://localhost", "http://LOCALHOST:80"])
def test_the_servers_own_origin_may_connect_though_not_listed(app_factory, origin):
    app = app_factory(CORS_ORIGINS=[SPA])

    assert handshake(app, Origin=origin, Host="localhost") == 200


def test_behind_a_trusted_proxy_the_public_origin_is_the_servers_own(app_factory):
    app = app_factory(CORS_ORIGINS=[SPA], TRUST_PROXY_HOPS=1)
    forwarded = {"Host": "10.0.0.11:8000", "X-Forwarded-Host": "stride.example", "X-Forwarded-Proto": "https"}

    assert handshake(app, Origin="https://stride.example", **forwarded) == 200
    assert handshake(app, Origin="http://stride.example", **forwarded) == 400


def test_forwarded_headers_are_not_trusted_without_a_proxy(app_factory):
    app = app_factory(CORS_ORIGINS=[SPA], TRUST_PROXY_HOPS=0)
    spoofed = {"Host": "localhost", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}

    assert handshake(app, Origin="https://evil.example", **spoofed) == 400


@pytest.mark.parametrize("origin", ["null", "file://", "localhost", "http://localhost:notaport"])
def test_odd_origins_are_refused(app_factory, origin):
    assert handshake(app_factory(CORS_ORIGINS=[SPA]), Origin=origin, Host="localhost") == 400


# --- the access cookie (AUTH_COOKIE_MODE) ----------------------------------------------------------------------


@pytest.fixture
def cookie_app(app_factory):
    return app_factory(AUTH_COOKIE_MODE=True, CORS_ORIGINS=[SPA])


@pytest.fixture
def logged_in(cookie_app, user):
    """A Flask test client holding alice's cookies, as a browser does after a cookie-mode login."""
    client = cookie_app.test_client()
    response = client.post("/api/v1/login/", json={"username": "alice", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.json
    assert "access_token" not in response.json
    return client


def connect_with_cookies(app, client, **headers):
    return socketio.test_client(app, namespace=NOTIFICATIONS, flask_test_client=client, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": SPA}, {"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"}],
    ids=["listed-origin", "own-origin", "same-origin-polling-without-origin"],
)
def test_a_cookie_mode_spa_connects_with_its_access_cookie(cookie_app, logged_in, headers):
    socket = connect_with_cookies(cookie_app, logged_in, **headers)

    assert socket.is_connected(NOTIFICATIONS)
    assert [e["name"] for e in socket.get_received(NOTIFICATIONS)] == ["unread_count"]
    socket.disconnect(namespace=NOTIFICATIONS)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {}],
    ids=["foreign-origin", "cross-site-without-origin", "no-origin-at-all"],
)
def test_the_access_cookie_is_refused_from_anywhere_the_origin_check_does_not_admit(cookie_app, logged_in, headers):
    assert not connect_with_cookies(cookie_app, logged_in, **headers).is_connected(NOTIFICATIONS)


def test_without_cookie_mode_the_cookie_is_not_read(app_factory, user):
    app = app_factory(AUTH_COOKIE_MODE=False)
    client = app.test_client()
    access = login(client, "alice")["access_token"]
    client.set_cookie("access_token_cookie", access)

    assert not connect_with_cookies(app, client, Origin="http://localhost").is_connected(NOTIFICATIONS)


def test_a_revoked_cookie_session_cannot_connect(cookie_app, logged_in):
    access, csrf = (logged_in.get_cookie(name).value for name in ("access_token_cookie", "csrf_access_token"))
    assert logged_in.post("/api/v1/logout/", headers={"X-CSRF-TOKEN": csrf}).status_code == 204
    logged_in.set_cookie("access_token_cookie", access)  # a copy kept from before the logout

    assert not connect_with_cookies(cookie_app, logged_in, Origin=SPA).is_connected(NOTIFICATIONS)


# --- the root namespace ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_token", [False, True])
def test_the_root_namespace_refuses_every_connection(app, tokens, with_token):
    auth = {"token": tokens["access_token"]} if with_token else None

    assert not socketio.test_client(app, auth=auth).is_connected("/")
