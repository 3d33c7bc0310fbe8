"""Browser cookie mode (HttpOnly cookies + CSRF, implicit refresh) and signing keys (HS256, RS256, JWKS),
and the tokens the API must refuse: alg none, a wrong key, the wrong type, an expired one."""

import time
from datetime import timedelta
from http import HTTPStatus

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import config
from app import create_app
from app.extensions import db as _db
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD

ACCESS_COOKIE = "access_token_cookie"
REFRESH_COOKIE = "refresh_token_cookie"
CSRF_ACCESS_COOKIE = "csrf_access_token"
CSRF_REFRESH_COOKIE = "csrf_refresh_token"
AUTH_COOKIES = {ACCESS_COOKIE, REFRESH_COOKIE, CSRF_ACCESS_COOKIE, CSRF_REFRESH_COOKIE}
REFRESH_PATH = "/api/v1/token/refresh"
WRONG_SECRET = "not-the-server-secret-but-long-enough-for-hs256"  # noqa: S105 - a deliberately wrong key


# --- helpers ------------------------------------------------------------------------------------------------


def assert_error(response, code: int) -> str:
    """The one error format: `{code, status, message}` with this status; returns the message."""
    assert response.status_code == code, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)
    assert {"code", "status", "message"} <= set(body)
    assert set(body) - {"code", "status", "message", "errors"} == set()
    assert body["code"] == code
    assert body["status"] == HTTPStatus(code).phrase
    assert isinstance(body["message"], str) and body["message"]
    return body["message"]


