"""CORS as a browser SPA on another origin sees it: which headers its script may read, and no CORS headers
for callers that sent no Origin (they are not browsers doing CORS)."""

import pytest

from tests.conftest import bearer, login

SPA = "https://app.example"
EXPOSED = {
    "x-pagination",
    "content-disposition",
    "retry-after",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "x-request-id",
}


def exposed(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("Access-Control-Expose-Headers", "").split(",")}


@pytest.fixture
def spa_client(app_factory):
    return app_factory(CORS_ORIGINS=[SPA]).test_client()


def test_a_cross_origin_spa_may_read_pagination_request_id_rate_limit_and_download_headers(spa_client, make_user):
    make_user(username="alice")
    tokens = login(spa_client, "alice")
    response = spa_client.get("/api/v1/exercises/", headers={"Origin": SPA, **bearer(tokens["access_token"])})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SPA
    assert "X-Pagination" in response.headers
    assert EXPOSED <= exposed(response)


def test_a_throttled_cross_origin_call_still_lets_the_spa_read_retry_after(app_factory):
    client = app_factory(CORS_ORIGINS=[SPA], RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute").test_client()
    client.get("/api/v1/openapi.json", headers={"Origin": SPA})

    response = client.get("/api/v1/openapi.json", headers={"Origin": SPA})

    assert response.status_code == 429
    assert response.headers["Access-Control-Allow-Origin"] == SPA
    assert "Retry-After" in response.headers
    assert {"retry-after", "ratelimit-reset"} <= exposed(response)


def test_a_preflight_allows_the_authorization_header_and_credentials(spa_client):
    response = spa_client.options(
        "/api/v1/fitness-goals/",
        headers={
            "Origin": SPA,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-csrf-token",
        },
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SPA
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


def test_a_request_without_origin_gets_no_cors_headers(spa_client):
    response = spa_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]


def test_an_unlisted_origin_gets_no_cors_headers(spa_client):
    response = spa_client.get("/api/v1/openapi.json", headers={"Origin": "https://evil.example"})

    assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]
