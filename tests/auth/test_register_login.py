"""Registration and login, as an SPA or a mobile client uses them."""

import pytest

from app.extensions import db
from app.models import AuditEvent, AuditType, User
from app.models.base import utcnow
from config import ProductionConfig
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD

ARGON2_SETTINGS = ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")

NEW = {"username": "Bob_Runner", "email": "Bob@Example.com", "password": "a long passphrase"}


def assert_error(response, code):
    assert response.status_code == code, response.json
    assert {"code", "status", "message"} <= set(response.json)
    assert response.json["code"] == code
    return response.json


def test_register_logs_the_new_user_in_at_once(client):
    response = client.post("/api/v1/register/", json={**NEW, "first_name": "Bob", "timezone": "Europe/Berlin"})

    assert response.status_code == 201, response.json
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["user"]["username"] == "bob_runner"
    assert body["user"]["email"] == "bob@example.com"
    assert body["user"]["role"] == "user"
    assert body["user"]["timezone"] == "Europe/Berlin"
    assert "password" not in body["user"] and "password_hash" not in body["user"]
    profile = client.get("/api/v1/profile/", headers=bearer(body["access_token"]))
    assert profile.json["first_name"] == "Bob"


def test_password_is_stored_as_an_argon2id_hash_at_owasps_cost_outside_tests(app_factory):
    """Tests hash cheaply (TestingConfig); every other configuration hashes with argon2id, m=19 MiB, t=2, p=1."""
    app = app_factory(**{name: getattr(ProductionConfig, name) for name in ARGON2_SETTINGS})
    assert app.test_client().post("/api/v1/register/", json=NEW).status_code == 201

    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert NEW["password"] not in user.password_hash


@pytest.mark.parametrize(
    "taken",
    [
        {"username": "alice"},
        {"username": "ALICE"},
        {"email": "alice@example.com"},
        {"email": "Alice@EXAMPLE.com"},
    ],
)
def test_registering_a_taken_username_or_email_is_409_naming_it(client, user, taken):
    response = client.post("/api/v1/register/", json={**NEW, **taken})

    body = assert_error(response, 409)
    assert set(body["errors"]["json"]) == set(taken)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "ab"),
        ("username", "has space"),
        ("username", "x" * 31),
        ("email", "not-an-email"),
        ("password", "short"),
        ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "2020-01-01"),
        ("date_of_birth", "1850-01-01"),
        ("timezone", "Mars/Olympus"),
        ("height_cm", 9000),
        ("privacy", "everyone"),
        ("role", "admin"),
    ],
)
def test_registration_validation_names_the_bad_field(client, field, value):
    response = client.post("/api/v1/register/", json={**NEW, field: value})

    body = assert_error(response, 422)
    assert field in body["errors"]["json"]


def test_registration_cannot_choose_a_role(client, app):
    client.post("/api/v1/register/", json={**NEW, "role": "admin"})

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_login_by_username_or_email_returns_a_token_pair_and_sets_last_login(client, app, user):
    by_name = login(client, "alice")
    by_email = login(client, "ALICE@example.com")

    for body in (by_name, by_email):
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in", "user", "mfa_required"}
        assert body["user"]["username"] == "alice" and body["mfa_required"] is False
    assert by_email["user"]["last_login"] is not None


def test_bad_credentials_are_one_generic_401_whatever_the_cause(client, make_user):
    make_user(username="carol")
    make_user(username="gone", deleted_at=utcnow())

    wrong_password = client.post("/api/v1/login/", json={"username": "carol", "password": "wrong password"})
    unknown_user = client.post("/api/v1/login/", json={"username": "nobody", "password": "wrong password"})
    deleted_user = client.post("/api/v1/login/", json={"username": "gone", "password": DEFAULT_PASSWORD})

    bodies = [assert_error(r, 401) for r in (wrong_password, unknown_user, deleted_user)]
    assert bodies[0] == bodies[1] == bodies[2]


def test_logins_succeeded_and_failed_are_audited_with_ip_and_user_agent(client, app, user):
    client.post("/api/v1/login/", json={"username": "alice", "password": "nope nope"}, headers={"User-Agent": "t/1"})
    login(client, "alice")

    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.type for e in events] == [AuditType.LOGIN_FAILED, AuditType.LOGIN_SUCCEEDED]
        assert events[0].user_id == user and events[0].user_agent == "t/1" and events[0].ip == "127.0.0.1"


def test_register_and_login_refuse_an_authenticated_caller(client, auth_headers):
    assert_error(client.post("/api/v1/register/", json=NEW, headers=auth_headers), 403)
    assert_error(client.post("/api/v1/login/", json={"username": "alice", "password": "x"}, headers=auth_headers), 403)


def test_a_stale_token_does_not_block_login(client, user):
    response = client.post(
        "/api/v1/login/",
        json={"username": "alice", "password": DEFAULT_PASSWORD},
        headers=bearer("not.a.token"),
    )

    assert response.status_code == 200


def test_login_validation_names_missing_fields(client):
    body = assert_error(client.post("/api/v1/login/", json={}), 422)

    assert set(body["errors"]["json"]) == {"username", "password"}


def test_a_protected_route_without_a_token_is_401(client):
    body = assert_error(client.get("/api/v1/profile/"), 401)

    assert "Authentication required" in body["message"]
