"""Per-person limits on creating posts (and shares), comments and reactions."""

import pytest

from tests.conftest import bearer, login
from tests.factories.posts import PostFactory


@pytest.fixture
def limited(app_factory, make_user):
    """An app with limits on, alice and bob signed in, and a post of bob's: `(client, alice, bob, post_id)`."""
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_POSTS="2 per minute",
        RATELIMIT_COMMENTS="2 per minute",
        RATELIMIT_REACTIONS="2 per minute",
    )
    client = app.test_client()
    make_user(username="alice")
    bob = make_user(username="bob")
    with app.app_context():
        post_id = PostFactory(author_id=bob).id
    alice_headers = bearer(login(client, "alice")["access_token"])
    bob_headers = bearer(login(client, "bob")["access_token"])
    return client, alice_headers, bob_headers, post_id


def test_posts_are_limited_per_person(limited):
    client, alice, bob, post_id = limited

    statuses = [client.post("/api/v1/posts/", json={"text": f"p{n}"}, headers=alice).status_code for n in range(3)]

    assert statuses == [201, 201, 429]
    assert client.post("/api/v1/posts/", json={"text": "bob's"}, headers=bob).status_code == 201


def test_shares_are_limited_per_person_at_the_rate_of_posts(limited):
    client, alice, bob, post_id = limited
    url = f"/api/v1/posts/{post_id}/share/"

    statuses = [client.post(url, json={}, headers=alice).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]


def test_comments_are_limited_per_person(limited):
    client, alice, bob, post_id = limited
    url = f"/api/v1/posts/{post_id}/comments/"

    statuses = [client.post(url, json={"text": f"c{n}"}, headers=alice).status_code for n in range(3)]

    assert statuses == [201, 201, 429]
    limited_response = client.post(url, json={"text": "again"}, headers=alice)
    assert limited_response.json["code"] == 429 and int(limited_response.headers["Retry-After"]) > 0


def test_reactions_are_limited_per_person(limited):
    client, alice, bob, post_id = limited
    url = f"/api/v1/posts/{post_id}/reaction/"

    statuses = [client.put(url, json={"kind": kind}, headers=alice).status_code for kind in ("like", "wow", "sad")]

    assert statuses == [200, 200, 429]
    assert client.put(url, json={"kind": "like"}, headers=bob).status_code == 200
