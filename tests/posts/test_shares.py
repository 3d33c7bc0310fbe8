"""Shares: a new post showing its original as each viewer may see it, or a tombstone; the original's author is
told; what may be shared, and how visibly."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Notification
from tests.factories.friends import befriend
from tests.factories.posts import PostFactory, ShareFactory

TOMBSTONE = {"id": None, "is_available": False}


def notices(app, recipient_id: int, type: str) -> list[Notification]:
    with app.app_context():
        return db.session.query(Notification).filter_by(recipient_id=recipient_id, type=type).all()


def test_a_share_shows_its_original_and_tells_its_author(app, api, social, make, emitted):
    original = make(PostFactory, author_id=social["author"], text="Original")

    response = api("friend", "POST", f"/posts/{original}/share/", {"text": "Look at this"})

    assert response.status_code == 201
    share = response.json
    assert share["is_share"] is True and share["text"] == "Look at this"
    assert share["shared_post_id"] == original
    assert share["shared_post"]["text"] == "Original" and share["shared_post"]["is_available"] is True
    assert "shared_post" not in share["shared_post"]  # no nesting
    assert api("author", "GET", f"/posts/{original}/").json["shares_count"] == 1
    [notice] = notices(app, social["author"], "share")
    assert notice.actor_id == social["friend"] and notice.target_id == share["id"]
    assert [e[1] for e in emitted if e[0] == social["author"]] == ["notification", "unread_count"]


def test_sharing_ones_own_post_tells_no_one(app, api, social, make):
    original = make(PostFactory, author_id=social["author"])

    assert api("author", "POST", f"/posts/{original}/share/", {}).status_code == 201
    assert notices(app, social["author"], "share") == []


def test_a_share_of_a_share_shares_the_original(app, api, social, make):
    original = make(PostFactory, author_id=social["author"])
    first = api("friend", "POST", f"/posts/{original}/share/", {}).json

    second = api("friend_of_friend", "POST", f"/posts/{first['id']}/share/", {}).json

    assert second["shared_post_id"] == original
    assert api("author", "GET", f"/posts/{original}/").json["shares_count"] == 2
    assert api("author", "GET", f"/posts/{first['id']}/").json["shares_count"] == 0
    assert len(notices(app, social["author"], "share")) == 2
    assert notices(app, social["friend"], "share") == []


def test_a_share_of_a_friends_only_post_may_not_be_public(api, social, make):
    original = make(PostFactory, author_id=social["author"], visibility="friends")

    refused = api("friend", "POST", f"/posts/{original}/share/", {"visibility": "public"})

    assert refused.status_code == 422 and "visibility" in refused.json["errors"]["json"]
    assert api("friend", "POST", f"/posts/{original}/share/", {"visibility": "private"}).status_code == 201


def test_a_shares_visibility_defaults_to_what_the_original_allows(api, social, make):
    friends_only = make(PostFactory, author_id=social["author"], visibility="friends")
    public = make(PostFactory, author_id=social["author"], visibility="public")

    assert api("friend", "POST", f"/posts/{friends_only}/share/", {}).json["visibility"] == "friends"
    assert api("friend", "POST", f"/posts/{public}/share/", {}).json["visibility"] == "public"


def test_a_private_post_cannot_be_shared_even_by_its_author(api, social, make):
    original = make(PostFactory, author_id=social["author"], visibility="private")

    response = api("author", "POST", f"/posts/{original}/share/", {})

    assert response.status_code == 422 and "post_id" in response.json["errors"]["path"]


def test_a_friends_only_original_reaches_only_those_who_may_see_it(api, social, make):
    """bob shares alice's friends-only post with his friends: carol (his friend, not alice's) sees the share and
    a tombstone where the original would be."""
    original = make(PostFactory, author_id=social["author"], visibility="friends", text="For friends")
    share = api("friend", "POST", f"/posts/{original}/share/", {"visibility": "friends"}).json

    as_carol = api("friend_of_friend", "GET", f"/posts/{share['id']}/")
    as_alice = api("author", "GET", f"/posts/{share['id']}/")

    assert as_carol.status_code == 200
    assert as_carol.json["shared_post"] == TOMBSTONE and as_carol.json["shared_post_id"] is None
    assert as_alice.json["shared_post"]["text"] == "For friends"
    listed = api("friend_of_friend", "GET", f"/users/{social['friend']}/posts/").json["items"]
    assert [item["shared_post"] for item in listed] == [TOMBSTONE]


def test_a_deleted_original_leaves_a_tombstone(api, social, make):
    original = make(PostFactory, author_id=social["author"])
    share = api("friend", "POST", f"/posts/{original}/share/", {}).json

    api("author", "DELETE", f"/posts/{original}/")

    assert api("friend", "GET", f"/posts/{share['id']}/").json["shared_post"] == TOMBSTONE
    assert api("stranger", "POST", f"/posts/{share['id']}/share/", {}).status_code == 404


def test_an_original_made_private_later_becomes_a_tombstone(api, social, make):
    original = make(PostFactory, author_id=social["author"])
    share = api("friend", "POST", f"/posts/{original}/share/", {}).json

    api("author", "PATCH", f"/posts/{original}/", {"visibility": "private"})

    assert api("stranger", "GET", f"/posts/{share['id']}/").json["shared_post"] == TOMBSTONE
    assert api("author", "GET", f"/posts/{share['id']}/").json["shared_post"]["is_available"] is True


def test_a_hidden_original_is_a_tombstone_for_all_but_its_author_and_moderators(api, social, make):
    original = make(PostFactory, author_id=social["author"], hidden_at=datetime(2026, 1, 1, tzinfo=UTC))
    share = make(ShareFactory, author_id=social["friend"], shared_post_id=original)

    assert api("stranger", "GET", f"/posts/{share}/").json["shared_post"] == TOMBSTONE
    assert api("moderator", "GET", f"/posts/{share}/").json["shared_post"]["is_hidden"] is True
    assert api("author", "GET", f"/posts/{share}/").json["shared_post"]["is_hidden"] is True
    assert api("author", "POST", f"/posts/{original}/share/", {}).status_code == 422


def test_a_blocked_viewer_sees_a_tombstone_in_a_third_persons_share(api, social, make):
    """mallory (blocked by alice) follows dave, who shared alice's public post."""
    original = make(PostFactory, author_id=social["author"])
    share = make(ShareFactory, author_id=social["stranger"], shared_post_id=original)

    assert api("blocked", "GET", f"/posts/{share}/").json["shared_post"] == TOMBSTONE
    assert api("blocker", "GET", f"/posts/{share}/").json["shared_post"] == TOMBSTONE
    assert api("blocked", "POST", f"/posts/{original}/share/", {}).status_code == 404


