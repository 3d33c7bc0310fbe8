"""The home feed through HTTP: whose posts it offers, what it never shows, how it follows friendships, and its
cursor while new posts arrive."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import FeedEntry, Post, User
from app.models.base import utcnow
from tests.factories.friends import befriend
from tests.factories.posts import PostFactory

HIDDEN = datetime(2026, 1, 1, tzinfo=UTC)


def feed_ids(api, viewer: str, query: str = "") -> list[int]:
    response = api(viewer, "GET", "/feed/" + query)
    assert response.status_code == 200, response.json
    return [post["id"] for post in response.json["items"]]


def post_as(api, viewer: str, text: str, visibility: str = "public") -> int:
    response = api(viewer, "POST", "/posts/", {"text": text, "visibility": visibility})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_the_feed_is_ones_own_and_friends_posts_newest_first(api, social):
    own = post_as(api, "author", "mine")
    friends = post_as(api, "friend", "bob's")
    post_as(api, "stranger", "a stranger's public post")
    carols = post_as(api, "friend_of_friend", "a friend of a friend's public post")
    later = post_as(api, "author", "mine again")

    assert feed_ids(api, "author") == [later, friends, own]
    assert feed_ids(api, "friend") == [later, carols, friends, own]


def test_an_item_is_the_post_as_the_viewer_sees_it(api, social):
    post_id = post_as(api, "friend", "Leg day", "friends")
    api("author", "PUT", f"/posts/{post_id}/reaction/", {"kind": "wow"})

    (item,) = api("author", "GET", "/feed/").json["items"]

    assert item == api("author", "GET", f"/posts/{post_id}/").json
    assert item["my_reaction"] == "wow"


def test_friends_only_posts_of_friends_appear_and_private_ones_never(api, social):
    friends_only = post_as(api, "friend", "for friends", "friends")
    post_as(api, "friend", "for me", "private")
    own_private = post_as(api, "author", "my diary", "private")

    assert feed_ids(api, "author") == [own_private, friends_only]


def test_a_post_made_private_after_it_was_offered_leaves_friends_feeds(api, social):
    post_id = post_as(api, "friend", "oops", "public")

    api("friend", "PATCH", f"/posts/{post_id}/", {"visibility": "private"})

    assert feed_ids(api, "author") == []
    assert feed_ids(api, "friend") == [post_id]


def test_shares_appear_as_shares(api, social):
    original = post_as(api, "stranger", "a public record")
    share = api("friend", "POST", f"/posts/{original}/share/", {"text": "look"}).json["id"]

    (item,) = api("author", "GET", "/feed/").json["items"]

    assert item["id"] == share
    assert item["is_share"] is True
    assert item["shared_post"]["id"] == original
    assert item["shared_post"]["text"] == "a public record"


def test_hidden_posts_never_appear_even_to_their_author_or_a_moderator(app, api, social, make):
    with app.app_context():
        befriend(social["author"], social["moderator"])
    hidden = make(PostFactory, author_id=social["friend"], hidden_at=HIDDEN)
    own_hidden = make(PostFactory, author_id=social["author"], hidden_at=HIDDEN)

    assert hidden not in feed_ids(api, "author")
    assert own_hidden not in feed_ids(api, "author")
    assert feed_ids(api, "moderator") == []


def test_blocking_removes_each_ones_posts_from_the_others_feed(api, social):
    theirs = post_as(api, "friend", "bob's")
    mine = post_as(api, "author", "alice's")

    assert api("author", "POST", "/blocks/", {"user_id": social["friend"]}).status_code == 201

    assert feed_ids(api, "author") == [mine]
    assert feed_ids(api, "friend") == [theirs]


def test_unfriending_removes_each_ones_posts_from_the_others_feed_both_ways(app, api, social):
    theirs = post_as(api, "friend", "bob's")
    mine = post_as(api, "author", "alice's")

    assert api("friend", "DELETE", f"/friends/{social['author']}/").status_code == 204

    assert feed_ids(api, "author") == [mine]
    assert feed_ids(api, "friend") == [theirs]
    with app.app_context():
        assert db.session.query(FeedEntry).filter_by(owner_id=social["author"], author_id=social["friend"]).count() == 0


def test_befriending_brings_the_new_friends_earlier_posts_both_ways(api, social):
    carols = [post_as(api, "friend_of_friend", f"carol {n}") for n in range(2)]
    mine = post_as(api, "author", "alice's")

    request = api("author", "POST", "/friend-requests/", {"user_id": social["friend_of_friend"]}).json
    assert api("friend_of_friend", "POST", f"/friend-requests/{request['id']}/accept/").status_code == 200

    assert feed_ids(api, "author") == [mine, *reversed(carols)]
    assert mine in feed_ids(api, "friend_of_friend")


def test_befriending_brings_only_the_latest_posts_configured(app_factory, make_user):
    app = app_factory(FEED_BACKFILL_POSTS=2)
    ann, ben = make_user(username="ann"), make_user(username="ben")
    with app.app_context():
        posts = [PostFactory(author_id=ben).id for _ in range(3)]
        befriend(ann, ben)
        offered = db.session.scalars(db.select(FeedEntry.post_id).filter_by(owner_id=ann)).all()

    assert sorted(offered) == posts[1:]


def test_deleted_posts_and_inactive_authors_leave_the_feed(app, api, social):
    deleted = post_as(api, "friend", "gone soon")
    api("friend", "DELETE", f"/posts/{deleted}/")
    kept = post_as(api, "friend", "stays until bob leaves")
    assert feed_ids(api, "author") == [kept]

    with app.app_context():
        db.session.get(User, social["friend"]).deactivated_at = utcnow()
        db.session.commit()

    assert feed_ids(api, "author") == []


def test_pages_follow_each_other_without_gaps_or_repeats_while_new_posts_arrive(app, api, social, make):
    start = utcnow() - timedelta(hours=1)
    older = [make(PostFactory, author_id=social["friend"], created_at=start + timedelta(minutes=n)) for n in range(7)]

    first = api("author", "GET", "/feed/?limit=3").json
    post_as(api, "friend", "new while paging")
    post_as(api, "author", "mine, also new")
    second = api("author", "GET", f"/feed/?limit=3&cursor={first['next_cursor']}").json
    third = api("author", "GET", f"/feed/?limit=3&cursor={second['next_cursor']}").json

    seen = [post["id"] for page in (first, second, third) for post in page["items"]]
    assert seen == list(reversed(older))
    assert third["next_cursor"] is None


def test_posts_at_the_same_instant_are_ordered_by_id_and_paged_exactly(api, social, make):
    instant = utcnow() - timedelta(minutes=5)
    same = [make(PostFactory, author_id=social["friend"], created_at=instant) for _ in range(5)]

    first = api("author", "GET", "/feed/?limit=2").json
    rest = api("author", "GET", f"/feed/?limit=10&cursor={first['next_cursor']}").json

    assert [p["id"] for p in first["items"] + rest["items"]] == sorted(same, reverse=True)


def test_a_new_post_is_in_ones_friends_feeds_at_once(app, api, social):
    post_id = post_as(api, "author", "fresh")

    with app.app_context():
        owners = set(db.session.scalars(db.select(FeedEntry.owner_id).filter_by(post_id=post_id)))

    assert owners == {social["author"], social["friend"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=99999999999999999999", "limit"),
        ("?limit=ten", "limit"),
        ("?cursor=garbage", "cursor"),
        ("?cursor=" + "x" * 600, "cursor"),
        ("?cursor=%00", "cursor"),
        ("?cursor=%ED%A0%80", "cursor"),
    ],
)
def test_bad_arguments_are_422_naming_the_field(api, social, query, field):
    response = api("author", "GET", "/feed/" + query)

    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_a_cursor_of_another_timeline_is_refused(api, social):
    for n in range(3):
        post_as(api, "author", f"post {n}")
    foreign = api("author", "GET", f"/users/{social['author']}/posts/?limit=1").json["next_cursor"]

    response = api("author", "GET", f"/feed/?cursor={foreign}")

    assert response.status_code == 422
    assert "cursor" in response.json["errors"]["query"]


def test_the_feed_needs_a_login(client):
    assert client.get("/api/v1/feed/").status_code == 401


def test_a_share_of_a_friends_only_post_shows_a_tombstone_to_those_who_may_not_see_the_original(api, social):
    original = post_as(api, "friend_of_friend", "for carol's friends", "friends")
    share = api("friend", "POST", f"/posts/{original}/share/", {"visibility": "friends"}).json["id"]

    (item,) = api("author", "GET", "/feed/").json["items"]

    assert item["id"] == share
    assert item["shared_post"] == {"id": None, "is_available": False}


def test_a_blocked_persons_share_is_not_shown_and_a_share_of_their_post_hides_the_original(api, social):
    blocked_post = post_as(api, "blocked", "mallory's public post")
    share = api("friend", "POST", f"/posts/{blocked_post}/share/", {}).json["id"]

    (item,) = api("author", "GET", "/feed/").json["items"]

    assert item["id"] == share
    assert item["shared_post"] == {"id": None, "is_available": False}


def test_a_timeline_row_carries_its_posts_instant(app, api, social):
    """The cursor is the timeline's key but is read off the answered post: the two must agree."""
    post_id = post_as(api, "author", "a post")
    with app.app_context():
        entry_at = db.session.scalar(db.select(FeedEntry.created_at).filter_by(owner_id=social["author"]))
        assert entry_at == db.session.get(Post, post_id).created_at
