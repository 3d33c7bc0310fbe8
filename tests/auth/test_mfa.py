"""Second-factor login: an authenticator app (TOTP), the Telegram bot, recovery codes; enrolment, the login
challenge, replays, wrong codes, rate limits, the audit trail, and roles that must have a second factor."""

import re

import pyotp
import pytest

from app.extensions import db
from app.models import AuditEvent, MfaSettings, Notification, RecoveryCode, User
from app.services import mfa
from tests.concurrency import race, statuses
from tests.conftest import bearer
from tests.factories import DEFAULT_PASSWORD

START = 1_900_000_020.0  # the start of a 30-second step


@pytest.fixture
def clock(monkeypatch):
    """The time the server checks TOTP codes against; `clock.tick(steps)` moves it."""

    class Clock:
        now = START

        def tick(self, steps: int = 1) -> None:
            self.now += steps * 30

    instance = Clock()
    monkeypatch.setattr(mfa, "_clock", lambda: instance.now)
    return instance


def password_login(client, username="alice", **kwargs):
    return client.post("/api/v1/login/", json={"username": username, "password": DEFAULT_PASSWORD}, **kwargs)


def finish(client, mfa_token, code, **kwargs):
    return client.post("/api/v1/login/mfa/", json={"mfa_token": mfa_token, "code": code}, **kwargs)


