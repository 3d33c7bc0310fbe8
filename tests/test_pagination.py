"""SQLPage: totals without a COUNT where the page tells them, and right for DISTINCT lists."""

import pytest
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import select

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
