"""SQLPage: totals without a COUNT where the page tells them, right for DISTINCT lists, counted no further than
TOTAL_COUNTED_UP_TO, and pages that reach no deeper than PAGES_REACH."""

import json

import pytest
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import select

from app.blueprints import common
from app.blueprints.common import SQLPage
from app.models import User


def test_a_distinct_list_counts_its_rows_after_distinct(app, make_user):
    for zone in ("UTC", "UTC", "Asia/Tokyo", "UTC"):
        make_user(timezone=zone)

    with app.app_context():
        params = PaginationParameters(page=1, page_size=1)
        page = SQLPage(select(User.timezone).distinct().order_by(User.timezone), params)

        assert (page.items, page.item_count) == (["Asia/Tokyo"], 2)


@pytest.mark.parametrize(("number", "shown"), [(1, [0, 1]), (2, [2, 3]), (3, [4]), (4, []), (9, [])])
def test_every_page_tells_the_whole_lists_total(app, make_user, number, shown):
    ids = [make_user() for _ in range(5)]

    with app.app_context():
        params = PaginationParameters(page=number, page_size=2)
        page = SQLPage(select(User.id).where(User.id.in_(ids)).order_by(User.id), params)

        assert (page.items, page.item_count) == ([ids[i] for i in shown], 5)


def test_an_empty_list_is_one_statement(app, count_queries):
    with app.app_context(), count_queries() as counter:
        page = SQLPage(select(User.id).where(User.id < 0), PaginationParameters(page=1, page_size=10))

        assert (page.items, page.item_count, counter.count) == ([], 0, 1)


# --- lists longer than counted, and pages beyond reach ---------------------------------------------------------


@pytest.fixture
def goals_of_alice(app, user):
    from tests.factories import GoalFactory

    with app.app_context():
        return [GoalFactory(user_id=user).id for _ in range(7)]


def pagination_of(response) -> dict:
    assert response.status_code == 200, response.json
    return json.loads(response.headers["X-Pagination"])


def test_a_list_longer_than_counted_says_more_than_and_keeps_paging(client, auth_headers, goals_of_alice, monkeypatch):
    monkeypatch.setattr(common, "TOTAL_COUNTED_UP_TO", 3)
    newest_first = goals_of_alice[::-1]

    first = client.get("/api/v1/fitness-goals/?page_size=2", headers=auth_headers)
    third = client.get("/api/v1/fitness-goals/?page_size=2&page=3", headers=auth_headers)
    last = client.get("/api/v1/fitness-goals/?page_size=2&page=4", headers=auth_headers)

    assert [g["id"] for g in first.json] == newest_first[:2]
    assert pagination_of(first) == {"total": 3, "total_is_exact": False, "first_page": 1, "page": 1, "next_page": 2}
    assert [g["id"] for g in third.json] == newest_first[4:6]
    assert pagination_of(third) == {
        "total": 6,
        "total_is_exact": False,
        "first_page": 1,
        "page": 3,
        "previous_page": 2,
        "next_page": 4,
    }
    # The last page knows the whole list: nothing follows it.
    assert [g["id"] for g in last.json] == newest_first[6:]
    assert pagination_of(last)["total"] == 7 and pagination_of(last)["total_is_exact"] is True
    assert "next_page" not in pagination_of(last)


def test_a_list_within_the_count_has_an_exact_total_and_a_last_page(client, auth_headers, goals_of_alice):
    metadata = pagination_of(client.get("/api/v1/fitness-goals/?page_size=2&page=2", headers=auth_headers))

    assert metadata == {
        "total": 7,
        "total_is_exact": True,
        "total_pages": 4,
        "first_page": 1,
        "last_page": 4,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }


def test_the_count_reads_no_further_than_one_past_the_cap(app, make_user, monkeypatch, count_queries):
    monkeypatch.setattr(common, "TOTAL_COUNTED_UP_TO", 2)
    ids = [make_user() for _ in range(6)]

    with app.app_context(), count_queries() as counter:
        params = PaginationParameters(page=1, page_size=1)
        page = SQLPage(select(User.id).where(User.id.in_(ids)).order_by(User.id), params)

        assert (page.items, page.item_count, params.total_is_exact) == ([ids[0]], 2, False)
        assert "LIMIT" in counter.statements[-1].upper()


def test_a_page_beyond_reach_is_a_422_naming_page(client, auth_headers, goals_of_alice):
    deepest = client.get(f"/api/v1/fitness-goals/?page_size=20&page={common.PAGES_REACH // 20}", headers=auth_headers)
    beyond = client.get(
        f"/api/v1/fitness-goals/?page_size=20&page={common.PAGES_REACH // 20 + 1}", headers=auth_headers
    )

    assert (deepest.status_code, deepest.json) == (200, [])
    assert beyond.status_code == 422
    assert beyond.json["errors"] == {
        "query": {"page": ["Pages reach the first 10,000 items of a list; narrow it with its filters."]}
    }
    assert beyond.json["code"] == 422 and "10,000" in beyond.json["message"]


def test_the_last_page_within_reach_offers_no_next_page(client, auth_headers, goals_of_alice, monkeypatch):
    monkeypatch.setattr(common, "PAGES_REACH", 4)

    metadata = pagination_of(client.get("/api/v1/fitness-goals/?page_size=2&page=2", headers=auth_headers))

    assert metadata["page"] == 2 and "next_page" not in metadata
    assert client.get("/api/v1/fitness-goals/?page_size=2&page=3", headers=auth_headers).status_code == 422


def test_openapi_documents_whether_a_total_is_exact(client):
    header = client.get("/api/v1/openapi.json").json["components"]["headers"]["PAGINATION"]
    schema = header["schema"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = client.get("/api/v1/openapi.json").json["components"]["schemas"][name]

    assert {"total", "total_is_exact", "next_page"} <= schema["properties"].keys()
    assert "1,000" in schema["properties"]["total"]["description"]
