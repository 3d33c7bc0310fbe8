"""Hostile input is a 4xx in the one error shape, never a 500: deep nesting, NUL, lone surrogates, huge numbers,
wrong JSON types, forged token subjects. The guard is app/input_guard.py; date bounds live in the schemas."""

import json
import re

import pytest
from flask_jwt_extended import create_access_token, create_refresh_token

from app.errors import Unauthorized
from app.extensions import api
from app.input_guard import KEY_MESSAGE, MAX_JSON_DEPTH, NUL_MESSAGE, SURROGATE_MESSAGE
from app.services import tokens
from tests.conftest import bearer, login


def post_raw(client, url, raw: str, headers=None, method="POST"):
    return client.open(url, method=method, data=raw, content_type="application/json", headers=headers or {})


def nested(depth: int) -> str:
    return '{"username": ' + "[" * (depth - 1) + "1" + "]" * (depth - 1) + ', "password": "x"}'


def assert_error_shape(response, code: int) -> dict:
    assert response.status_code == code, response.get_data(as_text=True)[:500]
    body = response.json
    assert body["code"] == code and body["status"] and body["message"]
    return body


# --- 1. nesting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
def test_json_nested_too_deep_is_a_400_on_login(client, depth):
    response = post_raw(client, "/api/v1/login/", nested(depth))

    body = assert_error_shape(response, 400)
    assert "nested" in body["message"]


def test_json_nested_to_the_limit_reaches_the_schema(client):
    response = post_raw(client, "/api/v1/login/", nested(MAX_JSON_DEPTH))

    assert_error_shape(response, 422)  # the schema's answer: username is not a string


def test_json_nested_too_deep_is_a_400_where_a_token_is_read_from_the_body(client):
    response = post_raw(client, "/api/v1/token/refresh/", '{"refresh_token": ' + "[" * 5000 + "]" * 5000 + "}")

    assert_error_shape(response, 400)


# --- 2 and 3. NUL and lone surrogates, named by location --------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"username": "a\\u0000b", "password": "x"}', NUL_MESSAGE),
        ('{"username": "a\\ud800", "password": "x"}', SURROGATE_MESSAGE),
    ],
)
def test_bad_text_in_a_login_field_is_a_422_naming_it(client, raw, message):
    response = post_raw(client, "/api/v1/login/", raw)

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"json": {"username": [message]}}


@pytest.mark.parametrize(
    "url", ["/api/v1/token/refresh/", "/api/v1/password-reset/confirm/", "/api/v1/verify-email/confirm/"]
)
def test_a_lone_surrogate_in_an_anonymous_token_field_is_a_422(client, url):
    response = post_raw(client, url, '{"token": "\\udfff", "refresh_token": "\\udfff", "new_password": "long enough"}')

    body = assert_error_shape(response, 422)
    assert set(body["errors"]["json"]) <= {"token", "refresh_token"} and body["errors"]["json"]


def test_bad_text_deep_in_a_body_is_named_by_its_path(client, auth_headers):
    raw = '{"weight_kg": 80, "measurements": {"biceps": {"value": 35, "unit": "c\\u0000m"}}, "note": "\\ud83d"}'

    response = post_raw(client, "/api/v1/metrics/", raw, auth_headers)

    body = assert_error_shape(response, 422)
    assert body["errors"] == {
        "json": {"measurements": {"biceps": {"unit": [NUL_MESSAGE]}}, "note": [SURROGATE_MESSAGE]}
    }


def test_bad_text_in_a_field_name_is_a_422_with_the_name_escaped(client):
    response = post_raw(client, "/api/v1/login/", '{"\\ud800": 1, "a\\u0000": 2, "username": "x", "password": "y"}')

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"json": {"\\ud800": [KEY_MESSAGE], "a\\x00": [KEY_MESSAGE]}}


def test_bad_text_in_a_list_is_named_by_its_index(client, auth_headers):
    response = post_raw(client, "/api/v1/notifications/read/", '{"ids": [1, "\\u0000"]}', auth_headers)

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"json": {"ids": {"1": [NUL_MESSAGE]}}}


@pytest.mark.parametrize("url", ["/api/v1/users/?q=%00", "/api/v1/exercises/?q=a%00b", "/api/v1/admin/users/?q=%00"])
def test_nul_in_a_query_argument_is_a_422_naming_it(client, make_user, url):
    make_user(username="root", role="admin")
    headers = bearer(login(client, "root")["access_token"])

    response = client.get(url, headers=headers)

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"query": {"q": [NUL_MESSAGE]}}


def test_nul_in_a_path_part_is_a_422_naming_it(client, auth_headers):
    response = client.delete("/api/v1/sessions/%00/", headers=auth_headers)

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"path": {"session_id": [NUL_MESSAGE]}}


def test_nul_in_a_header_that_is_stored_is_a_422_naming_it(client, user):
    response = client.post(
        "/api/v1/login/", json={"username": "alice", "password": "x"}, headers={"User-Agent": "curl\x00/8"}
    )

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"headers": {"User-Agent": [NUL_MESSAGE]}}