def test_a_share_is_reacted_to_and_commented_on_as_a_post(api, social, make):
    share = make(ShareFactory, author_id=social["friend"])

    assert api("stranger", "PUT", f"/posts/{share}/reaction/", {"kind": "haha"}).status_code == 200
    assert api("stranger", "POST", f"/posts/{share}/comments/", {"text": "Ha"}).status_code == 201
    view = api("friend", "GET", f"/posts/{share}/").json
    assert view["reactions"] == {"haha": 1} and view["comments_count"] == 1
    assert view["shared_post"]["reactions"] == {}


def test_a_shares_visibility_cannot_be_edited_past_its_original(api, social, make):
    original = make(PostFactory, author_id=social["author"], visibility="friends")
    share = api("friend", "POST", f"/posts/{original}/share/", {}).json

    response = api("friend", "PATCH", f"/posts/{share['id']}/", {"visibility": "public"})

    assert response.status_code == 422 and "visibility" in response.json["errors"]["json"]
    assert api("friend", "PATCH", f"/posts/{share['id']}/", {"text": ""}).status_code == 200  # a share may be bare


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visibility": "world"}, "visibility"),
        ({"text": "x" * 5001}, "text"),
        ({"text": None}, "text"),
        ({"shared_post_id": 1}, "shared_post_id"),
        ({"media_ids": [1]}, "media_ids"),
    ],
)
def test_a_bad_share_is_a_422_naming_the_field(api, social, make, body, field):
    original = make(PostFactory, author_id=social["author"])

    response = api("friend", "POST", f"/posts/{original}/share/", body)

    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_friends_of_the_sharer_who_are_friends_of_the_author_see_the_original(app, api, social, make):
    with app.app_context():
        befriend(social["author"], social["friend_of_friend"])
    original = make(PostFactory, author_id=social["author"], visibility="friends")
    share = make(ShareFactory, author_id=social["friend"], shared_post_id=original, visibility="friends")

    assert api("friend_of_friend", "GET", f"/posts/{share}/").json["shared_post"]["id"] == original