def enrol_totp(client, headers, clock) -> tuple[pyotp.TOTP, list[str]]:
    setup = client.post("/api/v1/2fa/totp/setup/", headers=headers)
    assert setup.status_code == 200, setup.json
    totp = pyotp.TOTP(setup.json["secret"])
    confirmed = client.post("/api/v1/2fa/totp/confirm/", json={"code": totp.at(clock.now)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    clock.tick()  # the confirming code is spent; the next login uses the next step's
    return totp, confirmed.json["recovery_codes"]


def audit_types(app, user_id) -> list[str]:
    with app.app_context():
        query = db.select(AuditEvent.type).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id)
        return list(db.session.scalars(query))


def test_enrolment_gives_a_secret_and_an_otpauth_url_then_ten_recovery_codes(app, client, user, auth_headers, clock):
    setup = client.post("/api/v1/2fa/totp/setup/", headers=auth_headers)

    assert setup.status_code == 200
    secret = setup.json["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert setup.json["otpauth_url"].startswith("otpauth://totp/Stride:alice%40example.com?secret=" + secret)
    assert "issuer=Stride" in setup.json["otpauth_url"]
    pending = client.get("/api/v1/2fa/", headers=auth_headers).json
    assert pending == {"methods": [], "totp_pending": True, "recovery_codes_left": 0, "required": False}

    confirmed = client.post(
        "/api/v1/2fa/totp/confirm/", json={"code": pyotp.TOTP(secret).at(clock.now)}, headers=auth_headers
    )

    assert confirmed.status_code == 200, confirmed.json
    codes = confirmed.json["recovery_codes"]
    assert len(set(codes)) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    status = client.get("/api/v1/2fa/", headers=auth_headers).json
    assert status == {"methods": ["totp"], "totp_pending": False, "recovery_codes_left": 10, "required": False}
    assert "mfa_enabled" in audit_types(app, user)
    with app.app_context():
        stored = db.session.get(MfaSettings, user)
        assert secret not in stored.totp_secret  # sealed at rest
        hashes = set(db.session.scalars(db.select(RecoveryCode.code_hash)))
        assert not hashes & {code.replace("-", "") for code in codes}
        notices = db.session.scalars(db.select(Notification.data).where(Notification.recipient_id == user))
        assert any(data.get("event") == "mfa_enabled" for data in notices)


def test_the_secret_is_never_shown_again(client, user, auth_headers, clock):
    enrol_totp(client, auth_headers, clock)

    again = client.post("/api/v1/2fa/totp/setup/", headers=auth_headers)

    assert again.status_code == 409
    assert "secret" not in client.get("/api/v1/2fa/", headers=auth_headers).json


def test_a_wrong_confirmation_code_is_422_audited_and_changes_nothing(app, client, user, auth_headers, clock):
    setup = client.post("/api/v1/2fa/totp/setup/", headers=auth_headers).json
    wrong = str((int(pyotp.TOTP(setup["secret"]).at(clock.now)) + 1) % 10**6).zfill(6)

    response = client.post("/api/v1/2fa/totp/confirm/", json={"code": wrong}, headers=auth_headers)

    assert response.status_code == 422 and "code" in response.json["errors"]["json"]
    assert client.get("/api/v1/2fa/", headers=auth_headers).json["methods"] == []
    assert audit_types(app, user)[-1] == "mfa_failed"
    assert "mfa_required" not in {k for k, v in password_login(client).json.items() if v}


def test_starting_again_before_confirming_replaces_the_secret(client, user, auth_headers, clock):
    first = client.post("/api/v1/2fa/totp/setup/", headers=auth_headers).json["secret"]
    second = client.post("/api/v1/2fa/totp/setup/", headers=auth_headers).json["secret"]

    stale = client.post(
        "/api/v1/2fa/totp/confirm/", json={"code": pyotp.TOTP(first).at(clock.now)}, headers=auth_headers
    )
    fresh = client.post(
        "/api/v1/2fa/totp/confirm/", json={"code": pyotp.TOTP(second).at(clock.now)}, headers=auth_headers
    )

    assert first != second
    assert stale.status_code == 422 and fresh.status_code == 200


def test_confirming_without_a_setup_is_409(client, user, auth_headers):
    assert client.post("/api/v1/2fa/totp/confirm/", json={"code": "123456"}, headers=auth_headers).status_code == 409


def test_login_with_a_second_factor_answers_a_challenge_and_no_tokens(app, client, user, auth_headers, clock):
    totp, _codes = enrol_totp(client, auth_headers, clock)

    challenge = password_login(client)

    assert challenge.status_code == 200
    body = challenge.json
    assert body["mfa_required"] is True and body["methods"] == ["totp", "recovery_code"]
    assert body["expires_in"] == 300 and len(body["mfa_token"]) >= 40
    assert not {"access_token", "refresh_token", "user"} & set(body)
    assert "Set-Cookie" not in challenge.headers

    done = finish(client, body["mfa_token"], totp.at(clock.now))

    assert done.status_code == 200, done.json
    assert done.json["user"]["username"] == "alice"
    assert client.get("/api/v1/profile/", headers=bearer(done.json["access_token"])).status_code == 200
    assert audit_types(app, user)[-2:] == ["mfa_challenged", "login_succeeded"]
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.details["mfa"] == "totp"


def test_a_login_challenge_finishes_once(client, user, auth_headers, clock):
    totp, _codes = enrol_totp(client, auth_headers, clock)
    token = password_login(client).json["mfa_token"]
    assert finish(client, token, totp.at(clock.now)).status_code == 200

    clock.tick()
    again = finish(client, token, totp.at(clock.now))

    assert again.status_code == 401


def test_a_used_totp_code_cannot_be_replayed_in_another_login(client, user, auth_headers, clock):
    totp, _codes = enrol_totp(client, auth_headers, clock)
    code = totp.at(clock.now)
    assert finish(client, password_login(client).json["mfa_token"], code).status_code == 200

    replay = finish(client, password_login(client).json["mfa_token"], code)

    assert replay.status_code == 401 and replay.json["code"] == 401


def test_codes_one_step_either_side_are_accepted_and_older_ones_are_not(client, user, auth_headers, clock):
    totp, _codes = enrol_totp(client, auth_headers, clock)
    clock.tick(10)

    def attempt(offset_steps: int) -> int:
        return finish(client, password_login(client).json["mfa_token"], totp.at(clock.now + 30 * offset_steps))

    assert attempt(-2).status_code == 401  # too old
    assert attempt(+2).status_code == 401  # too far ahead
    assert attempt(-1).status_code == 200  # the clock of the phone is a little behind
    assert attempt(+1).status_code == 200  # ... or ahead
    assert attempt(0).status_code == 401  # a newer step was used: an older one never again


def test_recovery_codes_log_in_once_each_and_say_how_many_are_left(app, client, user, auth_headers, clock):
    _totp, codes = enrol_totp(client, auth_headers, clock)

    first = finish(client, password_login(client).json["mfa_token"], codes[0].upper().replace("-", " "))
    reused = finish(client, password_login(client).json["mfa_token"], codes[0])

    assert first.status_code == 200, first.json
    assert reused.status_code == 401
    headers = bearer(first.json["access_token"])
    assert client.get("/api/v1/2fa/", headers=headers).json["recovery_codes_left"] == 9
    with app.app_context():
        notices = list(db.session.scalars(db.select(Notification).where(Notification.recipient_id == user)))
        assert any("9 left" in notice.message for notice in notices)


def test_five_wrong_codes_end_the_login_and_each_is_audited(app, client, user, auth_headers, clock):
    totp, _codes = enrol_totp(client, auth_headers, clock)
    token = password_login(client).json["mfa_token"]

    wrong = [finish(client, token, "000000").status_code for _ in range(5)]
    right = finish(client, token, totp.at(clock.now))

    assert wrong == [401] * 5
    assert right.status_code == 401  # the login was ended; start again
    assert audit_types(app, user).count("mfa_failed") == 5
    assert finish(client, password_login(client).json["mfa_token"], totp.at(clock.now)).status_code == 200


def test_an_unknown_or_expired_login_is_401(client, user, auth_headers, clock):
    enrol_totp(client, auth_headers, clock)

    assert finish(client, "not-a-token", "123456").status_code == 401
    assert finish(client, "x" * 100, "123456").status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"mfa_token": "t", "code": 123456},
        {"mfa_token": "t", "code": "12\x003456"},
        {"mfa_token": "t", "code": "\ud800"},
        {"mfa_token": "t" * 101, "code": "123456"},
        {"mfa_token": ["t"], "code": "123456"},
        {"code": "123456"},
        {"mfa_token": "t", "code": "123456", "extra": 1},
    ],
)
def test_malformed_second_steps_are_422(client, body):
    response = client.post("/api/v1/login/mfa/", json=body)

    assert response.status_code == 422 and response.json["code"] == 422