def test_nul_in_a_form_field_is_a_422_naming_it(client):
    response = client.post("/api/v1/login/", data={"username": "a\x00", "password": "x"})

    body = assert_error_shape(response, 422)
    assert body["errors"] == {"form": {"username": [NUL_MESSAGE]}}


# --- numbers the JSON parser would hand on as inf/nan, and numbers too large for any field -----------------


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "1" * 5000])
def test_numbers_no_field_can_hold_are_a_400(client, auth_headers, number):
    response = post_raw(client, "/api/v1/metrics/", f'{{"weight_kg": {number}}}', auth_headers)

    assert_error_shape(response, 400)


def test_a_huge_integer_is_refused_by_the_field(client, auth_headers):
    response = post_raw(
        client, "/api/v1/habits/", f'{{"time": "07:30", "action": "x", "duration_sec": {10**30}}}', auth_headers
    )

    body = assert_error_shape(response, 422)
    assert "duration_sec" in body["errors"]["json"]


# --- 4. wrong JSON types on the rate-limited anonymous endpoints --------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/login/", "/api/v1/password-reset/"])
@pytest.mark.parametrize("raw", ["[]", '["a"]', '"alice"', "1", "null", "true"])
def test_a_body_that_is_not_an_object_is_a_422_with_rate_limits_on(app_factory, url, raw):
    client = app_factory(RATELIMIT_ENABLED=True).test_client()

    response = post_raw(client, url, raw)

    assert_error_shape(response, 422)


# --- 7. a validly signed token whose subject is not a user id -----------------------------------------------


@pytest.mark.parametrize("subject", ["abc", "-1", "1.0", "99999999999999999999", "０", " 1"])
def test_a_signed_token_whose_subject_is_not_a_user_id_is_a_401(app, client, user, subject):
    with app.app_context():
        token = create_access_token(identity=subject)

    response = client.get("/api/v1/profile/", headers=bearer(token))

    assert_error_shape(response, 401)


def test_a_socket_token_whose_subject_is_not_a_user_id_is_refused_as_unauthorized(app, user):
    with app.app_context():
        token = create_access_token(identity="not-a-number")
        with pytest.raises(Unauthorized):
            tokens.verify_access_token(token)


def test_a_signed_refresh_token_with_a_malformed_session_is_a_401(app, client, user):
    with app.app_context():
        token = create_refresh_token(identity=str(user), additional_claims={"sid": "a\x00b"})

    response = client.post("/api/v1/token/refresh/", headers=bearer(token))

    assert_error_shape(response, 401)


# --- every write endpoint, every hostile body ----------------------------------------------------------------

HOSTILE_BODIES = [
    "[" * 3000 + "]" * 3000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    "[]",
    '"a string"',
    "0",
    "null",
    "1e400",
    "NaN",
    str(10**30),
    '{"\\ud800": 1}',
    '"\\u0000"',
    "{not json",
    b"\xff\xfe{}",
]
_SKIP = {"/api/v1/logout/", "/api/v1/logout-all/"}  # would end the session the loop runs in


def write_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        if rule.rule.startswith("/api/") and url not in _SKIP:
            routes += [(method, url) for method in sorted(rule.methods & {"POST", "PUT", "PATCH"})]
    return routes


@pytest.fixture
def full_app(app_factory):
    """Every optional integration configured, so no endpoint answers 503 "not configured" before parsing."""
    return app_factory(TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_BOT_USERNAME="stride_bot", TELEGRAM_WEBHOOK_SECRET="1")


def test_every_write_endpoint_answers_every_hostile_body_below_500(full_app, make_user):
    app, client = full_app, full_app.test_client()
    make_user(username="root", role="admin")
    headers = bearer(login(client, "root")["access_token"])
    routes = write_routes(app)
    assert len(routes) > 30  # the loop really covers the API

    failures = []
    for method, url in routes:
        for raw in HOSTILE_BODIES:
            response = post_raw(client, url, raw, headers, method=method)
            if response.status_code >= 500:
                failures.append((method, url, raw[:30], response.status_code))
    assert failures == []


def test_every_documented_write_field_survives_hostile_values(full_app, make_user):
    """Each field of each documented request body, in turn, set to a hostile value."""
    app, client = full_app, full_app.test_client()
    make_user(username="root", role="admin")
    headers = bearer(login(client, "root")["access_token"])
    with app.app_context():
        spec = api.spec.to_dict()
    values = ["\u0000", "\ud800", 10**30, -(10**30), 1e308, [], {}, None, "9999-12-31", "0001-01-01T00:00:00+14:00"]
    failures = []
    for path, item in spec["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in {"post", "put", "patch"} & set(item):
            schema = item[method].get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if not schema or url in _SKIP:
                continue
            for field in _fields(spec, schema):
                for value in values:
                    raw = json.dumps({field: value}, ensure_ascii=True)
                    response = post_raw(client, url, raw, headers, method=method.upper())
                    if response.status_code >= 500:
                        failures.append((method, url, field, value, response.status_code))
    assert failures == []


def _fields(spec: dict, schema: dict) -> list[str]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return [name for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")]
