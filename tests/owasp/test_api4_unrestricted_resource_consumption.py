"""API4:2023 Unrestricted Resource Consumption.

Stride bounds what one request may cost: bodies (MAX_CONTENT_LENGTH, uploads by kind), JSON depth and numbers
(app/input_guard.py), every string and list field, date spans, page sizes (at most 100) and how deep pages reach
(app/pages.py); and what one caller may ask for: a limit per address on every endpoint and stricter ones per
person or account (429 with Retry-After and RateLimit-* headers). Also tested in tests/test_hostile_input.py,
tests/test_pagination.py, tests/test_server_limits.py (URL and header sizes), tests/media/test_upload.py and
tests/auth/test_rate_limits.py; this module is the risk's checklist across the API."""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from PIL import Image

import config
from app.blueprints.search.schemas import RESULTS
from app.pages import PAGES_REACH
from app.services.search import RANKED_POSTS
from tests.conftest import bearer, login

MAX_PAGE_SIZE = 100
# GET lists answered whole: one's own login sessions, as many as one's logins (themselves limited per address and
# per account), each ending within JWT_REFRESH_TOKEN_EXPIRES.
UNPAGED = {"/api/v1/sessions/"}


@pytest.fixture
def people(make_user) -> dict[str, int]:
    return {
        "alice": make_user(username="alice"),
        "bob": make_user(username="bob"),
        "coach": make_user(username="coach", role="trainer"),
        "root": make_user(username="root", role="admin"),
    }


def refused(response, code: int) -> dict:
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.json
    assert body["code"] == code and body["message"], body
    return body


def openapi_lists(client) -> dict[str, dict]:
    """Every GET operation that answers a list (an array, or `{items, ...}`): path → its query parameters."""
    doc = client.get("/api/v1/openapi.json").json

    def resolve(schema: dict) -> dict:
        while "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    lists = {}
    for path, item in doc["paths"].items():
        operation = item.get("get") or {}
        schema = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        schema = resolve(schema.get("schema", {}))
        if schema.get("type") == "array" or "items" in schema.get("properties", {}):
            query = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"}
            lists["/api/v1" + path.removeprefix("/api/v1")] = query
    return lists


# --- lists and pages -----------------------------------------------------------------------------------------


def test_every_list_is_paged_with_a_bounded_page_size(client):
    lists = openapi_lists(client)
    assert len(lists) > 30  # the walk really covers the API

    unbounded = {
        path: sorted(query)
        for path, query in lists.items()
        if path not in UNPAGED
        and not any(query.get(name, {}).get("maximum", 10**9) <= MAX_PAGE_SIZE for name in ("page_size", "limit"))
    }

    assert unbounded == {}
    assert UNPAGED <= set(lists)  # the exemptions are real lists


@pytest.fixture
def root_client(app, client, people):
    return client, bearer(login(client, "root")["access_token"])


def test_every_list_refuses_a_page_larger_than_documented(app, root_client):
    """Every list, asked for one item more than its documented maximum, answers 422 naming the argument (ids in
    paths are 1: the arguments are checked before anything is looked up); lists without ids also answer their
    largest page."""
    client, headers = root_client
    failures = []
    for path, query in openapi_lists(client).items():
        name = "page_size" if "page_size" in query else "limit" if "limit" in query else None
        if name is None:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        extra = {"q": "run", "type": "users"} if path.endswith("/search/") else {}
        too_big = client.get(url, query_string={**extra, name: query[name]["maximum"] + 1}, headers=headers)
        if too_big.status_code != 422 or name not in too_big.json["errors"].get("query", {}):
            failures.append((url, name, "too big", too_big.status_code))
        if url == path:
            largest = client.get(url, query_string={**extra, name: query[name]["maximum"]}, headers=headers)
            if largest.status_code != 200:
                failures.append((url, name, "largest", largest.status_code))

    assert failures == []


