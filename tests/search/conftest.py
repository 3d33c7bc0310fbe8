"""The social cast (tests/fixtures/social.py: alice posts, bob is her friend, carol bob's, dave a stranger, alice
blocked mallory, eve blocked alice, mod moderates, root administers) and a search as any of them."""

import pytest

from tests.fixtures.social import USERNAMES


@pytest.fixture
def search(client, headers_of):
    """`search(viewer, q, type, **more)`: the response of GET /search/ as one of the cast (a role or a username)."""

    def call(viewer: str, q: str, type: str, **more):
        headers = headers_of(USERNAMES.get(viewer, viewer))
        return client.get("/api/v1/search/", query_string={"q": q, "type": type, **more}, headers=headers)

    return call


@pytest.fixture
def found(search):
    """`found(viewer, q, type, **more)`: the ids of the first page of results, in order (asserting a 200)."""

    def ids(viewer: str, q: str, type: str, **more) -> list[int]:
        response = search(viewer, q, type, **more)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    return ids
