"""The privacy matrix through HTTP: {public, friends, private} posts × {stranger, friend, friend of a friend,
blocked (either way), author, moderator (trainer), admin} on reading a post, the author's post list, the comment
thread, commenting, reacting and sharing.

Who sees what is the one rule of app/services/visibility.py: a public post is seen by everyone not blocked either
way, a friends-only post by the author's friends, a private one by its author; admins see past privacy; a trainer
moderates hidden content but has no more of privacy than anyone. A post one may not see is 404 everywhere."""

import pytest

from tests.factories.posts import PostFactory
from tests.fixtures.social import VIEWERS

SEES = {
    "public": {"author", "friend", "friend_of_friend", "stranger", "moderator", "admin"},
    "friends": {"author", "friend", "admin"},
    "private": {"author", "admin"},
}
CASES = [(visibility, viewer) for visibility in SEES for viewer in VIEWERS]


@pytest.fixture
def post_of(social, make):
    def post(visibility: str) -> int:
        return make(PostFactory, author_id=social["author"], visibility=visibility, text=f"A {visibility} post")

    return post


def expected(visibility: str, viewer: str, status: int) -> int:
    return status if viewer in SEES[visibility] else 404


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_reading_a_post(api, post_of, visibility, viewer):
    post_id = post_of(visibility)

    response = api(viewer, "GET", f"/posts/{post_id}/")

    assert response.status_code == expected(visibility, viewer, 200)
    if response.status_code == 200:
        assert response.json["id"] == post_id and response.json["text"] == f"A {visibility} post"
    else:
        assert "text" not in response.json


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_the_authors_post_list(api, social, post_of, visibility, viewer):
    post_id = post_of(visibility)

    response = api(viewer, "GET", f"/users/{social['author']}/posts/")

    if viewer in ("blocked", "blocker"):
        assert response.status_code == 404  # the author is not there at all for them
        return
    assert response.status_code == 200
    listed = [item["id"] for item in response.json["items"]]
    assert listed == ([post_id] if viewer in SEES[visibility] else [])


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_the_comment_thread(api, post_of, visibility, viewer):
    post_id = post_of(visibility)

    response = api(viewer, "GET", f"/posts/{post_id}/comments/")

    assert response.status_code == expected(visibility, viewer, 200)


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_commenting(api, post_of, visibility, viewer):
    post_id = post_of(visibility)

    response = api(viewer, "POST", f"/posts/{post_id}/comments/", {"text": "Nice one"})

    assert response.status_code == expected(visibility, viewer, 201)


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_reacting(api, post_of, visibility, viewer):
    post_id = post_of(visibility)

    response = api(viewer, "PUT", f"/posts/{post_id}/reaction/", {"kind": "love"})

    assert response.status_code == expected(visibility, viewer, 200)
    if response.status_code == 200:
        assert response.json["my_reaction"] == "love" and response.json["reactions"] == {"love": 1}


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_sharing(api, post_of, visibility, viewer):
    """A private post cannot be shared (422) by those who see it; a friends-only one only as friends or private."""
    post_id = post_of(visibility)
    body = {"visibility": "friends"} if visibility == "friends" else {}

    response = api(viewer, "POST", f"/posts/{post_id}/share/", body)

    assert response.status_code == expected(visibility, viewer, 422 if visibility == "private" else 201)
    if response.status_code == 201:
        assert response.json["shared_post"]["id"] == post_id


@pytest.mark.parametrize(("visibility", "viewer"), CASES)
def test_changing_a_post_is_for_its_author_alone(api, post_of, visibility, viewer):
    post_id = post_of(visibility)
    status = 200 if viewer == "author" else expected(visibility, viewer, 403)

    assert api(viewer, "PATCH", f"/posts/{post_id}/", {"text": "Changed"}).status_code == status
    assert api(viewer, "DELETE", f"/posts/{post_id}/").status_code == (204 if status == 200 else status)
