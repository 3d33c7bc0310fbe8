"""The for-you feed through HTTP: the documented ranking on a world whose right order is known, weights from the
configuration, a person without friends, privacy before and after the first page, and pages that follow the first
page's ranking whatever happens meanwhile."""

import math
from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import delete, select, update

from app.errors import outages
from app.extensions import db as _db
from app.extensions import redis_store
from app.models import Post, User, UserTag
from app.models.base import utcnow
from app.services import timelines
from app.services.for_you import Signals, score
from tests.conftest import bearer, login
from tests.factories.friends import befriend, block
from tests.factories.posts import CommentFactory, PostFactory, ReactionFactory, ShareFactory
from tests.factories.users import UserFactory

URL = "/api/v1/feed/for-you/"
WEIGHTS = {"engagement": 1.0, "friend": 2.0, "friend_of_friend": 1.0, "shared_tag": 0.5, "affinity": 1.0}
# The known world's posts, best first under WEIGHTS and a 24 h half-life (scores worked out in the comments).
RANKED = [
    "friend",  # (1 + 2) x 0.5^(2.0/24) = 2.83
    "shared tags",  # (1 + 0.5 x 3) x 0.5^(2.1/24) = 2.35
    "affinity",  # (1 + ln 4) x 0.5^(2.2/24) = 2.24
    "friend of friend",  # (1 + 1) x 0.5^(2.3/24) = 1.87
    "old engaged",  # (1 + ln(1 + 10 + 2 x 5 + 3 x 2)) x 0.5^(48/24) = 1.08
    "fresh",  # 1 x 0.5^(1/24) = 0.97
    "old plain",  # 1 x 0.5^(48.5/24) = 0.25
]


def post(author_id: int, text: str, hours_ago: float = 1.0, **fields) -> int:
    """A post written `hours_ago`, offered to its author's friends' home timelines as the posts service does."""
    row = PostFactory(author_id=author_id, text=text, created_at=utcnow() - timedelta(hours=hours_ago), **fields)
    timelines.fan_out(row)
    _db.session.commit()
    return row.id


@pytest.fixture
def person(db):
    """`person(name)`: a new account's id."""
    return lambda name: UserFactory(username=name).id


@pytest.fixture
def feed(client):
    """`feed(username, **query)`: the for-you page that person gets."""
    headers = {}

    def get(username: str, **query):
        if username not in headers:
            headers[username] = bearer(login(client, username)["access_token"])
        return client.get(URL, query_string=query, headers=headers[username])

    return get


def texts(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["text"] for item in response.json["items"]]


@pytest.fixture
def known_world(db, person):
    """alice's world, one post per reason to rank it (RANKED)."""
    alice, bob, carol, dave, erin, frank = (person(n) for n in ("alice", "bob", "carol", "dave", "erin", "frank"))
    befriend(alice, bob)
    befriend(bob, carol)
    db.session.add_all(UserTag(user_id=u, tag=t) for u in (alice, dave) for t in ("running", "yoga", "swimming"))
    for _ in range(3):  # alice liked three of erin's posts, long before the window
        ReactionFactory(user_id=alice, post_id=post(erin, "erin's old", hours_ago=30 * 24))
    post(bob, "friend", hours_ago=2.0, visibility="friends")
    post(dave, "shared tags", hours_ago=2.1)
    post(erin, "affinity", hours_ago=2.2)
    post(carol, "friend of friend", hours_ago=2.3)
    engaged = post(frank, "old engaged", hours_ago=48)
    post(frank, "fresh", hours_ago=1)
    post(frank, "old plain", hours_ago=48.5)
    fans = [person(f"fan{n}") for n in range(10)]
    for n, fan in enumerate(fans):
        ReactionFactory(user_id=fan, post_id=engaged)
        if n < 5:
            CommentFactory(author_id=fan, post_id=engaged)
        if n < 2:  # private shares: counted for the original, never candidates themselves
            ShareFactory(author_id=fan, shared_post_id=engaged, visibility="private")
    return {"alice": alice, "bob": bob, "dave": dave}


# --- the formula ----------------------------------------------------------------------------------------------


def test_a_post_without_signals_scores_one_halving_every_half_life():
    assert score(Signals(), 0, WEIGHTS, 24) == 1
    assert score(Signals(), 24, WEIGHTS, 24) == pytest.approx(0.5)
    assert score(Signals(), 72, WEIGHTS, 24) == pytest.approx(0.125)


def test_engagement_counts_comments_twice_and_shares_three_times_a_reaction():
    signals = Signals(reactions=1, comments=1, shares=1)

    assert score(signals, 0, {"engagement": 2}, 24) == pytest.approx(1 + 2 * math.log(7))


