"""Reporting content: who may report what (only what they can see, never their own), once while open."""

import pytest

from app.extensions import db
from app.models import Flag, FlagStatus, User
from app.models.base import utcnow
from tests.conftest import bearer, login
from tests.factories.friends import befriend, block
from tests.factories.posts import PostFactory
from tests.moderation.conftest import API


def test_a_user_reports_a_public_post_and_gets_the_open_report(cast, make_post, report):
    post = make_post(cast["alice"])

    response = report("mallory", post, reason="Selling supplements")

    assert response.status_code == 201, response.json
    assert response.json | {"id": 0, "created_at": None} == {
        "id": 0,
        "reporter_id": cast["mallory"],
        "target_type": "post",
        "target_id": post,
        "reason": "Selling supplements",
        "status": "open",
        "created_at": None,
        "resolved_at": None,
        "resolved_by_id": None,
    }


def test_a_user_reports_a_comment_they_can_see(cast, make_post, make_comment, report):
    comment = make_comment(make_post(cast["alice"]), cast["coach"])

    response = report("mallory", comment, target_type="comment")

    assert response.status_code == 201, response.json
    assert (response.json["target_type"], response.json["target_id"]) == ("comment", comment)


@pytest.mark.parametrize("reporter", ["coach", "root"])
def test_moderators_may_report_too(cast, make_post, report, reporter):
    assert report(reporter, make_post(cast["alice"])).status_code == 201


def test_reporting_ones_own_post_or_comment_is_a_422_naming_target_id(cast, make_post, make_comment, report):
    post = make_post(cast["alice"])
    comment = make_comment(make_post(cast["mallory"]), cast["alice"])

    for target_type, target_id in (("post", post), ("comment", comment)):
        response = report("alice", target_id, target_type=target_type)
        assert response.status_code == 422
        assert "target_id" in response.json["errors"]["json"]


def test_a_missing_post_or_comment_is_a_404(cast, report):
    assert report("alice", 999_999).status_code == 404
    assert report("alice", 999_999, target_type="comment").status_code == 404


def test_a_strangers_private_post_cannot_be_reported(cast, make_post, report):
    assert report("mallory", make_post(cast["alice"], visibility="private")).status_code == 404


def test_a_friends_only_post_is_reported_by_friends_only(app, cast, make_post, report):
    post = make_post(cast["alice"], visibility="friends")
    assert report("mallory", post).status_code == 404
    with app.app_context():
        befriend(cast["alice"], cast["mallory"])
    assert report("mallory", post).status_code == 201


@pytest.mark.parametrize("blocker", ["alice", "mallory"])
def test_a_blocked_authors_post_cannot_be_reported_either_way(app, cast, make_post, report, blocker):
    post = make_post(cast["alice"])
    other = "mallory" if blocker == "alice" else "alice"
    with app.app_context():
        block(cast[blocker], cast[other])

    response = report("mallory", post)

    assert response.status_code == 404
    assert "No such post" in response.json["message"]  # the same answer as for a post that does not exist


def test_a_comment_on_a_post_the_reporter_cannot_see_cannot_be_reported(cast, make_post, make_comment, report):
    comment = make_comment(make_post(cast["alice"], visibility="private"), cast["coach"])

    assert report("mallory", comment, target_type="comment").status_code == 404


@pytest.mark.parametrize("blocker", ["coach", "mallory"])
def test_a_blocked_commenters_comment_cannot_be_reported_either_way(
    app, cast, make_post, make_comment, report, blocker
):
    comment = make_comment(make_post(cast["alice"]), cast["coach"])
    with app.app_context():
        block(cast[blocker], cast["mallory" if blocker == "coach" else "coach"])

    assert report("mallory", comment, target_type="comment").status_code == 404


def test_hidden_content_cannot_be_reported_by_those_it_is_hidden_from(app, cast, make_post, make_comment, report):
    post = make_post(cast["alice"], hidden_at=utcnow(), hidden_by_id=cast["coach"])
    comment = make_comment(make_post(cast["alice"]), cast["coach"], hidden_at=utcnow())
    comment_on_hidden = make_comment(post, cast["coach"])

    assert report("mallory", post).status_code == 404
    assert report("mallory", comment, target_type="comment").status_code == 404
    assert report("mallory", comment_on_hidden, target_type="comment").status_code == 404
    assert report("stranger", post).status_code == 201  # moderators see hidden content


