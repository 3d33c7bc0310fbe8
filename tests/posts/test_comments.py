"""Comments: the thread (oldest first, page by page), adding, editing and deleting them, notifications, blocks
and hidden comments."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Notification
from tests.factories.friends import block
from tests.factories.posts import CommentFactory, PostFactory

HIDDEN = datetime(2026, 1, 1, tzinfo=UTC)


def comment_notices(app, recipient_id: int) -> list[Notification]:
    with app.app_context():
        return db.session.query(Notification).filter_by(recipient_id=recipient_id, type="comment").all()


def thread(api, viewer: str, post_id: int) -> list[str]:
    return [c["text"] for c in api(viewer, "GET", f"/posts/{post_id}/comments/?limit=100").json["items"]]


def test_a_comment_has_the_documented_shape_and_tells_the_post_author(app, api, social, make):
    post_id = make(PostFactory, author_id=social["author"])

    response = api("friend", "POST", f"/posts/{post_id}/comments/", {"text": "Great pace!"})

    assert response.status_code == 201
    body = response.json
    assert body | {"id": 0, "created_at": None} == {
        "id": 0,
        "post_id": post_id,
        "author": {"id": social["friend"], "username": "bob", "avatar": None},
        "text": "Great pace!",
        "created_at": None,
        "edited_at": None,
        "is_hidden": False,
    }
    [notice] = comment_notices(app, social["author"])
    assert notice.actor_id == social["friend"] and notice.target_id == post_id
    assert notice.data == {"comment_id": body["id"]}


def test_commenting_on_ones_own_post_tells_no_one(app, api, social, make):
    post_id = make(PostFactory, author_id=social["author"])

    api("author", "POST", f"/posts/{post_id}/comments/", {"text": "Mine"})

    assert comment_notices(app, social["author"]) == []


def test_the_thread_reads_oldest_first_page_by_page(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    for n in range(5):
        api("friend", "POST", f"/posts/{post_id}/comments/", {"text": f"c{n}"})

    texts, cursor = [], None
    for _ in range(3):
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api("stranger", "GET", f"/posts/{post_id}/comments/{query}").json
        texts += [c["text"] for c in page["items"]]
        cursor = page["next_cursor"]

    assert texts == [f"c{n}" for n in range(5)] and cursor is None


def test_blocked_peoples_comments_are_invisible_to_each_other(app, api, social, make):
    """On bob's public post: alice blocked mallory, so neither sees the other's comment; bob sees both."""
    post_id = make(PostFactory, author_id=social["friend"])
    api("author", "POST", f"/posts/{post_id}/comments/", {"text": "from alice"})
    api("blocked", "POST", f"/posts/{post_id}/comments/", {"text": "from mallory"})
    mallorys = make(CommentFactory, post_id=post_id, author_id=social["blocked"], text="another")

    assert thread(api, "friend", post_id) == ["from alice", "from mallory", "another"]
    assert thread(api, "author", post_id) == ["from alice"]
    assert thread(api, "blocked", post_id) == ["from mallory", "another"]
    assert api("author", "GET", f"/posts/{post_id}/").json["comments_count"] == 1
    assert api("friend", "GET", f"/posts/{post_id}/").json["comments_count"] == 3
    assert api("author", "DELETE", f"/comments/{mallorys}/").status_code == 404
    assert api("author", "PATCH", f"/comments/{mallorys}/", {"text": "x"}).status_code == 404


def test_a_block_after_commenting_hides_the_comments_too(app, api, social, make):
    post_id = make(PostFactory, author_id=social["friend"])
    api("stranger", "POST", f"/posts/{post_id}/comments/", {"text": "from dave"})
    with app.app_context():
        block(social["stranger"], social["friend_of_friend"])

    assert thread(api, "friend_of_friend", post_id) == []
    assert thread(api, "moderator", post_id) == ["from dave"]


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [("friend", True), ("moderator", True), ("admin", True), ("author", False), ("stranger", False)],
)
def test_a_hidden_comment_is_seen_only_by_its_author_and_moderators(api, social, make, viewer, sees):
    post_id = make(PostFactory, author_id=social["author"])
    comment_id = make(CommentFactory, post_id=post_id, author_id=social["friend"], text="rude", hidden_at=HIDDEN)

    items = api(viewer, "GET", f"/posts/{post_id}/comments/").json["items"]

    assert [(c["id"], c["is_hidden"]) for c in items] == ([(comment_id, True)] if sees else [])
    assert api(viewer, "GET", f"/posts/{post_id}/").json["comments_count"] == (1 if sees else 0)
    assert api(viewer, "DELETE", f"/comments/{comment_id}/").status_code == (
        204 if viewer == "friend" else 403 if sees else 404
    )


def test_a_comment_on_a_post_one_may_no_longer_see_is_gone(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    comment = api("stranger", "POST", f"/posts/{post_id}/comments/", {"text": "hello"}).json
    api("author", "PATCH", f"/posts/{post_id}/", {"visibility": "friends"})

    assert api("stranger", "PATCH", f"/comments/{comment['id']}/", {"text": "edit"}).status_code == 404
    assert api("stranger", "DELETE", f"/comments/{comment['id']}/").status_code == 404


def test_only_the_author_edits_a_comment(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    comment = api("friend", "POST", f"/posts/{post_id}/comments/", {"text": "first"}).json

    assert api("author", "PATCH", f"/comments/{comment['id']}/", {"text": "mine now"}).status_code == 403
    assert api("admin", "PATCH", f"/comments/{comment['id']}/", {"text": "mine now"}).status_code == 403
    edited = api("friend", "PATCH", f"/comments/{comment['id']}/", {"text": "second"})
    assert edited.status_code == 200
    assert edited.json["text"] == "second" and edited.json["edited_at"] is not None


@pytest.mark.parametrize(("viewer", "status"), [("friend", 204), ("author", 204), ("stranger", 403), ("admin", 403)])
def test_the_comment_author_or_the_post_author_deletes_a_comment(api, social, make, viewer, status):
    post_id = make(PostFactory, author_id=social["author"])
    comment = api("friend", "POST", f"/posts/{post_id}/comments/", {"text": "bye"}).json

    assert api(viewer, "DELETE", f"/comments/{comment['id']}/").status_code == status
    assert len(thread(api, "friend", post_id)) == (0 if status == 204 else 1)


def test_a_comment_that_does_not_exist_is_a_404(api, social):
    assert api("author", "PATCH", "/comments/424242/", {"text": "x"}).status_code == 404
    assert api("author", "DELETE", "/comments/424242/").status_code == 404
    assert api("author", "DELETE", f"/comments/{2**31}/").status_code == 404


@pytest.mark.parametrize(
    "body", [{}, {"text": ""}, {"text": "  \n "}, {"text": "x" * 2001}, {"text": 7}, {"text": None}, {"text": "a\x00"}]
)
def test_a_bad_comment_is_a_422_naming_text(api, social, make, body):
    post_id = make(PostFactory, author_id=social["author"])
    comment_id = make(CommentFactory, post_id=post_id, author_id=social["author"])

    added = api("author", "POST", f"/posts/{post_id}/comments/", body)
    edited = api("author", "PATCH", f"/comments/{comment_id}/", body)

    for response in (added, edited):
        assert response.status_code == 422 and "text" in response.json["errors"]["json"]


def test_a_comment_of_2000_characters_is_accepted(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])

    assert api("author", "POST", f"/posts/{post_id}/comments/", {"text": "é" * 2000}).status_code == 201
