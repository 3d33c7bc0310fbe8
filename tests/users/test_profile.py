"""One's own profile: read, replace, change, delete."""

import pytest

from app.extensions import db
from app.models import AuditEvent, AuditType, User
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD


def test_profile_shows_every_own_field_but_never_the_hash(client, auth_headers):
    body = client.get("/api/v1/profile/", headers=auth_headers).json

    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["privacy"] == "public" and body["timezone"] == "UTC"
    assert body["telegram_linked"] is False
    assert not any("password" in key for key in body)


def test_reading_the_profile_costs_three_queries(client, auth_headers, count_queries):
    """The account (loaded by the login check), then its tags and friend count together, then its badges."""
    with count_queries() as counter:
        response = client.get("/api/v1/profile/", headers=auth_headers)

    assert response.status_code == 200
    assert counter.count == 3, counter.statements


def test_patch_changes_only_the_given_fields(client, auth_headers):
    client.patch("/api/v1/profile/", json={"bio": "Runner", "weight_kg": 70.5}, headers=auth_headers)

    body = client.patch("/api/v1/profile/", json={"location": "Berlin"}, headers=auth_headers).json

    assert (body["bio"], body["weight_kg"], body["location"]) == ("Runner", 70.5, "Berlin")


def test_put_replaces_the_profile_clearing_what_it_omits(client, auth_headers):
    client.patch("/api/v1/profile/", json={"bio": "Runner", "privacy": "friends"}, headers=auth_headers)

    body = client.put(
        "/api/v1/profile/",
        json={"username": "alice", "email": "alice@example.com", "first_name": "Al"},
        headers=auth_headers,
    ).json

    assert body["first_name"] == "Al"
    assert body["bio"] is None
    assert body["privacy"] == "public"


def test_put_requires_username_and_email(client, auth_headers):
    response = client.put("/api/v1/profile/", json={"bio": "x"}, headers=auth_headers)

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"username", "email"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("role", "admin"), ("password_hash", "x"), ("email_verified_at", "2026-01-01T00:00:00+00:00"), ("id", 9)],
)
def test_profile_refuses_fields_that_are_not_the_users_to_set(client, auth_headers, field, value):
    response = client.patch("/api/v1/profile/", json={field: value}, headers=auth_headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert client.get("/api/v1/profile/", headers=auth_headers).json["role"] == "user"


@pytest.mark.parametrize(
    ("field", "value"),
    [("timezone", "Nowhere/Land"), ("date_of_birth", "2100-01-01"), ("weight_kg", -3), ("gender", "robot")],
)
def test_profile_validation_names_the_field(client, auth_headers, field, value):
    response = client.patch("/api/v1/profile/", json={field: value}, headers=auth_headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_taking_someone_elses_username_or_email_is_409(client, auth_headers, make_user):
    make_user(username="bob")

    for change in ({"username": "Bob"}, {"email": "BOB@example.com"}):
        response = client.patch("/api/v1/profile/", json=change, headers=auth_headers)
        assert response.status_code == 409
        assert set(response.json["errors"]["json"]) == set(change)


def test_keeping_ones_own_username_is_not_a_conflict(client, auth_headers):
    response = client.patch("/api/v1/profile/", json={"username": "ALICE"}, headers=auth_headers)

    assert response.status_code == 200


def test_deleting_the_account_needs_the_password_then_ends_everything(client, app, tokens, auth_headers):
    refused = client.delete("/api/v1/profile/", json={"password": "not it at all"}, headers=auth_headers)
    assert refused.status_code == 422

    response = client.delete("/api/v1/profile/", json={"password": DEFAULT_PASSWORD}, headers=auth_headers)

    assert response.status_code == 204
    assert client.get("/api/v1/profile/", headers=auth_headers).status_code == 401
    assert client.post("/api/v1/token/refresh/", headers=bearer(tokens["refresh_token"])).status_code == 401
    assert client.post("/api/v1/login/", json={"username": "alice", "password": DEFAULT_PASSWORD}).status_code == 401
    with app.app_context():
        assert db.session.scalar(db.select(User)).deleted_at is not None
        assert db.session.scalar(db.select(AuditEvent.type).where(AuditEvent.type == AuditType.ACCOUNT_DELETED))


def test_a_deleted_user_disappears_from_search(client, auth_headers, make_user):
    make_user(username="ghost")
    ghost = login(client, "ghost")
    client.delete("/api/v1/profile/", json={"password": DEFAULT_PASSWORD}, headers=bearer(ghost["access_token"]))

    found = client.get("/api/v1/users/?q=ghost", headers=auth_headers).json

    assert found == []