def test_every_page_list_refuses_pages_beyond_its_reach(app, root_client):
    """`?page=` reaches the first PAGES_REACH items of a list read from SQL (a deeper OFFSET reads every row before
    it): past it, a 422 naming `page`, whatever the page size. Lists ranked in Redis (leaderboards) cost no more
    deep down; they document their own largest page, and refuse the next one."""
    client, headers = root_client
    failures, checked = [], 0
    for path, query in openapi_lists(client).items():
        if "page" not in query or "{" in path:
            continue
        documented = query["page"].get("maximum")
        tries = (
            [(documented + 1, 1)] if documented else [(PAGES_REACH // size + 1, size) for size in (1, MAX_PAGE_SIZE)]
        )
        for page, size in tries:
            checked += 1
            response = client.get(path, query_string={"page": page, "page_size": size}, headers=headers)
            if response.status_code != 422 or "page" not in response.json["errors"].get("query", {}):
                failures.append((path, page, size, response.status_code))

    assert failures == []
    assert checked > 20


def test_a_search_cursor_cannot_reach_deeper_than_the_ranking_even_when_genuinely_signed(app, client, people):
    headers = bearer(login(client, "alice")["access_token"])
    with app.test_request_context():
        deepest, deeper = (RESULTS.encode(offset, "posts\nrun") for offset in (RANKED_POSTS, RANKED_POSTS + 1))

    def search(cursor):
        return client.get(
            "/api/v1/search/", query_string={"q": "run", "type": "posts", "cursor": cursor}, headers=headers
        )

    assert search(deepest).status_code == 200
    assert list(refused(search(deeper), 422)["errors"]["query"]) == ["cursor"]


# --- what one request may carry ------------------------------------------------------------------------------


def test_a_json_body_over_the_content_limit_is_413_before_anything_reads_it(app_factory, make_user):
    app = app_factory(MAX_CONTENT_LENGTH=4096)
    make_user(username="alice")
    client = app.test_client()
    headers = bearer(login(client, "alice")["access_token"])
    padding = "x" * 5000

    anonymous = client.post("/api/v1/login/", json={"username": "alice", "password": padding})
    signed_in = client.post("/api/v1/posts/", json={"text": padding[:4000], "visibility": padding}, headers=headers)

    refused(anonymous, 413)
    refused(signed_in, 413)


def test_an_image_over_its_size_limit_is_413(app_factory, make_user):
    app = app_factory(MEDIA_MAX_IMAGE_BYTES=2048)
    make_user(username="alice")
    client = app.test_client()
    image = BytesIO()
    Image.effect_noise((300, 300), 100).convert("RGB").save(image, "JPEG", quality=95)
    assert image.tell() > 2048

    response = client.post(
        "/api/v1/media/",
        data={"file": (BytesIO(image.getvalue()), "big.jpg")},
        headers=bearer(login(client, "alice")["access_token"]),
        content_type="multipart/form-data",
    )

    refused(response, 413)


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"title": "Run", "duration_min": 1' + "0" * 5000 + "}",
        '{"title": "Run", "distance_km": 1e400}',
        '{"title": "Run", "calories": NaN}',
    ],
    ids=["nested 5000 deep", "5001-digit integer", "1e400", "NaN"],
)
def test_json_that_would_be_costly_to_parse_is_a_400(client, people, raw):
    headers = bearer(login(client, "alice")["access_token"])

    response = client.post("/api/v1/workouts/", data=raw, content_type="application/json", headers=headers)

    refused(response, 400)


# (method, path, body, the field named) — each one item or character past its bound
OVERSIZED = [
    ("POST", "/posts/", {"text": "x" * 5001}, "text"),
    ("PATCH", "/profile/", {"bio": "x" * 501}, "bio"),
    ("PATCH", "/profile/", {"tags": [f"tag{n}" for n in range(11)]}, "tags"),
    ("PATCH", "/profile/", {"tags": ["x" * 1000]}, "tags"),
    ("POST", "/exercises/", {"title": "x" * 101, "muscle_group": "core", "is_personal": True}, "title"),
    ("POST", "/groups/", {"name": "x" * 101}, "name"),
    ("POST", "/fitness-goals/", {"goal_type": "general", "description": "x" * 2001}, "description"),
    ("POST", "/workouts/", {"title": "Run", "exercises": [{"exercise_id": 1}] * 101}, "exercises"),
    ("POST", "/workouts/", {"title": "Run", "duration_min": 10**50}, "duration_min"),
    ("POST", "/training-plans/", {"title": "Plan", "workout_ids": list(range(1, 202))}, "workout_ids"),
    ("POST", "/posts/", {"text": "Hi", "media_ids": list(range(1, 12))}, "media_ids"),
    ("POST", "/notifications/read/", {"ids": list(range(1, 502))}, "ids"),
    (
        "POST",
        "/reports/",
        {"format": "csv", "date_from": "2024-01-01", "date_to": "2025-01-02"},
        "date_to",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), OVERSIZED, ids=[f"{p} {f}" for _m, p, _b, f in OVERSIZED])
def test_every_string_list_and_span_has_a_bound(client, people, method, path, body, field):
    headers = bearer(login(client, "alice")["access_token"])

    response = client.open("/api/v1" + path, method=method, json=body, headers=headers)

    assert field in refused(response, 422)["errors"]["json"]


