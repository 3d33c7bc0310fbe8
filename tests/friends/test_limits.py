"""Per-person rate limits on sending friend requests and on blocking (429 with Retry-After); other people keep
their own budget."""

import pytest

from tests.conftest import bearer, login
from tests.friends.conftest import Social


@pytest.fixture
def limited(app_factory, folk):
    """The friends API of an app with limits on: two requests and two blocks a minute per person."""
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_FRIEND_REQUESTS="2 per minute", RATELIMIT_BLOCKS="2 per minute")
    client = app.test_client()
    cache = {}

    def headers_of(name: str) -> dict:
        if name not in cache:
            cache[name] = bearer(login(client, name)["access_token"])
        return cache[name]

    return Social(app, client, headers_of, folk)


def test_sending_friend_requests_is_limited_per_person(limited):
    statuses = [limited.send("ann", other).status_code for other in ("bob", "cat", "dan")]

    assert statuses == [201, 201, 429]
    refused = limited.send("ann", "root")
    assert refused.json["code"] == 429 and int(refused.headers["Retry-After"]) > 0
    assert limited.send("bob", "cat").status_code == 201  # bob's budget is his own


def test_blocking_is_limited_per_person(limited):
    statuses = [limited.block("ann", other).status_code for other in ("bob", "cat", "dan")]

    assert statuses == [201, 201, 429]
    assert limited.block("bob", "cat").status_code == 201
