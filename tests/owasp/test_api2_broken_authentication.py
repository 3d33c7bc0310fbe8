"""API2:2023 Broken Authentication.

Stride signs short-lived access tokens (HS256 only, or RS256 with a key pair) and rotates refresh tokens within a
login session: a refresh token used twice revokes its session, logout and deactivation end tokens at once (Redis
revocation list), and every failed login answers one generic 401, throttled per address and per account.
Deeper tests: tests/auth/ (test_cookies_and_keys.py for signatures and key pairs, test_sessions.py, test_mfa.py,
test_rate_limits.py) and tests/test_hostile_input.py (forged subjects); this module is the risk's checklist."""

import base64
import json
import time

import jwt
import pytest

from app.extensions import db
from app.models import AuthSession, User
from app.models.base import utcnow
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD

# HS512 under the server's HS256-sized key (a forgery below) makes PyJWT warn about the key's length.
pytestmark = pytest.mark.filterwarnings("ignore:The HMAC key is .* bytes long")

OTHER_KEY = "a-key-that-is-not-the-servers-but-long-enough"  # noqa: S105 - a deliberately wrong key


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def status_with(client, token: str) -> int:
    return client.get("/api/v1/profile/", headers=bearer(token)).status_code


def refused(response, code: int = 401) -> dict:
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.json["code"] == code and response.json["message"]
    return response.json


def refresh(client, refresh_token: str):
    return client.post("/api/v1/token/refresh/", headers=bearer(refresh_token))


@pytest.fixture
def people(make_user) -> dict[str, int]:
    return {
        "alice": make_user(username="alice"),
        "mallory": make_user(username="mallory"),
        "root": make_user(username="root", role="admin"),
    }


@pytest.fixture
def alice(client, people) -> dict:
    """A login of alice's: her token pair."""
    return login(client, "alice")


# --- the tokens themselves -----------------------------------------------------------------------------------


def _resigned(app, token: str, **changes) -> str:
    return jwt.encode({**claims_of(token), **changes}, app.config["JWT_SECRET_KEY"], algorithm="HS256")


def _tampered(token: str, **changes) -> str:
    """The claims changed, the original signature kept."""
    header, _payload, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps({**claims_of(token), **changes}).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


FORGERIES = {
    "signed with another key": lambda app, token, people: jwt.encode(claims_of(token), OTHER_KEY, algorithm="HS256"),
    "alg none": lambda app, token, people: jwt.encode(claims_of(token), None, algorithm="none"),
    "alg none, signature kept": lambda app, token, people: (
        jwt.encode({}, None, algorithm="none").split(".")[0] + "." + ".".join(token.split(".")[1:])
    ),
    "another algorithm with the server key": lambda app, token, people: jwt.encode(
        claims_of(token), app.config["JWT_SECRET_KEY"], algorithm="HS512"
    ),
    "subject changed, signature kept": lambda app, token, people: _tampered(token, sub=str(people["root"])),
    "expired": lambda app, token, people: _resigned(app, token, exp=int(time.time()) - 60),
    "not valid yet": lambda app, token, people: _resigned(app, token, nbf=int(time.time()) + 3600),
    "truncated": lambda app, token, people: token[:-10],
    "not a jwt": lambda app, token, people: "Bearer-but-not-a-token",
}


def test_the_genuine_token_and_its_honest_re_signing_are_accepted(app, client, alice):
    """The control for the forgeries below: they fail for what was changed, not for how they were built."""
    assert status_with(client, alice["access_token"]) == 200
    assert status_with(client, _resigned(app, alice["access_token"])) == 200


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_or_stale_access_token_is_401(app, client, people, alice, forgery):
    token = FORGERIES[forgery](app, alice["access_token"], people)

    body = refused(client.get("/api/v1/profile/", headers=bearer(token)))

    assert "alice" not in str(body) and "root" not in str(body)


@pytest.mark.parametrize(
    "send",
    [
        lambda client, token: client.get("/api/v1/profile/", query_string={"access_token": token}),
        lambda client, token: client.get("/api/v1/profile/", query_string={"jwt": token}),
        lambda client, token: client.get("/api/v1/profile/", headers={"Authorization": token}),
        lambda client, token: client.get("/api/v1/profile/", headers={"Authorization": f"Basic {token}"}),
        lambda client, token: client.get("/api/v1/profile/", headers={"Cookie": f"access_token_cookie={token}"}),
    ],
    ids=["query access_token", "query jwt", "no scheme", "basic scheme", "cookie in header mode"],
)
def test_a_token_is_read_only_from_the_bearer_header(client, alice, send):
    """Tokens in URLs end up in logs and Referer headers; header mode ignores cookies (no CSRF exposure)."""
    refused(send(client, alice["access_token"]))


def test_a_refresh_token_is_no_access_token_and_an_access_token_refreshes_nothing(client, alice):
    assert "refresh" in refused(client.get("/api/v1/profile/", headers=bearer(alice["refresh_token"])))["message"]
    refused(refresh(client, alice["access_token"]))


def test_access_tokens_are_short_lived(client, alice):
    access, refresh_claims = claims_of(alice["access_token"]), claims_of(alice["refresh_token"])

    assert alice["expires_in"] == access["exp"] - access["iat"] == 15 * 60
    assert access["type"] == "access" and refresh_claims["type"] == "refresh"
    assert refresh_claims["exp"] - refresh_claims["iat"] <= 30 * 24 * 3600
    assert access["sid"] == refresh_claims["sid"]  # both end with their session