def test_wrong_codes_are_limited_per_account_across_logins(app_factory, make_user, clock):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_MFA="3 per minute", RATELIMIT_LOGIN="100 per minute")
    client = app.test_client()
    make_user(username="alice")
    headers = bearer(password_login(client).json["access_token"])
    totp, _codes = enrol_totp(client, headers, clock)

    statuses = [
        finish(client, password_login(client).json["mfa_token"], "000000", environ_base={"REMOTE_ADDR": f"10.9.0.{n}"})
        for n in range(3)
    ]
    limited = finish(client, password_login(client).json["mfa_token"], totp.at(clock.now))

    assert [response.status_code for response in statuses] == [401, 401, 401]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_turning_the_factor_off_needs_the_password_and_a_code(app, client, user, auth_headers, clock):
    totp, _codes = enrol_totp(client, auth_headers, clock)

    def turn_off(password, code):
        return client.delete("/api/v1/2fa/", json={"password": password, "code": code}, headers=auth_headers)

    assert turn_off("wrong password", totp.at(clock.now)).status_code == 422
    assert turn_off(DEFAULT_PASSWORD, "000000").status_code == 422
    assert turn_off(DEFAULT_PASSWORD, totp.at(clock.now)).status_code == 204
    assert turn_off(DEFAULT_PASSWORD, totp.at(clock.now)).status_code == 404

    assert password_login(client).json["mfa_required"] is False
    assert "mfa_disabled" in audit_types(app, user)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0