def set_cookies(response) -> dict[str, dict]:
    """Each Set-Cookie header as {name: {"value": ..., attribute (lower case): value or True}}."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        parsed = {"value": value}
        for attribute in attributes:
            key, sep, attr_value = attribute.partition("=")
            parsed[key.lower()] = attr_value if sep else True
        cookies[name] = parsed
    return cookies


def cookie_login(client, username: str):
    return client.post("/api/v1/login/", json={"username": username, "password": DEFAULT_PASSWORD})


def cookie_value(client, name: str, path: str = "/") -> str:
    cookie = client.get_cookie(name, path=path)
    assert cookie is not None, f"the client holds no {name} cookie"
    return cookie.value


def csrf_access(client) -> dict:
    return {"X-CSRF-TOKEN": cookie_value(client, CSRF_ACCESS_COOKIE)}


def csrf_refresh(client) -> dict:
    return {"X-CSRF-TOKEN": cookie_value(client, CSRF_REFRESH_COOKIE)}


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def header_of(token: str) -> dict:
    return jwt.get_unverified_header(token)


# --- cookie mode --------------------------------------------------------------------------------------------


@pytest.fixture
def cookie_app(app_factory):
    return app_factory(AUTH_COOKIE_MODE=True)


@pytest.fixture
def cookie_client(cookie_app):
    return cookie_app.test_client()


@pytest.fixture
def carol(make_user):
    return make_user(username="carol")


def test_cookie_mode_reads_tokens_from_cookies_as_well_as_headers(cookie_app):
    assert cookie_app.config["JWT_TOKEN_LOCATION"] == ["cookies", "headers"]


def test_login_in_cookie_mode_sets_httponly_token_cookies_and_readable_csrf_cookies(cookie_client, carol):
    response = cookie_login(cookie_client, "carol")

    assert response.status_code == 200
    cookies = set_cookies(response)
    assert AUTH_COOKIES <= set(cookies)
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        assert cookies[name]["httponly"] is True
        assert cookies[name]["samesite"] == "Lax"
        assert "secure" not in cookies[name]  # testing config; production sets Secure (see below)
    assert cookies[ACCESS_COOKIE]["path"] == "/"
    assert cookies[REFRESH_COOKIE]["path"] == REFRESH_PATH
    for name in (CSRF_ACCESS_COOKIE, CSRF_REFRESH_COOKIE):
        assert "httponly" not in cookies[name]  # the SPA's JavaScript reads it to echo it in X-CSRF-TOKEN
        assert cookies[name]["samesite"] == "Lax"
        assert cookies[name]["value"]
    access, refresh = cookies[ACCESS_COOKIE]["value"], cookies[REFRESH_COOKIE]["value"]
    assert claims_of(access)["type"] == "access"
    assert claims_of(refresh)["type"] == "refresh"
    assert claims_of(access)["csrf"] == cookies[CSRF_ACCESS_COOKIE]["value"]
    assert claims_of(refresh)["csrf"] == cookies[CSRF_REFRESH_COOKIE]["value"]


def test_login_in_cookie_mode_keeps_the_tokens_out_of_the_json_body(cookie_client, carol):
    response = cookie_login(cookie_client, "carol")

    body = response.get_json()
    assert response.status_code == 200
    assert "access_token" not in body
    assert "refresh_token" not in body
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["username"] == "carol"
    assert set_cookies(response)[ACCESS_COOKIE]["value"] not in response.get_data(as_text=True)


def test_a_safe_request_is_authenticated_by_the_access_cookie_alone(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.get("/api/v1/profile/")

    assert response.status_code == 200
    assert response.get_json()["username"] == "carol"


def test_a_cookie_request_without_any_cookie_is_refused(cookie_client, carol):
    assert_error(cookie_client.get("/api/v1/profile/"), 401)


def test_an_unsafe_request_with_the_access_cookie_but_no_csrf_header_is_refused(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.patch("/api/v1/profile/", json={"bio": "x"})

    message = assert_error(response, 401)
    assert "csrf" in message.lower()
    assert cookie_client.get("/api/v1/profile/").get_json()["bio"] != "x"


def test_an_unsafe_request_with_a_wrong_csrf_header_is_refused(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.patch("/api/v1/profile/", json={"bio": "x"}, headers={"X-CSRF-TOKEN": "forged"})

    assert_error(response, 401)
    assert cookie_client.get("/api/v1/profile/").get_json()["bio"] != "x"


def test_an_unsafe_request_with_the_csrf_header_from_the_csrf_cookie_succeeds(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.patch("/api/v1/profile/", json={"bio": "x"}, headers=csrf_access(cookie_client))

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["bio"] == "x"


def test_refresh_works_from_the_refresh_cookie_and_its_csrf_header_and_sets_new_cookies(cookie_client, carol):
    login_cookies = set_cookies(cookie_login(cookie_client, "carol"))

    response = cookie_client.post("/api/v1/token/refresh/", headers=csrf_refresh(cookie_client))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert "access_token" not in body and "refresh_token" not in body
    assert body["user"]["username"] == "carol"
    cookies = set_cookies(response)
    assert AUTH_COOKIES <= set(cookies)
    assert cookies[ACCESS_COOKIE]["value"] != login_cookies[ACCESS_COOKIE]["value"]
    assert cookies[REFRESH_COOKIE]["value"] != login_cookies[REFRESH_COOKIE]["value"]
    assert cookies[REFRESH_COOKIE]["path"] == REFRESH_PATH
    assert cookies[REFRESH_COOKIE]["httponly"] is True
    assert cookie_value(cookie_client, ACCESS_COOKIE) == cookies[ACCESS_COOKIE]["value"]
    assert cookie_client.get("/api/v1/profile/").status_code == 200


def test_refresh_from_the_refresh_cookie_without_its_csrf_header_is_refused(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.post("/api/v1/token/refresh/")

    assert "csrf" in assert_error(response, 401).lower()
    assert ACCESS_COOKIE not in set_cookies(response)


def test_the_client_keeps_the_refresh_cookie_only_under_the_refresh_path(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    assert cookie_client.get_cookie(REFRESH_COOKIE, path="/") is None
    assert cookie_client.get_cookie(REFRESH_COOKIE, path=REFRESH_PATH) is not None
    assert cookie_client.get_cookie(ACCESS_COOKIE, path="/") is not None


def test_an_access_cookie_close_to_expiry_is_replaced_by_a_fresh_one(app_factory, carol):
    client = app_factory(
        AUTH_COOKIE_MODE=True, JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=120), JWT_COOKIE_REFRESH_WITHIN=300
    ).test_client()
    first = set_cookies(cookie_login(client, "carol"))[ACCESS_COOKIE]["value"]

    response = client.get("/api/v1/profile/")

    assert response.status_code == 200
    cookies = set_cookies(response)
    assert ACCESS_COOKIE in cookies
    assert cookies[ACCESS_COOKIE]["httponly"] is True
    renewed = cookies[ACCESS_COOKIE]["value"]
    assert renewed != first
    old_claims, new_claims = claims_of(first), claims_of(renewed)
    assert new_claims["type"] == "access"
    assert new_claims["sub"] == old_claims["sub"]
    assert new_claims["sid"] == old_claims["sid"]  # the same session, so logging out still ends it
    assert new_claims["jti"] != old_claims["jti"]
    assert new_claims["exp"] >= old_claims["exp"]
    assert cookies[CSRF_ACCESS_COOKIE]["value"] == new_claims["csrf"]
    assert cookie_value(client, ACCESS_COOKIE) == renewed
    assert client.get("/api/v1/profile/").status_code == 200


def test_an_access_cookie_far_from_expiry_is_left_alone(app_factory, carol):
    client = app_factory(AUTH_COOKIE_MODE=True, JWT_COOKIE_REFRESH_WITHIN=60).test_client()
    cookie_login(client, "carol")

    response = client.get("/api/v1/profile/")

    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []


def test_a_refused_request_gets_no_implicitly_refreshed_cookie(app_factory, carol):
    client = app_factory(
        AUTH_COOKIE_MODE=True, JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=120), JWT_COOKIE_REFRESH_WITHIN=300
    ).test_client()
    cookie_login(client, "carol")

    response = client.patch("/api/v1/profile/", json={"bio": "x"})  # no CSRF header

    assert_error(response, 401)
    assert ACCESS_COOKIE not in set_cookies(response)


def test_logout_in_cookie_mode_clears_every_auth_cookie(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.post("/api/v1/logout/", headers=csrf_access(cookie_client))

    assert response.status_code == 204
    cookies = set_cookies(response)
    assert AUTH_COOKIES <= set(cookies)
    for name in AUTH_COOKIES:
        assert cookies[name]["value"] == ""
        assert "1970" in cookies[name]["expires"]
    assert cookies[REFRESH_COOKIE]["path"] == REFRESH_PATH  # else the browser keeps the real refresh cookie
    assert not any(cookie_client.get_cookie(name) for name in AUTH_COOKIES)
    assert cookie_client.get_cookie(REFRESH_COOKIE, path=REFRESH_PATH) is None
    assert_error(cookie_client.get("/api/v1/profile/"), 401)


def test_logout_in_cookie_mode_without_the_csrf_header_is_refused_and_keeps_the_session(cookie_client, carol):
    cookie_login(cookie_client, "carol")

    response = cookie_client.post("/api/v1/logout/")

    assert_error(response, 401)
    assert set_cookies(response) == {}
    assert cookie_client.get("/api/v1/profile/").status_code == 200


def test_the_old_access_cookie_no_longer_works_after_logout(cookie_client, carol):
    old_access = set_cookies(cookie_login(cookie_client, "carol"))[ACCESS_COOKIE]["value"]
    assert cookie_client.post("/api/v1/logout/", headers=csrf_access(cookie_client)).status_code == 204

    cookie_client.set_cookie(ACCESS_COOKIE, old_access)
    by_cookie = cookie_client.get("/api/v1/profile/")
    by_header = cookie_client.get("/api/v1/profile/", headers=bearer(old_access))

    assert "revoked" in assert_error(by_cookie, 401)
    assert "revoked" in assert_error(by_header, 401)


def test_the_old_refresh_cookie_no_longer_works_after_logout(cookie_client, carol):
    login_cookies = set_cookies(cookie_login(cookie_client, "carol"))
    assert cookie_client.post("/api/v1/logout/", headers=csrf_access(cookie_client)).status_code == 204

    cookie_client.set_cookie(REFRESH_COOKIE, login_cookies[REFRESH_COOKIE]["value"], path=REFRESH_PATH)
    cookie_client.set_cookie(CSRF_REFRESH_COOKIE, login_cookies[CSRF_REFRESH_COOKIE]["value"])
    response = cookie_client.post("/api/v1/token/refresh/", headers=csrf_refresh(cookie_client))

    assert "revoked" in assert_error(response, 401)
    assert ACCESS_COOKIE not in set_cookies(response)


def test_logout_with_an_access_cookie_close_to_expiry_does_not_set_a_new_one(app_factory, carol):
    client = app_factory(
        AUTH_COOKIE_MODE=True, JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=120), JWT_COOKIE_REFRESH_WITHIN=300
    ).test_client()
    cookie_login(client, "carol")

    response = client.post("/api/v1/logout/", headers=csrf_access(client))

    assert response.status_code == 204
    access_headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{ACCESS_COOKIE}=")]
    assert len(access_headers) == 1, access_headers  # only the clearing one, not a renewed cookie after it
    assert set_cookies(response)[ACCESS_COOKIE]["value"] == ""
    assert client.get_cookie(ACCESS_COOKIE) is None


def test_header_mode_is_the_default_and_login_returns_the_tokens_in_json_without_cookies(app, client, carol):
    response = cookie_login(client, "carol")

    assert app.config["AUTH_COOKIE_MODE"] is False
    assert app.config["JWT_TOKEN_LOCATION"] == ["headers"]
    assert response.status_code == 200
    body = response.get_json()
    assert claims_of(body["access_token"])["type"] == "access"
    assert claims_of(body["refresh_token"])["type"] == "refresh"
    assert response.headers.getlist("Set-Cookie") == []
    assert client.get("/api/v1/profile/", headers=bearer(body["access_token"])).status_code == 200


def test_header_mode_ignores_an_access_token_sent_as_a_cookie(client, carol):
    access = login(client, "carol")["access_token"]

    client.set_cookie(ACCESS_COOKIE, access)

    assert_error(client.get("/api/v1/profile/"), 401)


def test_production_config_marks_the_auth_cookies_secure():
    assert config.ProductionConfig.JWT_COOKIE_SECURE is True
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True


def test_secure_cookie_setting_reaches_the_set_cookie_headers(app_factory, carol):
    client = app_factory(AUTH_COOKIE_MODE=True, JWT_COOKIE_SECURE=True).test_client()

    cookies = set_cookies(cookie_login(client, "carol"))

    for name in AUTH_COOKIES:
        assert cookies[name]["secure"] is True


# --- HS256 (the default) ------------------------------------------------------------------------------------


def test_the_jwk_set_is_empty_with_hs256(app, client):
    response = client.get("/.well-known/jwks.json")

    assert app.config["JWT_ALGORITHM"] == "HS256"
    assert response.status_code == 200
    assert response.get_json() == {"keys": []}


def test_hs256_tokens_carry_no_key_id(client, carol):
    access = login(client, "carol")["access_token"]

    assert header_of(access)["alg"] == "HS256"
    assert "kid" not in header_of(access)


@pytest.fixture
def access_claims(client, carol) -> dict:
    """The claims of a real access token, to re-sign in the tests below."""
    claims = claims_of(login(client, "carol")["access_token"])
    assert {"sub", "jti", "type", "sid", "fresh", "iat", "nbf", "exp"} <= set(claims)
    return claims


def test_a_token_re_signed_with_the_server_secret_is_accepted(app, client, access_claims):
    """The control for the refusals below: re-signing real claims with the real key still works."""
    token = jwt.encode(access_claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")

    assert client.get("/api/v1/profile/", headers=bearer(token)).status_code == 200


def test_a_token_with_alg_none_is_refused(client, access_claims):
    token = jwt.encode(access_claims, None, algorithm="none")
    assert header_of(token)["alg"] == "none"

    response = client.get("/api/v1/profile/", headers=bearer(token))

    assert "not valid" in assert_error(response, 401)


def test_a_token_with_alg_none_and_a_kept_signature_is_refused(app, client, access_claims):
    signed = jwt.encode(access_claims, app.config["JWT_SECRET_KEY"], algorithm="HS256")
    _, payload, signature = signed.split(".")
    none_header = jwt.encode({}, None, algorithm="none").split(".")[0]

    response = client.get("/api/v1/profile/", headers=bearer(f"{none_header}.{payload}.{signature}"))

    assert_error(response, 401)


def test_an_hs256_token_signed_with_the_wrong_secret_is_refused(client, access_claims):
    token = jwt.encode(access_claims, WRONG_SECRET, algorithm="HS256")

    response = client.get("/api/v1/profile/", headers=bearer(token))

    assert "not valid" in assert_error(response, 401)


def test_a_refresh_token_used_as_an_access_token_is_refused(client, carol):
    refresh = login(client, "carol")["refresh_token"]

    response = client.get("/api/v1/profile/", headers=bearer(refresh))

    assert "refresh" in assert_error(response, 401)


def test_an_access_token_sent_to_the_refresh_endpoint_is_refused(client, carol):
    access = login(client, "carol")["access_token"]

    by_header = client.post("/api/v1/token/refresh/", headers=bearer(access), json={})
    in_body = client.post("/api/v1/token/refresh/", json={"refresh_token": access})

    assert "refresh" in assert_error(by_header, 401)
    assert "refresh" in assert_error(in_body, 401)


def test_an_expired_access_token_is_refused_as_expired(app, client, access_claims):
    now = int(time.time())
    expired = {**access_claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 60}
    token = jwt.encode(expired, app.config["JWT_SECRET_KEY"], algorithm="HS256")

    response = client.get("/api/v1/profile/", headers=bearer(token))

    assert "expired" in assert_error(response, 401).lower()


def test_an_access_token_really_expires_after_its_lifetime(app_factory, carol):
    client = app_factory(JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=1)).test_client()
    access = login(client, "carol")["access_token"]
    assert claims_of(access)["exp"] - claims_of(access)["iat"] == 1

    time.sleep(2.1)
    response = client.get("/api/v1/profile/", headers=bearer(access))

    assert "expired" in assert_error(response, 401).lower()


# --- RS256 with a configured key pair -----------------------------------------------------------------------


@pytest.fixture
def rsa_pems(tmp_path) -> tuple[str, str, str, str]:
    """A fresh RSA key pair as PEM files: (private path, public path, private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    private_path, public_path = tmp_path / "jwt-private.pem", tmp_path / "jwt-public.pem"
    private_path.write_text(private_pem)
    public_path.write_text(public_pem)
    return str(private_path), str(public_path), private_pem, public_pem


@pytest.fixture
def rsa_config(monkeypatch, rsa_pems) -> config.Config:
    private_path, public_path, _, _ = rsa_pems
    monkeypatch.setattr(config.TestingConfig, "JWT_PRIVATE_KEY_PATH", private_path)
    monkeypatch.setattr(config.TestingConfig, "JWT_PUBLIC_KEY_PATH", public_path)
    return config.load_config("testing")


@pytest.fixture
def rsa_app(rsa_config, database_url, app_factory):
    """An app built from the RS256 config object; app_factory's teardown empties the tables afterwards."""
    app = create_app(rsa_config, DATABASE_URL=database_url)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def rsa_client(rsa_app):
    return rsa_app.test_client()


def test_key_paths_switch_the_config_to_rs256_with_the_keys_read_from_the_files(rsa_config, rsa_pems):
    _, _, private_pem, public_pem = rsa_pems

    assert rsa_config.JWT_ALGORITHM == "RS256"
    assert rsa_config.JWT_DECODE_ALGORITHMS == ["RS256"]
    assert rsa_config.JWT_PRIVATE_KEY == private_pem
    assert rsa_config.JWT_PUBLIC_KEY == public_pem


def test_the_rs256_jwk_set_publishes_only_the_public_key(rsa_client, rsa_pems):
    response = rsa_client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    keys = response.get_json()["keys"]
    assert len(keys) == 1
    jwk = keys[0]
    assert jwk["kty"] == "RSA"
    assert jwk["alg"] == "RS256"
    assert jwk["use"] == "sig"
    assert jwk["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)  # no private parameters
    public_pem = rsa_pems[3]
    expected = serialization.load_pem_public_key(public_pem.encode()).public_numbers()
    assert jwt.PyJWK(jwk).key.public_numbers() == expected


def test_an_rs256_login_token_names_the_published_key_and_verifies_with_it(rsa_client, carol):
    tokens = login(rsa_client, "carol")
    jwk = rsa_client.get("/.well-known/jwks.json").get_json()["keys"][0]

    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert header_of(token)["alg"] == "RS256"
        assert header_of(token)["kid"] == jwk["kid"]
    claims = jwt.decode(tokens["access_token"], jwt.PyJWK(jwk).key, algorithms=["RS256"])
    assert claims["type"] == "access"
    assert claims == claims_of(tokens["access_token"])
    profile = rsa_client.get("/api/v1/profile/", headers=bearer(tokens["access_token"]))
    assert profile.status_code == 200
    assert profile.get_json()["username"] == "carol"


def test_an_rs256_refresh_rotates_to_new_rs256_tokens(rsa_client, carol):
    refresh = login(rsa_client, "carol")["refresh_token"]

    response = rsa_client.post("/api/v1/token/refresh/", json={"refresh_token": refresh})

    assert response.status_code == 200, response.get_json()
    assert header_of(response.get_json()["access_token"])["alg"] == "RS256"


def test_an_rs256_app_refuses_a_token_signed_by_another_rsa_key(rsa_client, carol):
    claims = claims_of(login(rsa_client, "carol")["access_token"])
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims, other, algorithm="RS256")

    assert_error(rsa_client.get("/api/v1/profile/", headers=bearer(token)), 401)


def test_an_rs256_app_refuses_an_hs256_token_signed_with_the_shared_secret(rsa_app, rsa_client, carol):
    claims = claims_of(login(rsa_client, "carol")["access_token"])
    token = jwt.encode(claims, rsa_app.config["JWT_SECRET_KEY"], algorithm="HS256")

    assert "not valid" in assert_error(rsa_client.get("/api/v1/profile/", headers=bearer(token)), 401)


def test_an_rs256_app_refuses_alg_none(rsa_client, carol):
    claims = claims_of(login(rsa_client, "carol")["access_token"])
    token = jwt.encode(claims, None, algorithm="none")

    assert_error(rsa_client.get("/api/v1/profile/", headers=bearer(token)), 401)


@pytest.mark.parametrize("only", ["JWT_PRIVATE_KEY_PATH", "JWT_PUBLIC_KEY_PATH"])
def test_setting_only_one_key_path_is_a_config_error_naming_both(monkeypatch, rsa_pems, only):
    monkeypatch.setattr(config.TestingConfig, "JWT_PRIVATE_KEY_PATH", None)
    monkeypatch.setattr(config.TestingConfig, "JWT_PUBLIC_KEY_PATH", None)
    monkeypatch.setattr(config.TestingConfig, only, rsa_pems[0] if only == "JWT_PRIVATE_KEY_PATH" else rsa_pems[1])

    with pytest.raises(config.ConfigError) as raised:
        config.load_config("testing")

    assert "JWT_PRIVATE_KEY_PATH" in str(raised.value)
    assert "JWT_PUBLIC_KEY_PATH" in str(raised.value)


@pytest.mark.parametrize("name", ["JWT_PRIVATE_KEY_PATH", "JWT_PUBLIC_KEY_PATH"])
def test_a_key_path_that_names_no_file_is_a_config_error_naming_it(monkeypatch, rsa_pems, tmp_path, name):
    monkeypatch.setattr(config.TestingConfig, "JWT_PRIVATE_KEY_PATH", rsa_pems[0])
    monkeypatch.setattr(config.TestingConfig, "JWT_PUBLIC_KEY_PATH", rsa_pems[1])
    monkeypatch.setattr(config.TestingConfig, name, str(tmp_path / "missing.pem"))

    with pytest.raises(config.ConfigError, match=name):
        config.load_config("testing")
