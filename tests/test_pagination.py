"""SQLPage: a page and its total from one statement, and totals that stay right for DISTINCT lists."""

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


def test_a_list_counts_all_its_rows_not_the_pages(app, make_user):
    ids = [make_user() for _ in range(5)]

    with app.app_context():
        params = PaginationParameters(page=2, page_size=2)
        page = SQLPage(select(User.id).where(User.id.in_(ids)).order_by(User.id), params)

        assert (page.items, page.item_count) == (ids[2:4], 5)