def test_second_factor_endpoints_need_a_login(client):
    assert client.get("/api/v1/2fa/").status_code == 401
    assert client.post("/api/v1/2fa/totp/setup/").status_code == 401
    assert client.post("/api/v1/2fa/telegram/").status_code == 401


def test_cookie_mode_sets_cookies_only_when_the_login_is_finished(app_factory, make_user, clock):
    client = app_factory(AUTH_COOKIE_MODE=True).test_client()
    make_user(username="alice")
    first = password_login(client)
    csrf = client.get_cookie("csrf_access_token").value
    setup = client.post("/api/v1/2fa/totp/setup/", headers={"X-CSRF-TOKEN": csrf}).json
    totp = pyotp.TOTP(setup["secret"])
    client.post("/api/v1/2fa/totp/confirm/", json={"code": totp.at(clock.now)}, headers={"X-CSRF-TOKEN": csrf})
    client.post("/api/v1/logout/", headers={"X-CSRF-TOKEN": csrf})
    clock.tick()
    assert first.status_code == 200

    challenge = password_login(client)
    assert challenge.json["mfa_required"] is True and "Set-Cookie" not in challenge.headers

    done = finish(client, challenge.json["mfa_token"], totp.at(clock.now))

    assert done.status_code == 200 and "access_token" not in done.json
    assert client.get_cookie("access_token_cookie") is not None


# --- Telegram as the second factor -------------------------------------------------------------------------------

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
def tg_client(app_factory, bot, user):
    app = app_factory(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=bot.url, TELEGRAM_TIMEOUT=1)
    with app.app_context():
        db.session.get(User, user).telegram_chat_id = "555"
        db.session.commit()
    return app.test_client()


def last_code(bot) -> str:
    return re.search(r"\b(\d{6})\b", bot.messages()[-1]["text"]).group(1)


def test_telegram_as_the_second_factor_sends_a_code_at_login(tg_client, user, bot):
    headers = bearer(password_login(tg_client).json["access_token"])
    enabled = tg_client.post("/api/v1/2fa/telegram/", headers=headers)
    assert enabled.status_code == 200, enabled.json
    assert enabled.json["methods"] == ["telegram"] and len(enabled.json["recovery_codes"]) == 10

    challenge = password_login(tg_client).json
    assert challenge["methods"] == ["telegram", "recovery_code"]
    sent = tg_client.post("/api/v1/login/mfa/telegram/", json={"mfa_token": challenge["mfa_token"]})

    assert sent.status_code == 202 and sent.json["expires_in"] == 300
    assert bot.messages()[-1]["chat_id"] == "555"
    code = last_code(bot)
    assert finish(tg_client, challenge["mfa_token"], "000000" if code != "000000" else "111111").status_code == 401
    done = finish(tg_client, challenge["mfa_token"], code)
    assert done.status_code == 200, done.json

    replay = password_login(tg_client).json["mfa_token"]
    assert finish(tg_client, replay, code).status_code == 401  # a Telegram code works once


def test_telegram_needs_a_linked_chat_and_a_configured_bot(app, client, make_user, bot, app_factory):
    make_user(username="nochat")
    headers = bearer(password_login(client, "nochat").json["access_token"])
    assert client.post("/api/v1/2fa/telegram/", headers=headers).status_code == 503  # no bot token here

    tg = app_factory(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=bot.url).test_client()
    response = tg.post("/api/v1/2fa/telegram/", headers=headers)
    assert response.status_code == 422 and "Link a Telegram chat" in response.json["message"]


def test_a_chat_that_is_the_second_factor_cannot_be_unlinked(tg_client, user):
    headers = bearer(password_login(tg_client).json["access_token"])
    tg_client.post("/api/v1/2fa/telegram/", headers=headers)

    assert tg_client.delete("/api/v1/telegram/link/", headers=headers).status_code == 409


