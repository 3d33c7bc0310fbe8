"""Throttling: strict limits on login (per IP and per account), register and password reset."""

import pytest

from tests.factories import DEFAULT_PASSWORD


def attempt(client, username, password="wrong password", ip="10.0.0.1"):
    return client.post(
        "/api/v1/login/", json={"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_login_is_limited_per_ip_with_retry_after(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute").test_client()

    statuses = [attempt(client, f"someone{n}").status_code for n in range(4)]
    limited = attempt(client, "someone")

    assert statuses == [401, 401, 401, 429]
    assert limited.status_code == 429
    assert limited.json["code"] == 429 and limited.json["message"]
    assert int(limited.headers["Retry-After"]) > 0
    assert attempt(client, "someone", ip="10.0.0.2").status_code == 401  # another address is not limited


def test_failed_logins_are_limited_per_account_across_addresses(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2 per minute").test_client()
    make_user(username="target")

    statuses = [attempt(client, "target", ip=f"10.0.1.{n}").status_code for n in range(3)]

    assert statuses == [401, 401, 429]
    assert attempt(client, "TARGET", DEFAULT_PASSWORD, ip="10.0.2.1").status_code == 429  # case folded too


def test_failed_logins_by_username_and_by_email_share_one_budget(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="3 per minute").test_client()
    make_user(username="target", email="target@example.com")

    names = ["target", "target@example.com", "  Target@Example.COM "]
    statuses = [attempt(client, name, ip=f"10.0.4.{n}").status_code for n, name in enumerate(names)]

    assert statuses == [401, 401, 401]
    assert attempt(client, "target", DEFAULT_PASSWORD, ip="10.0.5.1").status_code == 429
    assert attempt(client, "target@example.com", DEFAULT_PASSWORD, ip="10.0.5.2").status_code == 429


def test_failed_logins_for_an_unknown_name_share_one_budget_across_case_and_spaces(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2 per minute").test_client()

    statuses = [
        attempt(client, name, ip=f"10.0.6.{n}").status_code for n, name in enumerate(["ghost", " GHOST", "Ghost "])
    ]

    assert statuses == [401, 401, 429]


def test_one_accounts_failures_do_not_limit_another(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2 per minute").test_client()
    make_user(username="first")
    make_user(username="second")

    statuses = [attempt(client, "first", ip=f"10.0.7.{n}").status_code for n in range(3)]

    assert statuses == [401, 401, 429]
    assert attempt(client, "second", DEFAULT_PASSWORD, ip="10.0.7.9").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/login/", "/api/v1/password-reset/"])
@pytest.mark.parametrize("body", [["alice"], "alice", 7, None, {"username": ["alice"], "email": {"a": 1}}])
def test_a_body_of_any_json_type_is_answered_by_the_schema_with_limits_on(app_factory, url, body):
    client = app_factory(RATELIMIT_ENABLED=True).test_client()

    response = client.post(url, json=body)

    assert response.status_code == 422, response.json
    assert response.json["code"] == 422


def test_successful_logins_do_not_count_against_the_account(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="2 per minute").test_client()
    make_user(username="busy")

    statuses = [attempt(client, "busy", DEFAULT_PASSWORD, ip=f"10.0.3.{n}").status_code for n in range(4)]

    assert statuses == [200, 200, 200, 200]


def test_a_login_looks_its_account_up_once_for_the_limit(app_factory, make_user, monkeypatch):
    from app.services import auth

    client = app_factory(RATELIMIT_ENABLED=True).test_client()
    make_user(username="counted")
    looked_up = []
    real = auth.login_limit_key
    monkeypatch.setattr(auth, "login_limit_key", lambda name: looked_up.append(name) or real(name))

    statuses = [attempt(client, "counted", password).status_code for password in (DEFAULT_PASSWORD, "wrong")]

    assert statuses == [200, 401]
    assert looked_up == ["counted"] * 2  # once a request, though each of the route's limits asks for the key


def test_register_is_limited_per_ip(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER="2 per hour").test_client()

    statuses = [
        client.post(
            "/api/v1/register/", json={"username": f"new{n}", "email": f"n{n}@x.io", "password": "p" * 10}
        ).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]


def test_password_reset_is_limited_per_account(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_PASSWORD_RESET="2 per hour").test_client()

    statuses = [
        client.post(
            "/api/v1/password-reset/", json={"email": "Victim@x.io"}, environ_base={"REMOTE_ADDR": f"10.0.4.{n}"}
        ).status_code
        for n in range(3)
    ]

    assert statuses == [202, 202, 429]


def test_rate_limit_headers_are_sent(app_factory):
    client = app_factory(
        RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="5 per minute", RATELIMIT_LOGIN_ACCOUNT="50 per minute"
    ).test_client()

    response = attempt(client, "anyone")

    assert response.headers["RateLimit-Limit"] in {"5", "50"}
    assert int(response.headers["RateLimit-Remaining"]) == int(response.headers["RateLimit-Limit"]) - 1
    assert int(response.headers["RateLimit-Reset"]) > 0
