"""Messages: sent once per client_id, read newest first in pages that never skip or repeat, deleted for both as
tombstones, read receipts that only move forward, and a notification for an absent recipient — one per
conversation until they read. A conversation one is not in does not exist (404) on every endpoint."""

import pytest

from app.services.chat import MAX_TEXT


@pytest.fixture
def talk(chat) -> int:
    """ann and bob's conversation."""
    return chat.conversation("ann", "bob")


# --- sending --------------------------------------------------------------------------------------------------


def test_sending_answers_the_message_then_the_same_client_id_answers_the_first_one(chat, talk):
    first = chat.send("ann", talk, "hello", client_id="c-1")
    again = chat.send("ann", talk, "hello, edited", client_id="c-1")

    assert first.status_code == 201 and again.status_code == 200
    assert again.json == first.json
    assert first.json["text"] == "hello" and first.json["author_id"] == chat.ids["ann"]
    assert first.json["conversation_id"] == talk and first.json["is_deleted"] is False
    assert first.json["client_id"] == "c-1" and first.json["created_at"].endswith("+00:00")
    assert chat.stored_messages() == 1
    assert [m["text"] for m in chat.history("bob", talk)["items"]] == ["hello"]


def test_another_person_may_use_the_same_client_id(chat, talk):
    assert chat.send("ann", talk, client_id="same").status_code == 201
    assert chat.send("bob", talk, client_id="same").status_code == 201
    assert chat.stored_messages() == 2


def test_a_client_id_reused_in_another_conversation_is_a_409_naming_it(chat, talk):
    with_cat = chat.conversation("ann", "cat")
    chat.send("ann", talk, client_id="c-1")

    response = chat.send("ann", with_cat, client_id="c-1")

    assert response.status_code == 409 and set(response.json["errors"]["json"]) == {"client_id"}
    assert chat.stored_messages() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"text": "", "client_id": "c"},
        {"text": "   \n\t", "client_id": "c"},
        {"text": "x" * (MAX_TEXT + 1), "client_id": "c"},
        {"text": "hi", "client_id": ""},
        {"text": "hi", "client_id": "x" * 65},
        {"text": "hi", "client_id": "has space"},
        {"text": "hi", "client_id": "line\n"},
        {"text": "hi", "client_id": "ü"},
        {"text": "hi"},
        {"client_id": "c"},
        {"text": None, "client_id": "c"},
        {"text": 5, "client_id": "c"},
        {"text": "hi", "client_id": 5},
        {"text": ["hi"], "client_id": "c"},
        {"text": "hi", "client_id": "c", "conversation_id": 1},
        [],
        "hi",
    ],
)
def test_a_bad_message_is_a_422(chat, talk, body):
    response = chat.call("ann", "POST", f"/conversations/{talk}/messages/", body)

    assert response.status_code == 422 and response.json["code"] == 422
    assert chat.stored_messages() == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"text": "a\\u0000b", "client_id": "c"}',
        '{"text": "a\\ud800", "client_id": "c"}',
        '{"text": "hi", "client_id": "c\\u0000"}',
        '{"text": "hi", "client_id": "\\udfff"}',
    ],
)
def test_nul_or_a_lone_surrogate_is_a_422_never_a_500(chat, talk, raw):
    response = chat.client.post(
        f"/api/v1/conversations/{talk}/messages/",
        data=raw,
        content_type="application/json",
        headers=chat.headers_of("ann"),
    )

    assert response.status_code == 422 and response.json["code"] == 422


def test_the_longest_message_is_stored_as_sent(chat, talk):
    text = "  " + "x" * (MAX_TEXT - 2)

    assert chat.send("ann", talk, text).json["text"] == text


@pytest.mark.parametrize(("blocker", "blocked"), [("ann", "bob"), ("bob", "ann")])
def test_a_block_after_the_start_stops_sending_both_ways_but_not_reading(chat, talk, blocker, blocked):
    chat.say("ann", talk, "before")
    chat.block(blocker, blocked)

    assert chat.send("ann", talk).status_code == 403
    assert chat.send("bob", talk).status_code == 403
    assert [m["text"] for m in chat.history("bob", talk)["items"]] == ["before"]