def test_each_signal_adds_its_weight_before_the_decay():
    signals = Signals(is_friend=True, is_friend_of_friend=True, shared_tags=2, affinity=3)
    weights = {"friend": 3, "friend_of_friend": 5, "shared_tag": 7, "affinity": 11}

    assert score(signals, 12, weights, 12) == pytest.approx((1 + 3 + 5 + 14 + 11 * math.log(4)) / 2)


def test_a_weight_left_out_of_the_configuration_counts_as_zero():
    assert score(Signals(reactions=100, is_friend=True), 0, {}, 24) == 1


def test_a_post_from_the_future_does_not_outrank_by_clock_skew():
    assert score(Signals(), -5, WEIGHTS, 24) == 1


# --- the ranking ----------------------------------------------------------------------------------------------


def test_the_known_world_comes_in_the_documented_order(app, known_world, feed):
    assert app.config["FOR_YOU_WEIGHTS"] == WEIGHTS and app.config["FOR_YOU_HALF_LIFE_HOURS"] == 24

    assert texts(feed("alice")) == RANKED


def test_the_items_are_posts_as_the_caller_sees_them(known_world, feed):
    items = feed("alice").json["items"]
    engaged = next(item for item in items if item["text"] == "old engaged")

    assert engaged["reactions"] == {"like": 10} and engaged["comments_count"] == 5 and engaged["shares_count"] == 2
    assert engaged["author"]["username"] == "frank" and engaged["my_reaction"] is None


def test_weights_from_the_configuration_change_the_order(app_factory, known_world):
    weights = {"engagement": 0, "friend": 0, "friend_of_friend": 0, "shared_tag": 10, "affinity": 0}
    client = app_factory(FOR_YOU_WEIGHTS=weights).test_client()
    headers = bearer(login(client, "alice")["access_token"])

    ranked = texts(client.get(URL, headers=headers))

    assert ranked == ["shared tags", "fresh", "friend", "affinity", "friend of friend", "old engaged", "old plain"]


def test_with_every_weight_zero_the_feed_is_newest_first(app_factory, known_world):
    client = app_factory(FOR_YOU_WEIGHTS=dict.fromkeys(WEIGHTS, 0)).test_client()
    headers = bearer(login(client, "alice")["access_token"])

    ranked = texts(client.get(URL, headers=headers))

    assert ranked == ["fresh", "friend", "shared tags", "affinity", "friend of friend", "old engaged", "old plain"]


def test_a_shorter_half_life_lets_freshness_beat_engagement(app_factory, known_world):
    client = app_factory(FOR_YOU_HALF_LIFE_HOURS=1).test_client()
    headers = bearer(login(client, "alice")["access_token"])

    ranked = texts(client.get(URL, headers=headers))

    assert ranked.index("fresh") < ranked.index("friend of friend") < ranked.index("old engaged")


def test_a_person_without_friends_gets_public_posts_ranked(db, person, feed):
    person("lonely")
    dave, erin = person("dave"), person("erin")
    popular = post(dave, "popular", hours_ago=5)
    post(erin, "quiet", hours_ago=1)
    post(erin, "quiet but friends only", hours_ago=1, visibility="friends")
    for n in range(20):
        ReactionFactory(user_id=person(f"fan{n}"), post_id=popular)

    assert texts(feed("lonely")) == ["popular", "quiet"]


def test_a_new_site_answers_an_empty_feed(db, person, feed):
    person("alice")

    response = feed("alice")

    assert response.status_code == 200 and response.json == {"items": [], "next_cursor": None}


def test_posts_older_than_the_window_are_not_offered(app, db, person, feed):
    dave = person("dave")
    person("alice")
    post(dave, "last week", hours_ago=24 * (app.config["FOR_YOU_WINDOW_DAYS"] - 1))
    post(dave, "last month", hours_ago=24 * (app.config["FOR_YOU_WINDOW_DAYS"] + 1))

    assert texts(feed("alice")) == ["last week"]


# --- privacy --------------------------------------------------------------------------------------------------


def test_only_what_the_caller_may_see_and_not_their_own(db, person, feed):
    alice, bob, dave, mallory, eve, gone = (person(n) for n in ("alice", "bob", "dave", "mallory", "eve", "gone"))
    befriend(alice, bob)
    block(alice, mallory)
    block(eve, alice)
    post(dave, "stranger's public")
    post(bob, "friend's friends-only", visibility="friends")
    post(alice, "my own")
    post(dave, "stranger's friends-only", visibility="friends")
    post(dave, "stranger's private", visibility="private")
    post(bob, "friend's private", visibility="private")
    post(mallory, "blocked by me")
    post(eve, "blocked me")
    post(dave, "hidden", hidden_at=utcnow())
    post(gone, "deleted account's")
    db.session.execute(update(User).where(User.id == gone).values(deleted_at=utcnow()))
    db.session.commit()

    assert sorted(texts(feed("alice"))) == ["friend's friends-only", "stranger's public"]


