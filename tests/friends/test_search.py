"""`GET /friends/?q=`: a friends list narrowed to the people whose username, first or last name hold each word of
`q` (any case, `%` and `_` plain characters), in the list's username order and pages, under the list's privacy."""

import json

import pytest

from app.extensions import db
from app.models import User
from tests.factories.friends import befriend


@pytest.fixture
def circle(app, social, make_user) -> dict[str, int]:
    """ann's friends: bob, cat and dan (last name Tester), lee_ann (Lee Park), mjw (Mary Jane Watson) and zed
    (whose last name holds a `%`); eve is nobody's friend."""
    ids = social.ids
    ids["eve"] = make_user(username="eve")
    ids["lee_ann"] = make_user(username="lee_ann", first_name="Lee", last_name="Park")
    ids["mjw"] = make_user(username="mjw", first_name="Mary Jane", last_name="Watson")
    ids["zed"] = make_user(username="zed", first_name="Zed", last_name="50% Off")
    with app.app_context():
        for name in ("bob", "cat", "dan", "lee_ann", "mjw", "zed"):
            befriend(ids["ann"], ids[name])
    return ids


def found(social, q: str, actor: str = "ann", whose: str | None = None) -> list[str]:
    query = f"q={q}" + (f"&user_id={social.ids[whose]}" if whose else "")
    return social.names(actor, f"/friends/?{query}")


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("_an", ["lee_ann"]),  # part of a username
        ("mar", ["mjw"]),  # part of a first name
        ("atso", ["mjw"]),  # part of a last name
        ("PARK", ["lee_ann"]),  # any case
        ("MJW", ["mjw"]),
        ("lee", ["lee_ann"]),
        ("tester", ["bob", "cat", "dan"]),
    ],
)
def test_friends_are_found_by_part_of_their_username_or_names(social, circle, q, names):
    assert found(social, q) == names


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("mary watson", ["mjw"]),
        ("  Jane   MARY ", ["mjw"]),  # any order, any spacing
        ("lee park", ["lee_ann"]),
        ("lee watson", []),  # every word in the same person
        ("cat tester", ["cat"]),
    ],
)
def test_every_word_must_match_the_same_friend(social, circle, q, names):
    assert found(social, q) == names


def test_like_wildcards_are_plain_characters(social, circle):
    assert found(social, "%25") == ["zed"]  # `%`, URL-encoded
    assert found(social, "_") == ["lee_ann"]
    assert found(social, "50%25") == ["zed"]
    assert found(social, "5_%25") == []


def test_no_match_is_an_empty_list(social, circle):
    response = social.call("ann", "GET", "/friends/?q=nobody")

    assert response.status_code == 200
    assert response.json == []
    assert json.loads(response.headers["X-Pagination"])["total"] == 0


def test_an_empty_or_blank_q_lists_every_friend(social, circle):
    everyone = ["bob", "cat", "dan", "lee_ann", "mjw", "zed"]

    assert found(social, "") == everyone
    assert found(social, "%20%20") == everyone


def test_search_results_keep_username_order_and_pages(social, circle):
    response = social.call("ann", "GET", "/friends/?q=tester&page_size=2")

    assert [item["user"]["username"] for item in response.json] == ["bob", "cat"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert social.names("ann", "/friends/?q=tester&page=2&page_size=2") == ["dan"]


def test_q_is_at_most_100_characters(social, circle):
    assert social.call("ann", "GET", "/friends/?q=" + "a" * 100).status_code == 200

    response = social.call("ann", "GET", "/friends/?q=" + "a" * 101)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["q"]


def test_someone_elses_visible_list_is_searched_too(social, circle):
    assert found(social, "watson", actor="eve", whose="ann") == ["mjw"]
    assert found(social, "ann", actor="bob", whose="ann") == ["lee_ann"]  # bob's own name is not in ann's list


def test_searching_someone_elses_list_keeps_its_privacy(app, social, circle):
    with app.app_context():
        db.session.get(User, circle["mjw"]).privacy = "private"
        db.session.commit()

    assert found(social, "watson", actor="eve", whose="ann") == []  # private people are not listed to others
    assert found(social, "watson") == ["mjw"]  # one's own friends are all there

    with app.app_context():
        db.session.get(User, circle["ann"]).privacy = "friends"
        db.session.commit()

    assert found(social, "lee", actor="root", whose="ann") == ["lee_ann"]  # an admin
    assert found(social, "lee", actor="bob", whose="ann") == ["lee_ann"]  # a friend
    assert social.call("eve", "GET", f"/friends/?q=lee&user_id={circle['ann']}").status_code == 404  # a stranger