# --- history --------------------------------------------------------------------------------------------------


def test_history_is_newest_first_and_pages_back_without_gaps_or_repeats_while_messages_arrive(chat, talk):
    sent = [chat.say("ann" if n % 2 else "bob", talk, f"m{n}")["id"] for n in range(7)]

    first = chat.history("ann", talk, "?limit=3")
    chat.say("bob", talk, "new while paging")
    second = chat.history("ann", talk, f"?limit=3&cursor={first['next_cursor']}")
    chat.say("bob", talk, "another")
    third = chat.history("ann", talk, f"?limit=3&cursor={second['next_cursor']}")

    seen = [m["id"] for page in (first, second, third) for m in page["items"]]
    assert seen == list(reversed(sent))
    assert third["next_cursor"] is None


def test_before_lists_only_older_messages(chat, talk):
    ids = [chat.say("ann", talk, f"m{n}")["id"] for n in range(4)]

    page = chat.history("bob", talk, f"?before={ids[2]}")

    assert [m["id"] for m in page["items"]] == [ids[1], ids[0]]


@pytest.mark.parametrize("query", ["?before=0", "?before=abc", "?limit=0", "?limit=101", "?cursor=forged"])
def test_bad_history_arguments_are_a_422(chat, talk, query):
    response = chat.call("ann", "GET", f"/conversations/{talk}/messages/{query}")

    assert response.status_code == 422


# --- strangers ------------------------------------------------------------------------------------------------


def test_a_conversation_one_is_not_in_is_a_404_on_every_endpoint(chat, talk):
    message = chat.say("ann", talk)
    absent = 999_999

    for conversation_id in (talk, absent):
        assert chat.call("cat", "GET", f"/conversations/{conversation_id}/messages/").status_code == 404
        assert chat.send("cat", conversation_id).status_code == 404
        assert chat.read("cat", conversation_id, message["id"]).status_code == 404
    assert chat.delete("cat", message["id"]).status_code == 404
    assert chat.delete("cat", 999_999).status_code == 404
    assert chat.conversations("cat")["items"] == []
    assert chat.stored_messages() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/conversations/1/messages/"),
        ("POST", "/api/v1/conversations/1/messages/"),
        ("POST", "/api/v1/conversations/1/read/"),
        ("DELETE", "/api/v1/messages/1/"),
    ],
)
def test_every_message_endpoint_needs_a_login(client, method, path):
    assert client.open(path, method=method, json={}).status_code == 401


def test_huge_ids_in_the_path_are_a_404(chat):
    assert chat.call("ann", "GET", f"/conversations/{2**31}/messages/").status_code == 404
    assert chat.delete("ann", 2**63).status_code == 404


# --- deleting -------------------------------------------------------------------------------------------------


def test_the_author_deletes_a_message_for_both_as_a_tombstone_and_again_is_a_204(chat, talk):
    kept = chat.say("bob", talk, "kept")
    gone = chat.say("ann", talk, "gone")

    assert chat.delete("ann", gone["id"]).status_code == 204
    assert chat.delete("ann", gone["id"]).status_code == 204

    for viewer in ("ann", "bob"):
        tombstone, message = chat.history(viewer, talk)["items"]
        assert tombstone == gone | {"text": None, "is_deleted": True}
        assert message == kept


def test_only_the_author_deletes_a_message(chat, talk):
    message = chat.say("ann", talk, "mine")

    response = chat.delete("bob", message["id"])

    assert response.status_code == 403 and response.json["code"] == 403
    assert chat.history("bob", talk)["items"][0]["text"] == "mine"


# --- reading --------------------------------------------------------------------------------------------------