def test_the_telegram_factor_is_turned_off_with_a_code_sent_while_logged_in(tg_client, user, bot):
    headers = bearer(password_login(tg_client).json["access_token"])
    tg_client.post("/api/v1/2fa/telegram/", headers=headers)

    assert tg_client.post("/api/v1/2fa/telegram/code/", headers=headers).status_code == 202
    off = tg_client.delete("/api/v1/2fa/", json={"password": DEFAULT_PASSWORD, "code": last_code(bot)}, headers=headers)

    assert off.status_code == 204
    assert tg_client.post("/api/v1/2fa/telegram/code/", headers=headers).status_code == 409


# --- roles that must have a second factor --------------------------------------------------------------------------


def test_a_role_that_needs_a_second_factor_reaches_only_enrolment_until_it_has_one(app_factory, make_user, clock):
    client = app_factory(MFA_REQUIRED_ROLES=["admin", "trainer"]).test_client()
    make_user(username="boss", role="admin")
    make_user(username="plain")
    tokens = password_login(client, "boss").json
    headers = bearer(tokens["access_token"])

    refused = client.get("/api/v1/admin/users/", headers=headers)
    assert refused.status_code == 403 and "second factor" in refused.json["message"]
    assert client.get("/api/v1/fitness-goals/", headers=headers).status_code == 403
    assert client.get("/api/v1/2fa/", headers=headers).json["required"] is True
    assert client.get("/api/v1/profile/", headers=headers).status_code == 200
    plain = bearer(password_login(client, "plain").json["access_token"])
    assert client.get("/api/v1/fitness-goals/", headers=plain).status_code == 200  # users are not concerned

    totp, _codes = enrol_totp(client, headers, clock)
    renewed = client.post("/api/v1/token/refresh/", headers=bearer(tokens["refresh_token"]))

    assert renewed.status_code == 200
    assert client.get("/api/v1/admin/users/", headers=bearer(renewed.json["access_token"])).status_code == 200
    off = client.delete(
        "/api/v1/2fa/", json={"password": DEFAULT_PASSWORD, "code": totp.at(clock.now)}, headers=headers
    )
    assert off.status_code == 422  # required for admins: it stays on


def test_a_token_still_waiting_for_enrolment_cannot_open_a_socket(app_factory, make_user):
    app = app_factory(MFA_REQUIRED_ROLES=["admin"])
    make_user(username="boss", role="admin")
    access = password_login(app.test_client(), "boss").json["access_token"]

    with app.app_context(), pytest.raises(Exception, match="second factor"):
        from app.services import tokens

        tokens.verify_access_token(access)


# --- at the same moment ------------------------------------------------------------------------------------------


def test_one_code_sent_by_several_logins_at_once_opens_one_session(app, client, user, auth_headers, clock):
    totp, codes = enrol_totp(client, auth_headers, clock)

    for code in (totp.at(clock.now), codes[0]):
        challenges = [password_login(client).json["mfa_token"] for _ in range(6)]
        responses = race(app, 6, lambda client, n, code=code, tokens=challenges: finish(client, tokens[n], code))
        assert statuses(responses) == {200: 1, 401: 5}, statuses(responses)


def test_an_operator_takes_every_factor_off_an_account_that_lost_them(app, client, user, auth_headers, clock):
    enrol_totp(client, auth_headers, clock)

    result = app.test_cli_runner().invoke(args=["users", "reset-2fa", "ALICE"])
    unknown = app.test_cli_runner().invoke(args=["users", "reset-2fa", "nobody"])

    assert result.exit_code == 0 and "alice" in result.output, result.output
    assert unknown.exit_code != 0 and "nobody" in unknown.output
    assert password_login(client).json["mfa_required"] is False
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.type == "mfa_disabled")).one()
        assert event.user_id == user and event.details == {"via": "cli"}