def test_staff_are_offered_no_strangers_private_posts_nor_blocked_peoples(db, feed):
    root = UserFactory(username="root", role="admin").id
    dave, mallory = UserFactory(username="dave").id, UserFactory(username="mallory").id
    block(root, mallory)
    post(dave, "stranger's public")
    post(dave, "stranger's private", visibility="private")
    post(dave, "stranger's friends-only", visibility="friends")
    post(mallory, "blocked by the admin")
    post(dave, "hidden", hidden_at=utcnow())

    assert texts(feed("root")) == ["stranger's public"]


def test_a_friends_only_post_reaches_a_friend_of_a_friend_only_as_public_posts_do(db, person, feed):
    alice, bob, carol = person("alice"), person("bob"), person("carol")
    befriend(alice, bob)
    befriend(bob, carol)
    post(carol, "carol for friends", visibility="friends")
    post(carol, "carol for all")

    assert texts(feed("alice")) == ["carol for all"]


def test_what_left_view_after_the_first_page_is_not_served_later(db, person, feed):
    alice = person("alice")
    authors = [person(f"author{n}") for n in range(8)]
    ids = [post(author, f"p{n}", hours_ago=n + 1) for n, author in enumerate(authors)]  # p0 newest, ranks first
    first = feed("alice", limit=2)
    assert texts(first) == ["p0", "p1"]

    db.session.execute(update(Post).where(Post.id == ids[2]).values(visibility="private"))
    db.session.execute(delete(Post).where(Post.id == ids[3]))
    block(authors[4], alice)
    db.session.execute(update(Post).where(Post.id == ids[6]).values(hidden_at=utcnow()))
    db.session.commit()
    second = feed("alice", limit=2, cursor=first.json["next_cursor"])

    assert texts(second) == ["p5"]  # read on past the four that left view: p2 to p5
    assert walk(feed, "alice", second.json["next_cursor"], 2) == ["p7"]


def test_a_page_reads_on_to_stay_full_when_posts_left_view(db, person, feed):
    person("alice")
    dave = person("dave")
    ids = [post(dave, f"p{n}", hours_ago=n + 1) for n in range(8)]
    first = feed("alice", limit=2)
    db.session.execute(update(Post).where(Post.id == ids[2]).values(visibility="private"))
    db.session.commit()

    second = feed("alice", limit=2, cursor=first.json["next_cursor"])

    assert texts(second) == ["p3", "p4"]
    assert walk(feed, "alice", second.json["next_cursor"], 2) == ["p5", "p6", "p7"]


# --- pages ----------------------------------------------------------------------------------------------------


def walk(feed, username: str, cursor: str, limit: int) -> list[str]:
    seen = []
    while cursor:
        response = feed(username, limit=limit, cursor=cursor)
        seen += texts(response)
        cursor = response.json["next_cursor"]
    return seen


def test_pages_follow_the_first_pages_ranking_while_scores_change_and_posts_arrive(db, person, feed):
    person("alice")
    dave, erin = person("dave"), person("erin")
    ids = [post(dave, f"p{n}", hours_ago=n + 1) for n in range(7)]
    first = feed("alice", limit=3)
    assert texts(first) == ["p0", "p1", "p2"]

    for n in range(15):  # the last two would now rank first
        fan = person(f"fan{n}")
        ReactionFactory(user_id=fan, post_id=ids[5])
        ReactionFactory(user_id=fan, post_id=ids[6])
    post(erin, "newer", hours_ago=0)
    rest = walk(feed, "alice", first.json["next_cursor"], 3)

    assert rest == ["p3", "p4", "p5", "p6"]
    assert texts(feed("alice", limit=3)) == ["p5", "p6", "newer"]  # a new first page ranks afresh


def test_a_feed_that_fits_one_page_has_no_cursor_and_keeps_no_snapshot(app, db, person, feed):
    person("alice")
    post(person("dave"), "only")

    response = feed("alice", limit=1)

    assert texts(response) == ["only"] and response.json["next_cursor"] is None
    assert list(redis_store.client.scan_iter("for-you:*")) == []


