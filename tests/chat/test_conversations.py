"""Conversations: one per pair, started by either, with anyone active not blocked either way; listed to each
member by latest activity with the other person, the last message and what they have not read."""

import pytest

from app.extensions import db
from app.models import Conversation, ConversationMember, User
from app.models.base import utcnow


def test_starting_answers_201_then_the_same_conversation_200_from_either_side(chat):
    first = chat.start("ann", "bob")
    again = chat.start("ann", "bob")
    theirs = chat.start("bob", "ann")

    assert first.status_code == 201 and again.status_code == 200 and theirs.status_code == 200
    assert first.json["id"] == again.json["id"] == theirs.json["id"]
    assert first.json["other"] == {"id": chat.ids["bob"], "username": "bob", "avatar": None}
    assert theirs.json["other"]["username"] == "ann"
    assert first.json["last_message"] is None and first.json["unread_count"] == 0
    with chat.app.app_context():
        assert db.session.query(Conversation).count() == 1
        assert db.session.query(ConversationMember).count() == 2


def test_starting_a_conversation_with_oneself_is_a_422_naming_user_id(chat):
    response = chat.start("ann", "ann")

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"user_id"}


@pytest.mark.parametrize("who", ["unknown", "deactivated"])
def test_starting_a_conversation_with_no_such_active_user_is_a_404(chat, who):
    target = 999_999
    if who == "deactivated":
        target = chat.ids["bob"]
        with chat.app.app_context():
            db.session.get(User, target).deactivated_at = utcnow()
            db.session.commit()

    response = chat.call("ann", "POST", "/conversations/", {"user_id": target})

    assert response.status_code == 404 and response.json["code"] == 404


@pytest.mark.parametrize(("blocker", "blocked"), [("ann", "bob"), ("bob", "ann")])
def test_someone_blocked_either_way_is_no_such_user(chat, blocker, blocked):
    chat.block(blocker, blocked)

    assert chat.start("ann", "bob").status_code == 404
    assert chat.start("bob", "ann").status_code == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"user_id": "bob"}, {"user_id": 0}, {"user_id": 2**31}, {"user_id": None}, {"user_id": 1, "extra": 1}, []],
)
def test_a_bad_body_is_a_422(chat, body):
    response = chat.call("ann", "POST", "/conversations/", body)

    assert response.status_code == 422 and response.json["code"] == 422


def test_the_list_is_ordered_by_latest_activity_with_the_other_last_message_and_unread_count(chat):
    with_bob = chat.conversation("ann", "bob")
    with_cat = chat.conversation("cat", "ann")
    chat.say("bob", with_bob, "one")
    chat.say("bob", with_bob, "two")
    chat.say("ann", with_cat, "hello cat")

    items = chat.conversations("ann")["items"]

    assert [item["id"] for item in items] == [with_cat, with_bob]
    cat_view, bob_view = items
    assert cat_view["other"]["username"] == "cat" and cat_view["unread_count"] == 0
    assert cat_view["last_message"]["text"] == "hello cat"
    assert bob_view["other"]["username"] == "bob" and bob_view["unread_count"] == 2
    assert bob_view["last_message"]["text"] == "two" and bob_view["last_message"]["author_id"] == chat.ids["bob"]
    assert [item["id"] for item in chat.conversations("bob")["items"]] == [with_bob]

    chat.say("bob", with_bob, "three")  # activity brings it back on top

    assert [item["id"] for item in chat.conversations("ann")["items"]] == [with_bob, with_cat]


def test_the_list_pages_by_cursor_without_gaps_or_repeats(app, chat, make_user):
    others = [make_user(username=f"pal{n}") for n in range(5)]
    chat.ids.update({f"pal{n}": user_id for n, user_id in enumerate(others)})
    conversations = [chat.conversation("ann", f"pal{n}") for n in range(5)]

    first = chat.conversations("ann", "?limit=2")
    second = chat.conversations("ann", f"?limit=2&cursor={first['next_cursor']}")
    third = chat.conversations("ann", f"?limit=2&cursor={second['next_cursor']}")

    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert seen == list(reversed(conversations))
    assert third["next_cursor"] is None


def test_a_cursor_of_another_list_is_a_422_naming_cursor(chat):
    conversation_id = chat.conversation("ann", "bob")
    for n in range(3):
        chat.say("ann", conversation_id, f"m{n}")
    cursor = chat.history("ann", conversation_id, "?limit=1")["next_cursor"]

    response = chat.call("ann", "GET", f"/conversations/?cursor={cursor}")

    assert response.status_code == 422 and "cursor" in response.json["errors"]["query"]


def test_a_deleted_last_message_shows_as_a_tombstone_and_is_not_unread(chat):
    conversation_id = chat.conversation("ann", "bob")
    message = chat.say("bob", conversation_id, "oops")
    chat.delete("bob", message["id"])

    (view,) = chat.conversations("ann")["items"]

    assert view["last_message"]["is_deleted"] is True and view["last_message"]["text"] is None
    assert view["unread_count"] == 0


def test_conversations_need_a_login(client):
    assert client.get("/api/v1/conversations/").status_code == 401
    assert client.post("/api/v1/conversations/", json={"user_id": 1}).status_code == 401


def test_starting_conversations_is_limited_per_person(limited_chat, make_user):
    chat = limited_chat(RATELIMIT_CONVERSATIONS="1 per minute")

    assert chat.start("ann", "bob").status_code == 201
    refused = chat.start("ann", "cat")
    assert refused.status_code == 429 and refused.json["code"] == 429
    assert chat.start("bob", "cat").status_code == 201