# --- sessions: rotation, theft, logout, deactivation, password change ------------------------------------------


def test_a_stolen_refresh_token_replayed_after_rotation_ends_the_whole_session(app, client, alice):
    """The thief and the owner each hold a copy; whoever refreshes second shows the token was copied, and every
    token of the session dies, the rotated ones too. Other logins of the same person live on."""
    other_device = login(client, "alice")
    rotated = refresh(client, alice["refresh_token"])
    assert rotated.status_code == 200

    replay = refresh(client, alice["refresh_token"])

    assert "already used" in refused(replay)["message"]
    for token in (alice["access_token"], rotated.json["access_token"]):
        assert status_with(client, token) == 401
    refused(refresh(client, rotated.json["refresh_token"]))
    assert status_with(client, other_device["access_token"]) == 200
    with app.app_context():
        reasons = {s.revoke_reason for s in db.session.scalars(db.select(AuthSession))}
        assert reasons == {"refresh_reuse", None}


def test_logout_ends_the_access_and_the_refresh_token_at_once(client, alice):
    headers = bearer(alice["access_token"])

    assert client.post("/api/v1/logout/", headers=headers).status_code == 204

    assert "revoked" in refused(client.get("/api/v1/profile/", headers=headers))["message"]
    refused(refresh(client, alice["refresh_token"]))


def test_a_deactivated_account_loses_its_live_tokens_and_cannot_log_in(client, people, alice):
    root = bearer(login(client, "root")["access_token"])

    response = client.patch(f"/api/v1/admin/users/{people['alice']}/", json={"is_active": False}, headers=root)

    assert response.status_code == 200 and response.json["is_active"] is False
    assert status_with(client, alice["access_token"]) == 401
    refused(refresh(client, alice["refresh_token"]))
    again = client.post("/api/v1/login/", json={"username": "alice", "password": DEFAULT_PASSWORD})
    assert refused(again)["message"] == "Invalid username or password."


def test_changing_the_password_ends_every_other_session_and_the_old_password(client, alice):
    stolen = login(client, "alice")  # a session someone else opened with the old password
    change = {"current_password": DEFAULT_PASSWORD, "new_password": "a much better passphrase"}

    response = client.put("/api/v1/change-password/", json=change, headers=bearer(alice["access_token"]))

    assert response.status_code == 200, response.json
    assert status_with(client, stolen["access_token"]) == 401
    refused(refresh(client, stolen["refresh_token"]))
    assert status_with(client, alice["access_token"]) == 200
    refused(client.post("/api/v1/login/", json={"username": "alice", "password": DEFAULT_PASSWORD}))


# --- logging in ----------------------------------------------------------------------------------------------


def test_every_failed_login_gives_the_same_answer_so_accounts_cannot_be_enumerated(client, app, people):
    with app.app_context():
        db.session.get(User, people["mallory"]).deactivated_at = utcnow()
        db.session.commit()
    attempts = {
        "wrong password": {"username": "alice", "password": "not her password"},
        "wrong password, by email": {"username": "alice@example.com", "password": "not her password"},
        "unknown username": {"username": "nobody", "password": "not her password"},
        "unknown email": {"username": "nobody@example.com", "password": DEFAULT_PASSWORD},
        "deactivated, right password": {"username": "mallory", "password": DEFAULT_PASSWORD},
    }

    answers = {name: refused(client.post("/api/v1/login/", json=body)) for name, body in attempts.items()}

    assert len({str(answer) for answer in answers.values()}) == 1, answers
    assert answers["unknown username"]["message"] == "Invalid username or password."


def test_a_password_reset_answers_the_same_whether_or_not_the_account_exists(client, people):
    known = client.post("/api/v1/password-reset/", json={"email": "alice@example.com"})
    unknown = client.post("/api/v1/password-reset/", json={"email": "nobody@example.com"})

    assert (known.status_code, known.json) == (unknown.status_code, unknown.json)
    assert known.status_code == 202


@pytest.mark.parametrize("password", ["short", "1234567", "x" * 129])
def test_registration_refuses_passwords_out_of_bounds(client, password):
    body = {"username": "newcomer", "email": "newcomer@example.com", "password": password}

    response = client.post("/api/v1/register/", json=body)

    assert refused(response, 422)["errors"]["json"].keys() == {"password"}
    assert password not in response.get_data(as_text=True)


def test_guessing_one_accounts_password_is_throttled_across_addresses_with_retry_after(app_factory, make_user):
    """Per account, whatever address the guesses come from; once over the budget even the right password waits,
    and an unknown name is throttled the same way (the limit tells nothing about who has an account)."""
    client = app_factory(
        RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute", RATELIMIT_LOGIN_ACCOUNT="3 per minute"
    ).test_client()
    make_user(username="alice")

    def attempt(username, password, n):
        body = {"username": username, "password": password}
        return client.post("/api/v1/login/", json=body, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})

    guesses = [attempt("alice", f"guess {n}", n).status_code for n in range(3)]
    blocked = attempt("alice", DEFAULT_PASSWORD, 10)
    ghosts = [attempt("ghost", f"guess {n}", 20 + n).status_code for n in range(4)]

    assert guesses == [401, 401, 401]
    refused(blocked, 429)
    assert int(blocked.headers["Retry-After"]) > 0
    assert ghosts == [401, 401, 401, 429]
