"""Results come in pages like a timeline's (`{items, next_cursor}`), through a signed cursor that only the same
search accepts, and paging stops at a depth."""

import marshmallow as ma
import pytest

from app.blueprints.search.schemas import RESULTS
from tests.factories import UserFactory
from tests.factories.posts import PostFactory


@pytest.fixture
def squats(make, social) -> list[int]:
    return [make(PostFactory, author_id=social["author"], text=f"Squat session {n}") for n in range(7)]


def walk(search, q: str, type: str, limit: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        more = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = search("stranger", q, type, **more)
        assert response.status_code == 200, response.json
        pages.append([item["id"] for item in response.json["items"]])
        cursor = response.json["next_cursor"]
        if cursor is None:
            return pages


def test_pages_cover_every_result_once_in_rank_order(search, squats):
    pages = walk(search, "squat", "posts", limit=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [post_id for page in pages for post_id in page] == squats[::-1]  # equal ranks: newest first


def test_people_are_paged_too(search, make, social):
    people = [make(UserFactory, username=f"lifter{n}") for n in range(5)]

    pages = walk(search, "lifter", "users", limit=2)

    assert sorted(person for page in pages for person in page) == people
    assert len(pages) == 3


def test_the_default_page_holds_twenty(search, make, social):
    for n in range(21):
        make(PostFactory, author_id=social["author"], text=f"Squat {n}")

    body = search("stranger", "squat", "posts").json

    assert len(body["items"]) == 20 and body["next_cursor"]


def test_paging_stops_at_its_depth(search, squats, monkeypatch):
    monkeypatch.setattr(RESULTS, "max_offset", 4)

    pages = walk(search, "squat", "posts", limit=2)

    assert [len(page) for page in pages] == [2, 2, 2]  # offsets 0, 2 and 4: the last one allowed


def test_a_tampered_cursor_is_a_422_naming_it(search, squats):
    cursor = search("stranger", "squat", "posts", limit=3).json["next_cursor"]

    response = search("stranger", "squat", "posts", cursor=cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB"))

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["cursor"]


@pytest.mark.parametrize(("q", "type"), [("squat session", "posts"), ("squat", "users")])
def test_a_cursor_of_another_search_is_a_422(search, squats, q, type):
    cursor = search("stranger", "squat", "posts", limit=3).json["next_cursor"]

    response = search("stranger", q, type, cursor=cursor)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["cursor"]


def test_a_timelines_cursor_is_a_422(search, api, social, squats):
    cursor = api("stranger", "GET", f"/users/{social['author']}/posts/?limit=1").json["next_cursor"]

    response = search("stranger", "squat", "posts", cursor=cursor)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["cursor"]


@pytest.mark.parametrize("offset", [-1, 1001, "3", 2.0, True, None])
def test_a_signed_cursor_whose_offset_is_out_of_bounds_is_refused(app, offset):
    with app.app_context():
        token = RESULTS.encode(offset, "posts\nsquat")

        with pytest.raises(ma.ValidationError):
            RESULTS.decode(token, "posts\nsquat")
