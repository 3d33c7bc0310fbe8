"""Reactions: one per person per post, set, changed and removed; the author is told once per person."""

import pytest

from app.extensions import db
from app.models import Notification, Reaction
from tests.factories.posts import PostFactory


def reaction_notices(app, recipient_id: int) -> list[Notification]:
    with app.app_context():
        return db.session.query(Notification).filter_by(recipient_id=recipient_id, type="reaction").all()


def test_setting_then_changing_a_reaction_keeps_one(app, api, social, make):
    post_id = make(PostFactory, author_id=social["author"])

    first = api("friend", "PUT", f"/posts/{post_id}/reaction/", {"kind": "like"})
    second = api("friend", "PUT", f"/posts/{post_id}/reaction/", {"kind": "angry"})

    assert first.json["reactions"] == {"like": 1} and first.json["my_reaction"] == "like"
    assert second.json["reactions"] == {"angry": 1} and second.json["my_reaction"] == "angry"
    with app.app_context():
        assert db.session.query(Reaction).count() == 1


def test_removing_a_reaction(api, social, make):
    post_id = make(PostFactory, author_id=social["author"])
    api("friend", "PUT", f"/posts/{post_id}/reaction/", {"kind": "sad"})

    assert api("friend", "DELETE", f"/posts/{post_id}/reaction/").status_code == 204
    assert api("friend", "GET", f"/posts/{post_id}/").json["reactions"] == {}
    assert api("friend", "DELETE", f"/posts/{post_id}/reaction/").status_code == 404


def test_removing_on_a_post_one_may_not_see_is_a_404(api, social, make):
    post_id = make(PostFactory, author_id=social["author"], visibility="friends")

    assert api("stranger", "DELETE", f"/posts/{post_id}/reaction/").status_code == 404


def test_the_author_is_told_once_per_person_not_per_change(app, api, social, make, emitted):
    post_id = make(PostFactory, author_id=social["author"])

    for kind in ("like", "love", "wow"):
        api("friend", "PUT", f"/posts/{post_id}/reaction/", {"kind": kind})
    api("friend", "DELETE", f"/posts/{post_id}/reaction/")
    api("friend", "PUT", f"/posts/{post_id}/reaction/", {"kind": "haha"})
    api("stranger", "PUT", f"/posts/{post_id}/reaction/", {"kind": "like"})

    told = reaction_notices(app, social["author"])
    assert sorted(n.actor_id for n in told) == sorted([social["friend"], social["stranger"]])
    assert told[0].target_type == "post" and told[0].target_id == post_id
    assert [e[1] for e in emitted if e[0] == social["author"]].count("notification") == 2


def test_no_one_is_told_of_their_own_reaction(app, api, social, make):
    post_id = make(PostFactory, author_id=social["author"])

    assert api("author", "PUT", f"/posts/{post_id}/reaction/", {"kind": "love"}).status_code == 200
    assert reaction_notices(app, social["author"]) == []


@pytest.mark.parametrize("body", [{}, {"kind": "meh"}, {"kind": 1}, {"kind": None}, {"kind": "like", "x": 1}])
def test_a_bad_reaction_is_a_422_naming_the_field(api, social, make, body):
    post_id = make(PostFactory, author_id=social["author"])

    response = api("friend", "PUT", f"/posts/{post_id}/reaction/", body)

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == ({"x"} if "x" in body else {"kind"})


@pytest.mark.parametrize("raw", ["[]", '"like"', "null", "{not json", str(10**30)])
def test_a_body_that_is_not_an_object_is_refused_below_500(client, social, headers_of, make, raw):
    post_id = make(PostFactory, author_id=social["author"])

    response = client.put(
        f"/api/v1/posts/{post_id}/reaction/", data=raw, content_type="application/json", headers=headers_of("bob")
    )

    assert 400 <= response.status_code < 500