def test_a_read_receipt_moves_forward_only_and_counts_what_is_left(chat, talk):
    ids = [chat.say("bob", talk, f"m{n}")["id"] for n in range(3)]

    receipt = chat.read("ann", talk, ids[1])
    older = chat.read("ann", talk, ids[0])

    assert receipt.status_code == 200
    assert receipt.json == {"conversation_id": talk, "last_read_message_id": ids[1], "unread_count": 1}
    assert older.json == receipt.json
    assert chat.conversations("ann")["items"][0]["unread_count"] == 1
    assert chat.read("ann", talk, ids[2]).json["unread_count"] == 0


def test_sending_marks_ones_own_conversation_read(chat, talk):
    chat.say("bob", talk, "question")
    chat.say("ann", talk, "answer")

    assert chat.conversations("ann")["items"][0]["unread_count"] == 0
    assert chat.conversations("bob")["items"][0]["unread_count"] == 1


def test_reading_to_a_message_of_another_conversation_is_a_422_naming_message_id(chat, talk):
    other = chat.say("ann", chat.conversation("ann", "cat"))

    response = chat.read("ann", talk, other["id"])

    assert response.status_code == 422 and set(response.json["errors"]["json"]) == {"message_id"}
    assert chat.read("ann", talk, 999_999).status_code == 422


@pytest.mark.parametrize("body", [{}, {"message_id": 0}, {"message_id": "x"}, {"message_id": 2**63}])
def test_a_bad_read_receipt_is_a_422(chat, talk, body):
    assert chat.call("ann", "POST", f"/conversations/{talk}/read/", body).status_code == 422


# --- notifications and emits ----------------------------------------------------------------------------------


def test_an_absent_recipient_is_notified_once_per_conversation_until_they_read(chat, talk, presence):
    first = chat.say("ann", talk, "are you there?")
    chat.say("ann", talk, "hello?")
    chat.say("ann", talk, "x" * 200)

    assert chat.message_notifications("bob") == ["ann: are you there?"]
    assert chat.message_notifications("ann") == []

    chat.read("bob", talk, first["id"])
    chat.say("ann", talk, "y" * 200)

    notified = chat.message_notifications("bob")
    assert len(notified) == 2 and notified[1] == "ann: " + "y" * 79 + "…"


def test_a_recipient_in_the_chat_is_not_notified(chat, talk, presence):
    presence.add(chat.ids["bob"])

    chat.say("ann", talk, "live")

    assert chat.message_notifications("bob") == []
    presence.clear()
    chat.say("ann", talk, "gone away")
    assert chat.message_notifications("bob") == ["ann: gone away"]


def test_events_are_emitted_to_the_conversation_after_each_commit(chat, talk, chat_emitted, presence):
    message = chat.say("ann", talk, "hi")
    chat.send("ann", talk, "hi", client_id=message["client_id"])  # a repeat emits nothing
    chat.read("bob", talk, message["id"])
    chat.read("bob", talk, message["id"])  # nothing moved: nothing to say
    chat.delete("ann", message["id"])
    chat.delete("ann", message["id"])

    assert chat_emitted == [
        (talk, "message", message),
        (talk, "read", {"conversation_id": talk, "user_id": chat.ids["bob"], "message_id": message["id"]}),
        (talk, "deleted", {"conversation_id": talk, "message_id": message["id"]}),
    ]


def test_refused_writes_emit_nothing(chat, talk, chat_emitted):
    chat.send("cat", talk)
    chat.send("ann", talk, "")
    chat.block("ann", "bob")
    chat.send("bob", talk)

    assert chat_emitted == []


# --- limits ---------------------------------------------------------------------------------------------------


def test_messages_are_limited_per_person(limited_chat):
    chat = limited_chat(RATELIMIT_MESSAGES="2 per minute")
    talk = chat.conversation("ann", "bob")

    statuses = [chat.send("ann", talk, f"m{n}").status_code for n in range(3)]

    assert statuses == [201, 201, 429]
    refused = chat.send("ann", talk)
    assert refused.json["code"] == 429 and int(refused.headers["Retry-After"]) > 0
    assert chat.send("bob", talk).status_code == 201
