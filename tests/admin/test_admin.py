"""Administration: accounts, roles, deactivation and the audit log are for admins only."""

import json

import pytest

from tests.conftest import bearer, login


@pytest.fixture
def admin(client, make_user):
    make_user(username="root", role="admin")
    return bearer(login(client, "root")["access_token"])


@pytest.fixture
def trainer(client, make_user):
    make_user(username="coach", role="trainer")
    return bearer(login(client, "coach")["access_token"])


ADMIN_ROUTES = [
    ("get", "/api/v1/admin/users/"),
    ("get", "/api/v1/admin/users/1/"),
    ("patch", "/api/v1/admin/users/1/"),
    ("get", "/api/v1/admin/audit-events/"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_users_and_trainers_get_403_on_admin_routes(client, auth_headers, trainer, method, path):
    for headers in (auth_headers, trainer):
        response = getattr(client, method)(path, headers=headers, json={} if method == "patch" else None)
        assert response.status_code == 403, (path, response.json)
        assert response.json["code"] == 403


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_anonymous_callers_get_401_on_admin_routes(client, method, path):
    assert getattr(client, method)(path).status_code == 401


def test_admin_lists_and_filters_accounts(client, admin, user, trainer):
    everyone = client.get("/api/v1/admin/users/", headers=admin)
    trainers = client.get("/api/v1/admin/users/?role=trainer", headers=admin).json

    assert {u["username"] for u in everyone.json} == {"root", "alice", "coach"}
    assert "email" in everyone.json[0] and "is_active" in everyone.json[0]
    assert json.loads(everyone.headers["X-Pagination"])["total"] == 3
    assert [u["username"] for u in trainers] == ["coach"]


def test_admin_changes_a_role_and_it_is_audited(client, admin, user, tokens):
    response = client.patch(f"/api/v1/admin/users/{user}/", json={"role": "trainer"}, headers=admin)

    assert response.json["role"] == "trainer"
    events = client.get(f"/api/v1/admin/audit-events/?type=role_changed&user_id={user}", headers=admin).json
    assert len(events) == 1
    assert events[0]["details"] == {"from": "user", "to": "trainer"}
    assert events[0]["actor_id"] is not None
    # The new role applies at once, to the live token.
    assert client.get("/api/v1/profile/", headers=bearer(tokens["access_token"])).json["role"] == "trainer"


def test_deactivation_ends_sessions_and_blocks_login_until_reactivated(client, admin, user, tokens):
    client.patch(f"/api/v1/admin/users/{user}/", json={"is_active": False}, headers=admin)

    assert client.get("/api/v1/profile/", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post("/api/v1/login/", json={"username": "alice", "password": "x" * 9}).status_code == 401
    assert "alice" not in {u["username"] for u in client.get("/api/v1/admin/users/", headers=admin).json}
    listed = client.get("/api/v1/admin/users/?include_inactive=true", headers=admin).json
    assert next(u for u in listed if u["username"] == "alice")["is_active"] is False

    client.patch(f"/api/v1/admin/users/{user}/", json={"is_active": True}, headers=admin)
    login(client, "alice")


def test_admins_cannot_demote_or_deactivate_themselves(client, admin):
    me = client.get("/api/v1/profile/", headers=admin).json["id"]

    assert client.patch(f"/api/v1/admin/users/{me}/", json={"role": "user"}, headers=admin).status_code == 403
    assert client.patch(f"/api/v1/admin/users/{me}/", json={"is_active": False}, headers=admin).status_code == 403


def test_admin_update_validation(client, admin, user):
    response = client.patch(f"/api/v1/admin/users/{user}/", json={"role": "god", "email": "x@y.z"}, headers=admin)

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"role", "email"}


def test_unknown_user_is_404_for_admins(client, admin):
    assert client.get("/api/v1/admin/users/424242/", headers=admin).status_code == 404


def test_audit_log_is_newest_first_and_filters_by_type(client, admin, user):
    client.post("/api/v1/login/", json={"username": "alice", "password": "wrong password"})

    events = client.get("/api/v1/admin/audit-events/", headers=admin).json
    failures = client.get("/api/v1/admin/audit-events/?type=login_failed", headers=admin).json

    assert events[0]["type"] == "login_failed"
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    assert [e["user_id"] for e in failures] == [user]


@pytest.mark.parametrize("query", ["type=nonsense", "user_id=0", f"user_id={2**40}"])
def test_audit_filters_are_validated(client, admin, query):
    assert client.get(f"/api/v1/admin/audit-events/?{query}", headers=admin).status_code == 422
