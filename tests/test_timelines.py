"""The one keyset pager (`app/blueprints/common.py`) over a two-column key, as the feed, comments and chat will use
it: `(created_at, id)`, ties on the instant broken by the id, instants carried through the cursor intact."""

from datetime import UTC, datetime, timedelta

import marshmallow as ma
import pytest
from sqlalchemy import select

from app.blueprints.common import BAD_CURSOR, Keyset, TimelineArgsSchema
from app.models import Notification, NotificationType

BY_TIME = Keyset("test-by-time", Notification.created_at, Notification.id)
NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


class ByTimeArgsSchema(TimelineArgsSchema):
    keyset = BY_TIME


@pytest.fixture
def stored(db, user):
    """Seven notifications: three at one instant, then one a minute apart each."""
    instants = [NOON] * 3 + [NOON + timedelta(minutes=n) for n in range(1, 5)]
    rows = [
        Notification(recipient_id=user, type=NotificationType.SYSTEM, message=f"n{n}", created_at=at)
        for n, at in enumerate(instants)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [(row.created_at, row.id) for row in rows]


def walk(limit: int, *, is_descending: bool) -> list[list]:
    """Every page of the timeline, each cursor passed through the args schema as a client would send it."""
    pages, cursor = [], None
    while True:
        page = BY_TIME.page(select(Notification), cursor=cursor, limit=limit, is_descending=is_descending)
        pages.append([(n.created_at, n.id) for n in page["items"]])
        if page["next_cursor"] is None:
            return pages
        cursor = ByTimeArgsSchema().load({"cursor": page["next_cursor"]})["cursor"]


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_pages_cover_the_timeline_once_in_key_order_through_ties(stored, limit):
    newest_first = [key for page in walk(limit, is_descending=True) for key in page]
    oldest_first = [key for page in walk(limit, is_descending=False) for key in page]

    assert newest_first == sorted(stored, reverse=True)
    assert oldest_first == sorted(stored)


def test_a_cursor_carries_its_instant_and_direction(stored):
    page = BY_TIME.page(select(Notification), cursor=None, limit=4, is_descending=True)

    cursor = ByTimeArgsSchema().load({"cursor": page["next_cursor"]})["cursor"]

    assert cursor.position == (page["items"][-1].created_at, page["items"][-1].id)
    assert cursor.position[0].tzinfo is not None and cursor.is_descending


def test_a_cursor_of_another_timeline_is_refused(stored, app):
    notifications = Keyset("notifications", Notification.id)
    token = notifications.page(select(Notification), cursor=None, limit=1)["next_cursor"]

    with pytest.raises(ma.ValidationError) as refused:
        ByTimeArgsSchema().load({"cursor": token})

    assert refused.value.messages == {"cursor": [BAD_CURSOR]}