def test_a_deleted_authors_post_cannot_be_reported(app, cast, make_post, report):
    post = make_post(cast["alice"])
    with app.app_context():
        db.session.get(User, cast["alice"]).deleted_at = utcnow()
        db.session.commit()

    assert report("mallory", post).status_code == 404


def test_a_second_open_report_of_the_same_target_is_a_409(cast, make_post, report):
    post = make_post(cast["alice"])
    assert report("mallory", post).status_code == 201

    response = report("mallory", post, reason="Still spam")

    assert response.status_code == 409
    assert "already reported" in response.json["message"]
    assert report("coach", post).status_code == 201  # someone else may report it too


def test_the_same_target_may_be_reported_again_once_the_report_is_resolved(app, cast, make_post, report):
    post = make_post(cast["alice"])
    first = report("mallory", post).json["id"]
    with app.app_context():
        db.session.get(Flag, first).status = FlagStatus.RESOLVED
        db.session.commit()

    response = report("mallory", post)

    assert response.status_code == 201
    assert response.json["id"] != first


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_type": "user"}, "target_type"),
        ({"target_type": "POST"}, "target_type"),
        ({"target_type": None}, "target_type"),
        ({"target_type": 1}, "target_type"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": "spam\x00"}, "reason"),
        ({"reason": "spam\ud800"}, "reason"),
        ({"reason": ["spam"]}, "reason"),
        ({"target_id": 2**31}, "target_id"),
        ({"target_id": -1}, "target_id"),
        ({"target_id": 0}, "target_id"),
        ({"target_id": "1"}, "target_id"),
        ({"target_id": "one"}, "target_id"),
        ({"target_id": 1.5}, "target_id"),
        ({"target_id": True}, "target_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_report_is_a_422_naming_the_field(cast, make_post, client, headers_of, body, field):
    good = {"target_type": "post", "target_id": make_post(cast["alice"]), "reason": "Spam"}

    response = client.post(f"{API}/flags/", json=good | body, headers=headers_of("mallory"))

    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]


def test_a_number_no_field_can_hold_is_a_400(cast, client, headers_of):
    body = {"target_type": "post", "target_id": 10**100, "reason": "Spam"}

    response = client.post(f"{API}/flags/", json=body, headers=headers_of("mallory"))

    assert response.status_code == 400  # refused by the JSON reader (app/input_guard.py) before any schema


@pytest.mark.parametrize("missing", ["target_type", "target_id", "reason"])
def test_each_field_is_required(cast, client, headers_of, missing):
    body = {"target_type": "post", "target_id": 1, "reason": "Spam"}
    del body[missing]

    response = client.post(f"{API}/flags/", json=body, headers=headers_of("mallory"))

    assert response.status_code == 422
    assert missing in response.json["errors"]["json"]


@pytest.mark.parametrize("body", [[], "spam", 7, None])
def test_a_body_that_is_not_an_object_is_a_4xx(cast, client, headers_of, body):
    response = client.post(f"{API}/flags/", json=body, headers=headers_of("mallory"))

    assert 400 <= response.status_code < 500


def test_a_reason_of_500_characters_is_kept_whole(cast, make_post, report):
    response = report("mallory", make_post(cast["alice"]), reason="é" * 500)

    assert response.status_code == 201
    assert response.json["reason"] == "é" * 500


def test_reporting_needs_a_login(client):
    assert client.post(f"{API}/flags/", json={"target_type": "post", "target_id": 1, "reason": "x"}).status_code == 401


def test_reports_are_rate_limited_per_user(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_FLAGS="2 per minute")
    client = app.test_client()
    author = make_user(username="author")
    headers = {
        name: bearer(login(client, make_user(username=name) and name)["access_token"]) for name in ("one", "two")
    }
    with app.app_context():
        posts = [PostFactory(author_id=author).id for _ in range(3)]

    def send(username, post):
        body = {"target_type": "post", "target_id": post, "reason": "Spam"}
        return client.post(f"{API}/flags/", json=body, headers=headers[username])

    statuses = [send("one", post).status_code for post in posts]

    assert statuses == [201, 201, 429]
    assert send("two", posts[2]).status_code == 201  # the limit is per person
