"""Hostile input on every posts endpoint, aimed at real rows so it reaches past the router: always a 4xx."""

import json

import pytest

from tests.factories.posts import CommentFactory, PostFactory

VALUES = ["\u0000", "\ud800", 10**30, -(10**30), 1e308, [], {}, None, True, "x" * 100_000, [10**30], ["\u0000"]]
FIELDS = ["text", "visibility", "media_ids", "kind"]
RAW = ["[]", '"a string"', "0", "null", "NaN", "1e400", "{not json", '{"text": "\\ud800"}', '{"text": "a\\u0000"}']


@pytest.fixture
def targets(app, social):
    with app.app_context():
        post_id = PostFactory(author_id=social["author"]).id
        comment_id = CommentFactory(post_id=post_id, author_id=social["author"]).id
    return [
        ("POST", "/api/v1/posts/"),
        ("PATCH", f"/api/v1/posts/{post_id}/"),
        ("POST", f"/api/v1/posts/{post_id}/share/"),
        ("PUT", f"/api/v1/posts/{post_id}/reaction/"),
        ("POST", f"/api/v1/posts/{post_id}/comments/"),
        ("PATCH", f"/api/v1/comments/{comment_id}/"),
    ]


def test_every_hostile_field_value_is_refused_below_500(client, headers_of, targets):
    headers = headers_of("alice")
    failures = []
    for method, url in targets:
        for field in FIELDS:
            for value in VALUES:
                body = json.dumps({field: value}, ensure_ascii=True)
                response = client.open(url, method=method, data=body, content_type="application/json", headers=headers)
                if not 400 <= response.status_code < 500:
                    failures.append((method, url, field, repr(value)[:20], response.status_code))
    assert failures == []


def test_every_hostile_body_is_refused_below_500(client, headers_of, targets):
    headers = headers_of("alice")
    failures = []
    for method, url in targets:
        for raw in RAW:
            response = client.open(url, method=method, data=raw, content_type="application/json", headers=headers)
            if not 400 <= response.status_code < 500:
                failures.append((method, url, raw, response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    "query",
    ["limit=99999999999999999999", "limit=-1", "cursor=%00", "cursor=%ED%A0%80", "limit=1e3", "limit="],
)
def test_hostile_timeline_arguments_are_a_422(api, social, make, query):
    post_id = make(PostFactory, author_id=social["author"])

    for path in (f"/users/{social['author']}/posts/", f"/posts/{post_id}/comments/"):
        response = api("author", "GET", f"{path}?{query}")
        assert response.status_code == 422, (path, query, response.json)


@pytest.mark.parametrize("user_id", ["99999999999999999999", "0", "-5", "1.5"])
def test_a_user_id_no_one_can_have_is_a_404(api, social, user_id):
    assert api("author", "GET", f"/users/{user_id}/posts/").status_code == 404
