"""The chat services as the Socket.IO handlers call them, and their rules under concurrency: one conversation
per pair and one message per client_id whoever wins the race, one notification however many messages arrive
together, and nothing emitted for what was not committed."""

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Conversation, Message, Notification, User
from app.services import chat as chat_service
from app.services import notifications
from tests.concurrency import race, statuses


@pytest.fixture
def talk(chat) -> int:
    return chat.conversation("ann", "bob")


def person(name_or_id) -> User:
    return db.session.get(User, name_or_id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_two_people_starting_at_once_share_one_conversation(app, chat):
    bodies = {0: ("ann", "bob"), 1: ("bob", "ann")}

    responses = race(
        app,
        2,
        lambda client, n: client.post(
            "/api/v1/conversations/",
            json={"user_id": chat.ids[bodies[n][1]]},
            headers=chat.headers_of(bodies[n][0]),
        ),
    )

    assert statuses(responses) == {201: 1, 200: 1}, [r.json for r in responses]
    assert responses[0].json["id"] == responses[1].json["id"]
    with app.app_context():
        assert count(Conversation) == 1


def test_the_same_message_sent_twice_at_once_is_stored_once(app, chat, talk):
    url = f"/api/v1/conversations/{talk}/messages/"
    body = {"text": "once", "client_id": "retry-1"}

    responses = race(app, 3, lambda client, n: client.post(url, json=body, headers=chat.headers_of("ann")))

    assert statuses(responses) == {201: 1, 200: 2}, [r.json for r in responses]
    assert len({r.json["id"] for r in responses}) == 1
    assert chat.stored_messages() == 1


def test_messages_arriving_together_notify_an_absent_recipient_once(app, chat, talk, presence):
    url = f"/api/v1/conversations/{talk}/messages/"

    responses = race(
        app,
        4,
        lambda client, n: client.post(
            url, json={"text": f"m{n}", "client_id": f"burst-{n}"}, headers=chat.headers_of("ann")
        ),
    )

    assert statuses(responses) == {201: 4}
    assert len(chat.message_notifications("bob")) == 1


def test_joining_answers_the_conversation_only_to_its_members_while_nobody_is_blocked(db, chat, talk):
    ann, cat = person(chat.ids["ann"]), person(chat.ids["cat"])

    assert chat_service.join_conversation(ann, talk) == {"conversation_id": talk}
    with pytest.raises(NotFound):
        chat_service.join_conversation(cat, talk)
    with pytest.raises(NotFound):
        chat_service.join_conversation(ann, 999_999)

    chat.block("bob", "ann")
    with pytest.raises(Forbidden):
        chat_service.join_conversation(ann, talk)


def test_typing_is_emitted_at_once_to_members_only(db, chat, talk, chat_emitted):
    ann, cat = person(chat.ids["ann"]), person(chat.ids["cat"])

    chat_service.signal_typing(ann, talk, skip_sid="sid-1")

    assert chat_emitted == [(talk, "typing", {"conversation_id": talk, "user_id": ann.id})]
    with pytest.raises(NotFound):
        chat_service.signal_typing(cat, talk)
    chat.block("ann", "bob")
    with pytest.raises(Forbidden):
        chat_service.signal_typing(ann, talk)
    assert len(chat_emitted) == 1


def test_the_socket_side_gets_the_payload_and_whether_it_is_new(db, chat, talk, chat_emitted):
    ann = person(chat.ids["ann"])

    payload, created = chat_service.send_message(ann, talk, "over the socket", "sock-1", skip_sid="sid-1")
    again, created_again = chat_service.send_message(ann, talk, "over the socket", "sock-1", skip_sid="sid-1")

    assert created is True and created_again is False and again == payload
    assert set(payload) == {"id", "conversation_id", "author_id", "client_id", "text", "created_at", "is_deleted"}
    assert payload["created_at"].tzinfo is not None
    assert [event for _cid, event, _payload in chat_emitted] == ["message"]


def test_a_send_that_fails_before_its_commit_stores_and_emits_nothing(db, chat, talk, chat_emitted, monkeypatch):
    ann = person(chat.ids["ann"])

    def broken(*args, **kwargs):
        raise RuntimeError("notifications are down")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(notifications, "notify", broken)
        chat_service.send_message(ann, talk, "lost", "lost-1")
    db.session.rollback()

    assert chat_emitted == []
    assert count(Message) == 0 and count(Notification) == 0
    chat_service.send_message(ann, talk, "after", "after-1")  # the pair is untouched: the next send works
    assert [event for _cid, event, _payload in chat_emitted] == ["message"]
