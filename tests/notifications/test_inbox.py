"""The inbox over REST: cursor pages, unread filter, catching up, read state, deletion; owner only."""

import pytest

from app.extensions import db
from app.models import NotificationType
from app.services import notifications
from tests.conftest import bearer, login


@pytest.fixture
def notify(app):
    def sender(user_id: int, count: int = 1, type=NotificationType.SYSTEM) -> list[int]:
        with app.app_context():
            stored = [notifications.notify([user_id], type, f"note {n}")[0]["id"] for n in range(count)]
            db.session.commit()
            return stored

    return sender


def page(client, headers, **params):
    response = client.get("/api/v1/notifications/", query_string=params, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_inbox_pages_newest_first_with_a_keyset_cursor(client, auth_headers, user, notify):
    ids = notify(user, 5)

    first = page(client, auth_headers, limit=2)
    second = page(client, auth_headers, limit=2, cursor=first["next_cursor"])
    last = page(client, auth_headers, limit=2, cursor=second["next_cursor"])

    assert [n["id"] for n in first["items"]] == ids[::-1][:2]
    assert [n["id"] for n in second["items"]] == ids[::-1][2:4]
    assert [n["id"] for n in last["items"]] == ids[:1]
    assert last["next_cursor"] is None
    assert set(first["items"][0]) == {
        "id",
        "type",
        "actor_id",
        "target_type",
        "target_id",
        "message",
        "data",
        "is_read",
        "created_at",
    }


def test_a_reconnecting_client_catches_up_after_its_last_seen_id(client, auth_headers, user, notify):
    seen = notify(user, 2)
    missed = notify(user, 3)

    caught_up = page(client, auth_headers, after=seen[-1])

    assert [n["id"] for n in caught_up["items"]] == missed
    assert page(client, auth_headers, after=caught_up["next_cursor"])["items"] == []


def test_the_unread_filter_and_count_follow_read_state(client, auth_headers, user, notify):
    ids = notify(user, 3)

    marked = client.post("/api/v1/notifications/read/", json={"ids": ids[:2]}, headers=auth_headers)

    assert marked.json == {"updated": 2, "unread_count": 1}
    assert [n["id"] for n in page(client, auth_headers, unread="true")["items"]] == ids[2:]
    assert len(page(client, auth_headers, unread="false")["items"]) == 2
    assert client.get("/api/v1/notifications/unread-count/", headers=auth_headers).json == {"count": 1}


def test_mark_all_read(client, auth_headers, user, notify):
    notify(user, 3)

    response = client.post("/api/v1/notifications/read/", json={"all": True}, headers=auth_headers)

    assert response.json == {"updated": 3, "unread_count": 0}


def test_nobody_reads_marks_or_deletes_another_persons_notifications(client, auth_headers, make_user, notify):
    bob = make_user(username="bob")
    bobs = notify(bob, 2)

    assert page(client, auth_headers)["items"] == []
    marked = client.post("/api/v1/notifications/read/", json={"ids": bobs}, headers=auth_headers)
    deleted = client.delete(f"/api/v1/notifications/{bobs[0]}/", headers=auth_headers)

    assert marked.json["updated"] == 0
    assert deleted.status_code == 404
    bob_headers = bearer(login(client, "bob")["access_token"])
    assert client.get("/api/v1/notifications/unread-count/", headers=bob_headers).json == {"count": 2}


def test_deleting_a_notification(client, auth_headers, user, notify):
    first, second = notify(user, 2)

    assert client.delete(f"/api/v1/notifications/{first}/", headers=auth_headers).status_code == 204
    assert [n["id"] for n in page(client, auth_headers)["items"]] == [second]
    assert client.delete(f"/api/v1/notifications/{first}/", headers=auth_headers).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"cursor": 0}, "cursor"),
        ({"cursor": 2**70}, "cursor"),
        ({"cursor": 5, "after": 1}, "after"),
        ({"unread": "maybe"}, "unread"),
    ],
)
def test_inbox_arguments_are_validated(client, auth_headers, params, field):
    response = client.get("/api/v1/notifications/", query_string=params, headers=auth_headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": [1], "all": True}, {"all": False}, {"ids": ["x"]}])
def test_mark_read_needs_ids_or_all(client, auth_headers, body):
    response = client.post("/api/v1/notifications/read/", json=body, headers=auth_headers)

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/notifications/"),
        ("get", "/api/v1/notifications/unread-count/"),
        ("post", "/api/v1/notifications/read/"),
        ("delete", "/api/v1/notifications/1/"),
        ("get", "/api/v1/notifications/preferences/"),
        ("put", "/api/v1/notifications/preferences/"),
    ],
)
def test_the_inbox_needs_authentication(client, method, path):
    assert getattr(client, method)(path).status_code == 401


def test_the_inbox_costs_a_constant_number_of_queries(client, auth_headers, user, notify, count_queries):
    notify(user, 1)
    with count_queries() as one:
        page(client, auth_headers, limit=100)
    notify(user, 60)
    with count_queries() as many:
        page(client, auth_headers, limit=100)

    assert one.count == many.count <= 2