def test_the_snapshot_keeps_at_most_the_configured_number_of_posts(app_factory, person, db):
    client = app_factory(FOR_YOU_CANDIDATES=3).test_client()
    person("alice")
    dave = person("dave")
    for n in range(5):
        post(dave, f"p{n}", hours_ago=n + 1)
    headers = bearer(login(client, "alice")["access_token"])

    first = client.get(URL, query_string={"limit": 2}, headers=headers).json
    second = client.get(URL, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=headers).json

    assert [i["text"] for i in first["items"] + second["items"]] == ["p0", "p1", "p2"]
    assert second["next_cursor"] is None


def cursor_error(response) -> str:
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["query"]) == ["cursor"]
    return response.json["errors"]["query"]["cursor"][0]


@pytest.fixture
def paged(db, person, feed):
    """alice and bob, three public posts, and alice's first page of one."""
    person("alice")
    person("bob")
    dave = person("dave")
    for n in range(3):
        post(dave, f"p{n}", hours_ago=n + 1)
    return feed("alice", limit=1).json["next_cursor"]


def test_a_cursor_of_another_person_is_refused(paged, feed):
    assert "start again" in cursor_error(feed("bob", limit=1, cursor=paged))


def test_a_tampered_cursor_is_refused(paged, feed):
    tampered = paged[:-2] + ("AA" if not paged.endswith("AA") else "BB")

    assert "start again" in cursor_error(feed("alice", cursor=tampered))


def test_a_home_feed_cursor_and_a_for_you_cursor_are_not_interchangeable(paged, feed, client, db):
    alice = db.session.scalar(select(User.id).where(User.username == "alice"))
    post(alice, "mine")
    post(alice, "mine too")
    headers = bearer(login(client, "alice")["access_token"])
    home = client.get("/api/v1/feed/", query_string={"limit": 1}, headers=headers).json["next_cursor"]

    assert "start again" in cursor_error(feed("alice", cursor=home))
    assert "start again" in cursor_error(client.get("/api/v1/feed/", query_string={"cursor": paged}, headers=headers))


def test_an_expired_snapshot_asks_to_start_again(paged, feed):
    for key in redis_store.client.scan_iter("for-you:*"):
        redis_store.client.delete(key)

    assert "expired" in cursor_error(feed("alice", cursor=paged))


def test_reading_a_page_keeps_the_snapshot_alive(app, paged, feed):
    (key,) = redis_store.client.scan_iter("for-you:*")
    redis_store.client.expire(key, 5)

    feed("alice", limit=1, cursor=paged)

    assert redis_store.client.ttl(key) > 5


def test_redis_down_is_a_503(app, db, person, feed, monkeypatch):
    person("alice")
    for n in range(3):
        post(person(f"author{n}"), f"p{n}")
    feed("alice", limit=1)  # logged in while Redis still answered

    def down(*_args, **_kwargs):
        raise RedisConnectionError("Connection refused.")

    monkeypatch.setattr(redis_store.client, "pipeline", down)
    monkeypatch.setattr(outages, "_down", {})  # the outage log is the process's; leave it as it was
    response = feed("alice", limit=1)

    assert response.status_code == 503 and "redis" in response.json["message"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=99999999999999999999",
        "limit=1e3",
        "limit=ten",
        "limit=",
        "cursor=",
        "cursor=%00",
        "cursor=%ED%A0%80",
        "cursor=" + "x" * 10_000,
        "cursor=WyJmb3IteW91Il0",
    ],
)
def test_bad_arguments_are_a_422_naming_them(db, person, client, query):
    person("alice")
    headers = bearer(login(client, "alice")["access_token"])

    response = client.get(f"{URL}?{query}", headers=headers)

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["query"]) == [query.split("=")[0]]


def test_limit_defaults_to_twenty(db, person, feed):
    person("alice")
    dave = person("dave")
    for n in range(21):
        post(dave, f"p{n}", hours_ago=n + 1)

    response = feed("alice")

    assert len(response.json["items"]) == 20 and response.json["next_cursor"]


def test_the_feed_needs_a_login(client):
    assert client.get(URL).status_code == 401


def test_the_statements_do_not_grow_with_the_page(db, person, feed, count_queries):
    alice = person("alice")
    authors = [person(f"author{n}") for n in range(6)]
    befriend(alice, authors[0])
    post(authors[0], "first")
    feed("alice", limit=50)
    db.session.expire_all()  # requests share this test's session: each one then loads its caller afresh
    with count_queries() as few:
        feed("alice", limit=50)
    for n, author in enumerate(authors):
        ReactionFactory(user_id=alice, post_id=post(author, f"more {n}"))
    db.session.expire_all()
    with count_queries() as many:
        feed("alice", limit=50)

    assert len(texts(feed("alice", limit=50))) == 7
    assert many.count <= few.count, "\n".join(many.statements)
