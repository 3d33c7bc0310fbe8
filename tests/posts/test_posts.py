"""Posts through HTTP: creating with text and media, the view, editing, deleting, a person's timeline, hidden
posts, validation and hostile input."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import MediaAsset, MediaKind, MediaStatus, User
from tests.factories.posts import (
    CommentFactory,
    PostFactory,
    PostImageFactory,
    ReactionFactory,
    ReadyImageFactory,
    ShareFactory,
)

HIDDEN = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_post_of_text_has_the_documented_shape(api, social):
    response = api("author", "POST", "/posts/", {"text": "Morning run", "visibility": "friends"})

    assert response.status_code == 201
    body = response.json
    assert body["author"] == {"id": social["author"], "username": "alice", "avatar": None}
    assert body | {"id": 0, "created_at": None} == {
        "id": 0,
        "author": body["author"],
        "text": "Morning run",
        "visibility": "friends",
        "group_id": None,
        "media": [],
        "reactions": {},
        "my_reaction": None,
        "comments_count": 0,
        "shares_count": 0,
        "is_share": False,
        "shared_post_id": None,
        "shared_post": None,
        "created_at": None,
        "edited_at": None,
        "is_hidden": False,
    }
    assert api("friend", "GET", f"/posts/{body['id']}/").json == body | {"author": body["author"]}


def test_visibility_defaults_to_the_authors_profile_privacy(app, api, social):
    with app.app_context():
        db.session.get(User, social["author"]).privacy = "friends"
        db.session.commit()

    response = api("author", "POST", "/posts/", {"text": "Hi"})

    assert response.json["visibility"] == "friends"


def test_media_are_claimed_in_the_order_given(app, api, social, make):
    first, second = (make(ReadyImageFactory, owner_id=social["author"]) for _ in range(2))

    response = api("author", "POST", "/posts/", {"media_ids": [second, first]})

    assert response.status_code == 201
    assert [m["id"] for m in response.json["media"]] == [second, first]
    assert response.json["media"][0] == {
        "id": second,
        "kind": "image",
        "status": "ready",
        "urls": {"display": f"/api/v1/media/{second}/display", "thumb": f"/api/v1/media/{second}/thumb"},
    }
    with app.app_context():
        assert db.session.get(MediaAsset, first).attached_at is not None
    again = api("author", "POST", "/posts/", {"media_ids": [first]})
    assert again.status_code == 422 and "media_ids" in again.json["errors"]["json"]


def test_someone_elses_upload_is_no_such_upload(api, social, make):
    theirs = make(ReadyImageFactory, owner_id=social["friend"])

    response = api("author", "POST", "/posts/", {"text": "Stolen", "media_ids": [theirs]})

    assert response.status_code == 404
    assert api("author", "GET", f"/users/{social['author']}/posts/").json["items"] == []  # nothing half-written


def test_a_video_goes_alone(api, social, make):
    video = make(ReadyImageFactory, owner_id=social["author"], kind=MediaKind.VIDEO, content_type="video/mp4")
    image = make(ReadyImageFactory, owner_id=social["author"])

    response = api("author", "POST", "/posts/", {"media_ids": [video, image]})

    assert response.status_code == 422 and "media_ids" in response.json["errors"]["json"]


def test_a_failed_upload_cannot_be_posted(api, social, make):
    failed = make(ReadyImageFactory, owner_id=social["author"], status=MediaStatus.FAILED)

    assert api("author", "POST", "/posts/", {"media_ids": [failed]}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "Hi", "visibility": "everyone"}, "visibility"),
        ({"text": "Hi", "media_ids": list(range(1, 12))}, "media_ids"),
        ({"text": "Hi", "media_ids": [0]}, "media_ids"),
        ({"text": "Hi", "media_ids": [2**40]}, "media_ids"),
        ({"text": "Hi", "media_ids": [1, 1]}, "media_ids"),
        ({"text": 5}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": "Hi", "media_ids": "1"}, "media_ids"),
        ({"text": "Hi", "author_id": 1}, "author_id"),
        ({"text": "Hi", "is_share": True}, "is_share"),
        ({"text": "a\u0000b"}, "text"),
    ],
)
def test_a_bad_post_is_a_422_naming_the_field(api, social, make, body, field):
    if body.get("media_ids") == [1, 1]:
        body = {**body, "media_ids": [make(ReadyImageFactory, owner_id=social["author"])] * 2}

    response = api("author", "POST", "/posts/", body)

    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]


def test_a_lone_surrogate_in_text_is_a_422(client, social, headers_of):
    response = client.post(
        "/api/v1/posts/",
        data='{"text": "\\ud800"}',
        content_type="application/json",
        headers=headers_of("alice"),
    )

    assert response.status_code == 422 and "text" in response.json["errors"]["json"]


@pytest.mark.parametrize("path", ["/posts/99999999999/", "/posts/0/", "/posts/-1/", "/posts/abc/"])
def test_a_post_id_no_post_can_have_is_a_404(api, social, path):
    assert api("author", "GET", path).status_code == 404


def test_the_view_counts_reactions_comments_and_shares(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    make(ReactionFactory, post_id=post_id, user_id=social["friend"], kind="love")
    make(ReactionFactory, post_id=post_id, user_id=social["stranger"], kind="love")
    make(ReactionFactory, post_id=post_id, user_id=social["author"], kind="wow")
    make(CommentFactory, post_id=post_id, author_id=social["friend"])
    make(ShareFactory, author_id=social["friend"], shared_post_id=post_id)

    as_friend = api("friend", "GET", f"/posts/{post_id}/").json

    assert as_friend["reactions"] == {"love": 2, "wow": 1}
    assert as_friend["my_reaction"] == "love"
    assert as_friend["comments_count"] == 1 and as_friend["shares_count"] == 1
    assert api("friend_of_friend", "GET", f"/posts/{post_id}/").json["my_reaction"] is None


def test_editing_sets_edited_at_and_keeps_the_media(api, social, make):
    image = make(ReadyImageFactory, owner_id=social["author"])
    post = api("author", "POST", "/posts/", {"text": "Before", "media_ids": [image]}).json

    edited = api("author", "PATCH", f"/posts/{post['id']}/", {"text": "", "visibility": "private"})

    assert edited.status_code == 200
    assert edited.json["text"] == "" and edited.json["visibility"] == "private"
    assert edited.json["edited_at"] is not None and [m["id"] for m in edited.json["media"]] == [image]
    assert api("friend", "GET", f"/posts/{post['id']}/").status_code == 404


def test_an_edit_that_changes_nothing_leaves_edited_at(api, social, make):
    post_id = make(PostFactory, author_id=social["author"], text="Same")

    assert api("author", "PATCH", f"/posts/{post_id}/", {"text": "Same"}).json["edited_at"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"media_ids": []}, "media_ids"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"visibility": "nobody"}, "visibility"),
        ({"visibility": None}, "visibility"),
    ],
)
def test_a_bad_edit_is_a_422_naming_the_field(api, social, make, body, field):
    post_id = make(PostFactory, author_id=social["author"])

    response = api("author", "PATCH", f"/posts/{post_id}/", body)

    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_deleting_a_post_takes_its_comments_and_reactions(app, api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    make(CommentFactory, post_id=post_id, author_id=social["friend"])
    make(ReactionFactory, post_id=post_id, user_id=social["friend"])

    assert api("author", "DELETE", f"/posts/{post_id}/").status_code == 204
    assert api("author", "GET", f"/posts/{post_id}/").status_code == 404
    assert api("author", "DELETE", f"/posts/{post_id}/").status_code == 404


def test_a_persons_posts_newest_first_page_by_page(api, social, make):
    ids = [make(PostFactory, author_id=social["author"]) for _ in range(5)]
    make(PostFactory, author_id=social["friend"])  # someone else's

    first = api("stranger", "GET", f"/users/{social['author']}/posts/?limit=2").json
    second = api("stranger", "GET", f"/users/{social['author']}/posts/?limit=2&cursor={first['next_cursor']}").json
    third = api("stranger", "GET", f"/users/{social['author']}/posts/?limit=2&cursor={second['next_cursor']}").json

    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert seen == ids[::-1]
    assert third["next_cursor"] is None


@pytest.mark.parametrize("query", ["cursor=nonsense", "limit=0", "limit=101", "limit=abc", "cursor=" + "x" * 501])
def test_bad_timeline_arguments_are_a_422_naming_them(api, social, query):
    response = api("author", "GET", f"/users/{social['author']}/posts/?{query}")

    assert response.status_code == 422
    assert query.split("=")[0] in response.json["errors"]["query"]


def test_a_cursor_of_another_list_is_refused(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    for _ in range(2):
        api("friend", "POST", f"/posts/{post_id}/comments/", {"text": "Hey"})
    cursor = api("friend", "GET", f"/posts/{post_id}/comments/?limit=1").json["next_cursor"]

    response = api("author", "GET", f"/users/{social['author']}/posts/?cursor={cursor}")

    assert response.status_code == 422 and "cursor" in response.json["errors"]["query"]


def test_the_posts_of_no_one_or_of_an_inactive_account_are_a_404(app, api, social, make):
    make(PostFactory, author_id=social["friend"])
    with app.app_context():
        db.session.get(User, social["friend"]).deleted_at = HIDDEN
        db.session.commit()

    assert api("author", "GET", "/users/99999/posts/").status_code == 404
    assert api("author", "GET", f"/users/{social['friend']}/posts/").status_code == 404


def test_an_inactive_authors_post_is_gone(app, api, social, make):
    post_id = make(PostFactory, author_id=social["friend"])
    with app.app_context():
        db.session.get(User, social["friend"]).deactivated_at = HIDDEN
        db.session.commit()

    assert api("author", "GET", f"/posts/{post_id}/").status_code == 404
    assert api("admin", "GET", f"/posts/{post_id}/").status_code == 404


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("author", 200),
        ("moderator", 200),
        ("admin", 200),
        ("friend", 404),
        ("stranger", 404),
    ],
)
def test_a_hidden_post_is_seen_only_by_its_author_marked_and_by_moderators(api, social, make, viewer, status):
    post_id = make(PostFactory, author_id=social["author"], hidden_at=HIDDEN)

    response = api(viewer, "GET", f"/posts/{post_id}/")
    listed = api(viewer, "GET", f"/users/{social['author']}/posts/").json["items"]

    assert response.status_code == status
    assert [item["id"] for item in listed] == ([post_id] if status == 200 else [])
    if status == 200:
        assert response.json["is_hidden"] is True
    assert api(viewer, "PUT", f"/posts/{post_id}/reaction/", {"kind": "like"}).status_code == status


def test_the_author_may_still_edit_and_delete_a_hidden_post(api, social, make):
    post_id = make(PostFactory, author_id=social["author"], hidden_at=HIDDEN)

    edited = api("author", "PATCH", f"/posts/{post_id}/", {"text": "Sorry"})

    assert edited.status_code == 200 and edited.json["is_hidden"] is True
    assert api("moderator", "PATCH", f"/posts/{post_id}/", {"text": "Mod"}).status_code == 403
    assert api("author", "DELETE", f"/posts/{post_id}/").status_code == 204


def test_media_of_a_post_are_listed_in_position_order(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    images = [make(ReadyImageFactory, owner_id=social["author"]) for _ in range(3)]
    for position, image in reversed(list(enumerate(images))):
        make(PostImageFactory, post_id=post_id, position=position, media_id=image)

    assert [m["id"] for m in api("friend", "GET", f"/posts/{post_id}/").json["media"]] == images
