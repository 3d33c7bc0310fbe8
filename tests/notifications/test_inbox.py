"""The inbox over REST: cursor pages, unread filter, catching up, read state, deletion; owner only."""

import pytest
from itsdangerous import URLSafeSerializer

from app.blueprints.common import BAD_CURSOR
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
    assert caught_up["next_cursor"] is None  # nothing newer: the live pushes take over from here
    assert page(client, auth_headers, after=missed[-1]) == {"items": [], "next_cursor": None}


def test_catching_up_pages_oldest_first_and_the_cursor_keeps_that_direction(client, auth_headers, user, notify):
    seen = notify(user, 1)
    missed = notify(user, 5)

    first = page(client, auth_headers, after=seen[-1], limit=2)
    second = page(client, auth_headers, cursor=first["next_cursor"], limit=2)
    last = page(client, auth_headers, cursor=second["next_cursor"], limit=2)

    assert [n["id"] for n in first["items"] + second["items"] + last["items"]] == missed
    assert last["next_cursor"] is None


def test_pages_neither_repeat_nor_skip_when_notifications_arrive_in_between(client, auth_headers, user, notify):
    older = notify(user, 4)

    first = page(client, auth_headers, limit=2)
    newer = notify(user, 3)
    second = page(client, auth_headers, limit=2, cursor=first["next_cursor"])

    assert [n["id"] for n in first["items"]] == older[:1:-1]
    assert [n["id"] for n in second["items"]] == older[1::-1]
    assert second["next_cursor"] is None
    assert [n["id"] for n in page(client, auth_headers, limit=3)["items"]] == newer[::-1]


def test_limit_defaults_to_20_and_is_capped_at_100(client, auth_headers, user, notify):
    notify(user, 101)

    default = page(client, auth_headers)
    most = page(client, auth_headers, limit=100)
    rest = page(client, auth_headers, limit=100, cursor=most["next_cursor"])

    assert len(default["items"]) == 20 and default["next_cursor"]
    assert len(most["items"]) == 100 and len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    refused = client.get("/api/v1/notifications/", query_string={"limit": 101}, headers=auth_headers)
    assert refused.status_code == 422 and list(refused.json["errors"]["query"]) == ["limit"]


def _other(char: str) -> str:
    return "B" if char != "B" else "C"


def _signature_changed(app, real: str) -> str:
    payload, signature = real.rsplit(".", 1)
    return f"{payload}.{_other(signature[0])}{signature[1:]}"


def _signed(payload, key: str | None = None, salt: str = "cursor"):
    return lambda app, real: URLSafeSerializer(key or app.config["SECRET_KEY"], salt=salt).dumps(payload)


BAD_CURSORS = {
    # the first character of the signature or of the payload: all six bits of a base64 character count there
    "signature changed": _signature_changed,
    "payload changed": lambda app, real: _other(real[0]) + real[1:],
    "signed with another key": _signed(["notifications", "<", 1], key="not the key"),
    "signed for another purpose": _signed(["notifications", "<", 1], salt="password-reset"),
    "another timeline's": _signed(["feed", "<", 1]),
    "a key of the wrong type": _signed(["notifications", "<", "1"]),
    "the wrong shape": _signed({"id": 1}),
    "an id": lambda app, real: "3",
    "empty": lambda app, real: "",
    "not base64": lambda app, real: "%%%not base64%%%.sig",
    "not ascii": lambda app, real: "é" * 50,
    "huge": lambda app, real: "a" * 100_000,
}


@pytest.mark.parametrize("make_cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_a_cursor_the_inbox_did_not_give_out_is_a_422_naming_it(app, client, auth_headers, user, notify, make_cursor):
    notify(user, 3)
    real = page(client, auth_headers, limit=1)["next_cursor"]

    response = client.get(
        "/api/v1/notifications/", query_string={"cursor": make_cursor(app, real)}, headers=auth_headers
    )

    assert response.status_code == 422, response.json
    assert response.json["code"] == 422 and response.json["message"]
    assert response.json["errors"] == {"query": {"cursor": [BAD_CURSOR]}}


def test_a_nul_in_the_cursor_is_a_422_naming_it(client, auth_headers):
    response = client.get("/api/v1/notifications/?cursor=ab%00cd", headers=auth_headers)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["cursor"]


def test_another_persons_cursor_only_pages_ones_own_inbox(client, auth_headers, user, make_user, notify):
    bob = make_user(username="bob")
    mine = notify(user, 2)
    notify(bob, 3)
    bobs_cursor = page(client, bearer(login(client, "bob")["access_token"]), limit=1)["next_cursor"]

    assert [n["id"] for n in page(client, auth_headers, cursor=bobs_cursor)["items"]] == mine[::-1]


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
        ({"cursor": "x" * 501}, "cursor"),
        ({"after": -1}, "after"),
        ({"after": 2**70}, "after"),
        ({"cursor": "anything", "after": 1}, "after"),
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