@pytest.mark.parametrize(
    "query",
    [{"q": "x" * 101, "type": "users"}, {"q": "run", "type": "users", "limit": 51}],
    ids=["words", "limit"],
)
def test_a_search_is_bounded(client, people, query):
    headers = bearer(login(client, "alice")["access_token"])

    response = client.get("/api/v1/search/", query_string=query, headers=headers)

    assert set(refused(response, 422)["errors"]["query"]) <= {"q", "limit"}


def test_analytics_span_at_most_a_year(client, people):
    headers = bearer(login(client, "coach")["access_token"])
    today = date.today()
    span = {"date_from": (today - timedelta(days=366)).isoformat(), "date_to": today.isoformat()}

    response = client.get("/api/v1/analytics/workouts/", query_string=span, headers=headers)

    assert "date_to" in refused(response, 422)["errors"]["query"]


# --- how often one may ask -----------------------------------------------------------------------------------


def test_the_limit_per_address_answers_429_with_retry_after_and_ratelimit_headers(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute").test_client()
    make_user(username="alice")
    headers = bearer(login(client, "alice")["access_token"])

    answers = [client.get("/api/v1/fitness-goals/", headers=headers) for _ in range(4)]
    elsewhere = client.get("/api/v1/fitness-goals/", headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.9"})

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in answers[:3]] == ["2", "1", "0"]
    assert all(r.headers["RateLimit-Limit"] == "3" and int(r.headers["RateLimit-Reset"]) > 0 for r in answers)
    limited = answers[-1]
    refused(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert elsewhere.status_code == 200


def test_a_limit_per_person_follows_the_person_not_the_address(app_factory, make_user):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_POSTS="2 per minute").test_client()
    make_user(username="alice")
    make_user(username="bob")
    alice, bob = (bearer(login(client, name)["access_token"]) for name in ("alice", "bob"))

    def post(headers, address="192.0.2.1"):
        body = {"text": "Run", "visibility": "public"}
        return client.post("/api/v1/posts/", json=body, headers=headers, environ_base={"REMOTE_ADDR": address})

    answers = [post(alice).status_code for _ in range(2)]
    limited = post(alice, "192.0.2.77")

    assert answers == [201, 201]
    refused(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert post(bob).status_code == 201  # same address, another person


def _rate_settings() -> dict[str, str]:
    """Every rate the config knows (RATELIMIT_DEFAULT, _LOGIN, _POSTS, …), each set to one per minute."""
    return {
        name: "1 per minute"
        for name in dir(config.Config)
        if name.startswith("RATELIMIT_") and re.fullmatch(r"\d+ per .*", str(getattr(config.Config, name)))
    }


def fill(part: re.Match) -> str:
    """A path variable's value: 1, or the first choice of an `any(...)` part."""
    choices = re.match(r"<any\(([^,)]+)", part.group(0))
    return choices.group(1).strip() if choices else "1"


# Routes no limit applies to, on purpose (tests/test_server_limits.py and tests/telegram check them otherwise).
UNLIMITED = {"/api/v1/telegram/webhook/<string:secret>": "Telegram's calls, authenticated by a secret in the path"}


def test_every_endpoint_is_rate_limited(app_factory, make_user):
    """With every rate set to one per minute, each route's second call is a 429 in the one error shape,
    whatever the caller is allowed to do there (the limit is checked before the route answers).

    Checked as in a server that has been up a while: flask-limiter learns that a view method carries its own
    limit only when that method first runs, and then changes how it limits the view's other methods
    (app/extensions.py). So every method of every route is called once first, by another person from another
    address at the usual rates."""
    app = app_factory(RATELIMIT_ENABLED=True)
    make_user(username="alice")
    make_user(username="bob")
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/") and rule.rule not in UNLIMITED),
        key=lambda rule: rule.rule in ("/api/v1/logout/", "/api/v1/logout-all/"),  # they end the session: last
    )
    assert len(rules) > 100

    earlier = app.test_client()
    earlier.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    bob = bearer(login(earlier, "bob")["access_token"])
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            earlier.open(re.sub(r"<[^>]+>", fill, rule.rule), method=method, json={}, headers=bob)

    client = app.test_client()
    headers = bearer(login(client, "alice")["access_token"])
    app.config.update(_rate_settings())  # rates are read per request: the calls above had the usual ones
    unlimited = []
    for rule in rules:
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        url = re.sub(r"<[^>]+>", fill, rule.rule)
        answers = [client.open(url, method=method, json={}, headers=headers) for _ in range(2)]
        if answers[1].status_code != 429 or (answers[1].json or {}).get("code") != 429:
            unlimited.append((method, rule.rule, [a.status_code for a in answers]))

    assert unlimited == []
