"""Sessions: refresh rotation, reuse detection, logout, listing and revoking, and failing closed."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, AuditType, AuthSession, Notification
from app.models.base import utcnow
from app.services.tokens import user_from_access_token
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD


def refresh(client, refresh_token, *, in_body=False):
    if in_body:
        return client.post("/api/v1/token/refresh/", json={"refresh_token": refresh_token})
    return client.post("/api/v1/token/refresh/", headers=bearer(refresh_token))


def profile_status(client, access_token) -> int:
    return client.get("/api/v1/profile/", headers=bearer(access_token)).status_code


@pytest.mark.parametrize("in_body", [False, True])
def test_refresh_rotates_and_the_old_refresh_token_is_refused(client, tokens, in_body):
    first = refresh(client, tokens["refresh_token"], in_body=in_body)

    assert first.status_code == 200, first.json
    assert first.json["refresh_token"] != tokens["refresh_token"]
    assert profile_status(client, first.json["access_token"]) == 200
    again = refresh(client, tokens["refresh_token"], in_body=in_body)
    assert again.status_code == 401
    assert again.json["code"] == 401


def test_reusing_a_rotated_refresh_token_revokes_the_whole_session(client, app, tokens):
    rotated = refresh(client, tokens["refresh_token"]).json

    reuse = refresh(client, tokens["refresh_token"])

    assert reuse.status_code == 401
    assert "already used" in reuse.json["message"]
    # The thief's copy and the legitimate newest tokens die together.
    assert refresh(client, rotated["refresh_token"]).status_code == 401
    assert profile_status(client, rotated["access_token"]) == 401
    assert profile_status(client, tokens["access_token"]) == 401
    with app.app_context():
        session = db.session.scalar(db.select(AuthSession))
        assert session.revoke_reason == "refresh_reuse"
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.type == AuditType.REFRESH_REUSE))
        assert event.details["session_id"] == session.id


def test_reuse_in_one_session_leaves_the_users_other_sessions_alone(client, tokens):
    other = login(client, "alice")
    refresh(client, tokens["refresh_token"])
    refresh(client, tokens["refresh_token"])

    assert profile_status(client, other["access_token"]) == 200
    assert refresh(client, other["refresh_token"]).status_code == 200


def test_refresh_updates_the_sessions_last_use(client, app, tokens):
    with app.app_context():
        before = db.session.scalar(db.select(AuthSession)).last_used_at

    refresh(client, tokens["refresh_token"])

    with app.app_context():
        assert db.session.scalar(db.select(AuthSession)).last_used_at > before


def test_logout_revokes_the_access_token_and_its_refresh_token(client, tokens, auth_headers):
    response = client.post("/api/v1/logout/", headers=auth_headers)

    assert response.status_code == 204
    assert profile_status(client, tokens["access_token"]) == 401
    assert refresh(client, tokens["refresh_token"]).status_code == 401


def test_logout_leaves_other_sessions_logged_in(client, tokens, auth_headers):
    other = login(client, "alice")

    client.post("/api/v1/logout/", headers=auth_headers)

    assert profile_status(client, other["access_token"]) == 200


def test_logout_all_ends_every_session(client, tokens, auth_headers):
    other = login(client, "alice")

    response = client.post("/api/v1/logout-all/", headers=auth_headers)

    assert response.json == {"revoked_sessions": 2}
    for pair in (tokens, other):
        assert profile_status(client, pair["access_token"]) == 401
        assert refresh(client, pair["refresh_token"]).status_code == 401


def test_sessions_list_the_callers_live_sessions_marking_the_current_one(client, tokens, auth_headers, make_user):
    login(client, "alice", **{"User-Agent": "phone/2"})
    make_user(username="bob")
    login(client, "bob")

    sessions = client.get("/api/v1/sessions/", headers=auth_headers).json

    assert len(sessions) == 2
    assert sum(s["is_current"] for s in sessions) == 1
    assert {s["user_agent"] for s in sessions} >= {"phone/2"}
    assert set(sessions[0]) == {"id", "created_at", "last_used_at", "ip", "user_agent", "is_current"}


def test_revoking_one_session_kills_its_tokens_only(client, tokens, auth_headers):
    other = login(client, "alice")
    sessions = client.get("/api/v1/sessions/", headers=auth_headers).json
    other_id = next(s["id"] for s in sessions if not s["is_current"])

    response = client.delete(f"/api/v1/sessions/{other_id}/", headers=auth_headers)

    assert response.status_code == 204
    assert profile_status(client, other["access_token"]) == 401
    assert profile_status(client, tokens["access_token"]) == 200
    assert len(client.get("/api/v1/sessions/", headers=auth_headers).json) == 1


def test_another_users_session_cannot_be_revoked(client, tokens, make_user):
    make_user(username="mallory")
    mallory = login(client, "mallory")
    alice_session = client.get("/api/v1/sessions/", headers=bearer(tokens["access_token"])).json[0]["id"]

    response = client.delete(f"/api/v1/sessions/{alice_session}/", headers=bearer(mallory["access_token"]))

    assert response.status_code == 404
    assert profile_status(client, tokens["access_token"]) == 200


def test_change_password_keeps_this_session_and_ends_the_others(client, tokens, auth_headers):
    other = login(client, "alice")

    response = client.put(
        "/api/v1/change-password/",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a brand new secret"},
        headers=auth_headers,
    )

    assert response.json == {"revoked_sessions": 1}
    assert profile_status(client, tokens["access_token"]) == 200
    assert profile_status(client, other["access_token"]) == 401
    assert client.post("/api/v1/login/", json={"username": "alice", "password": DEFAULT_PASSWORD}).status_code == 401
    login(client, "alice", "a brand new secret")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "wrong one!", "new_password": "a brand new secret"}, "current_password"),
        ({"current_password": DEFAULT_PASSWORD, "new_password": DEFAULT_PASSWORD}, "new_password"),
        ({"current_password": DEFAULT_PASSWORD, "new_password": "short"}, "new_password"),
    ],
)
def test_change_password_refusals_name_the_field(client, auth_headers, body, field):
    response = client.put("/api/v1/change-password/", json=body, headers=auth_headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_protected_routes_fail_closed_with_503_when_redis_is_down(app_factory, make_user):
    healthy = app_factory()
    make_user(username="dora")
    pair = login(healthy.test_client(), "dora")
    broken = app_factory(REDIS_URL="redis://127.0.0.1:1/0")

    client = broken.test_client()
    profile = client.get("/api/v1/profile/", headers=bearer(pair["access_token"]))
    refreshed = client.post("/api/v1/token/refresh/", headers=bearer(pair["refresh_token"]))

    for response in (profile, refreshed):
        assert response.status_code == 503
        assert response.json["code"] == 503 and response.json["message"]


@pytest.mark.parametrize("limits", [True, False])
def test_login_and_register_fail_closed_with_503_when_redis_is_down(app_factory, make_user, limits):
    app = app_factory(REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=limits)
    make_user(username="erin")
    client = app.test_client()

    logged_in = client.post("/api/v1/login/", json={"username": "erin", "password": DEFAULT_PASSWORD})
    registered = client.post("/api/v1/register/", json={"username": "fay", "email": "f@x.io", "password": "p" * 10})

    assert logged_in.status_code == 503
    assert registered.status_code == 503


def test_the_socket_connect_helper_applies_the_same_checks(client, app, tokens, auth_headers):
    with app.app_context():
        assert user_from_access_token(tokens["access_token"]).username == "alice"
        for bad, reason in [
            (None, "required"),
            ("garbage", "not valid"),
            (tokens["refresh_token"], "not a refresh token"),
        ]:
            with pytest.raises(Exception, match=reason):
                user_from_access_token(bad)

    client.post("/api/v1/logout/", headers=auth_headers)

    with app.app_context(), pytest.raises(Exception, match="revoked"):
        user_from_access_token(tokens["access_token"])


def test_a_deactivated_account_is_refused_even_with_a_live_token(client, app, tokens, auth_headers):
    from app.models import User
    from app.models.base import utcnow

    with app.app_context():
        db.session.scalar(db.select(User)).deactivated_at = utcnow()
        db.session.commit()

    response = client.get("/api/v1/profile/", headers=auth_headers)

    assert response.status_code == 401
    assert "inactive" in response.json["message"]


def new_device_notices(app, user_id) -> int:
    with app.app_context():
        data = db.session.scalars(db.select(Notification.data).where(Notification.recipient_id == user_id))
        return sum(1 for item in data if item.get("event") == "new_device_login")


def test_the_new_device_check_reads_no_session_history_and_knows_devices_of_recent_sessions(
    app, client, user, count_queries
):
    """A login asks two indexed EXISTS questions: its statements and their rows do not grow with the sessions an
    account has had; and a device seen only in the newest of many sessions is not new."""
    with app.app_context():
        old = utcnow() - timedelta(days=20)
        db.session.add_all(
            AuthSession(id=f"old{n:029d}", user_id=user, user_agent="laptop/1", created_at=old, expires_at=utcnow())
            for n in range(1_200)
        )
        db.session.add(AuthSession(id="newest", user_id=user, user_agent="phone/2", expires_at=utcnow()))
        db.session.commit()

    with count_queries() as counter:
        login(client, "alice", **{"User-Agent": "phone/2"})
    seen_device_statements = counter.count
    login(client, "alice", **{"User-Agent": "tablet/3"})

    assert new_device_notices(app, user) == 1  # the tablet, not the phone
    with count_queries() as counter:
        login(client, "alice", **{"User-Agent": "phone/2"})
    assert counter.count == seen_device_statements
    probes = [s for s in counter.statements if "auth_sessions" in s and s.lstrip().upper().startswith("SELECT")]
    by_history = [s for s in probes if "auth_sessions.id = " not in s]  # not one session read by its id
    assert len(by_history) == 1 and "EXISTS" in by_history[0].upper()


def test_a_login_signs_its_tokens_without_reading_its_new_session_back(client, user, count_queries):
    with count_queries() as counter:
        tokens = login(client, "alice")

    assert tokens["access_token"] and tokens["refresh_token"]
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
    assert [s for s in selects if "auth_sessions.id = " in s] == []
