"""A group's conversation on the chat domain: its members are the group's, joining and leaving move them."""

from itertools import count

import pytest

from app.extensions import socketio
from app.integrations.realtime import CHAT
from tests.conftest import login
from tests.factories.groups import make_group


@pytest.fixture
def group(app, social) -> int:
    """alice's public group, with carol and mallory (whom alice blocked) as members."""
    with app.app_context():
        return make_group(social["author"], members=(social["carol"], social["blocked"]), name="Trail runners")


def conversation_of(api, viewer, group_id) -> dict | None:
    items = api(viewer, "GET", "/conversations/?limit=100").json["items"]
    return next((item for item in items if item["group"] and item["group"]["id"] == group_id), None)


_sent = count(1)


def send(api, viewer, conversation_id, text="Who runs tomorrow?"):
    body = {"text": text, "client_id": f"{viewer}-{next(_sent)}"}
    return api(viewer, "POST", f"/conversations/{conversation_id}/messages/", body)


def test_a_groups_members_find_its_conversation(api, social, group):
    found = conversation_of(api, "carol", group)

    assert found["group"] == {"id": group, "name": "Trail runners", "visibility": "public"}
    assert found["other"] is None
    assert conversation_of(api, "stranger", group) is None


def test_members_write_and_read_and_others_cannot(api, social, group):
    conversation_id = conversation_of(api, "author", group)["id"]

    sent = send(api, "carol", conversation_id)

    assert sent.status_code == 201
    for member in ("author", "blocked"):  # a block between members does not close the group's conversation
        history = api(member, "GET", f"/conversations/{conversation_id}/messages/").json["items"]
        assert [m["text"] for m in history] == ["Who runs tomorrow?"]
    assert send(api, "blocked", conversation_id, "Me!").status_code == 201
    assert conversation_of(api, "author", group)["unread_count"] == 2
    assert send(api, "stranger", conversation_id).status_code == 404
    assert api("stranger", "GET", f"/conversations/{conversation_id}/messages/").status_code == 404


def test_joining_and_leaving_the_group_moves_one_in_and_out_of_its_conversation(api, social, group):
    conversation_id = conversation_of(api, "author", group)["id"]

    api("stranger", "POST", f"/groups/{group}/join/")
    assert send(api, "stranger", conversation_id).status_code == 201

    api("stranger", "DELETE", f"/groups/{group}/join/")
    assert send(api, "stranger", conversation_id, "again").status_code == 404
    assert conversation_of(api, "stranger", group) is None


def test_a_member_who_leaves_stops_hearing_the_conversation_live(app, client, api, social, group):
    conversation_id = conversation_of(api, "author", group)["id"]
    carol = socketio.test_client(app, namespace=CHAT, auth={"token": login(client, "carol")["access_token"]})
    try:
        joined = carol.emit("join", {"conversation_id": conversation_id}, namespace=CHAT, callback=True)
        assert joined["ok"] is True
        send(api, "author", conversation_id, "before")
        assert [e["args"]["text"] for e in carol.get_received(CHAT) if e["name"] == "message"] == ["before"]

        api("carol", "DELETE", f"/groups/{group}/join/")
        send(api, "author", conversation_id, "after")

        assert [e for e in carol.get_received(CHAT) if e["name"] == "message"] == []
        rejoined = carol.emit("join", {"conversation_id": conversation_id}, namespace=CHAT, callback=True)
        assert rejoined["ok"] is False
    finally:
        carol.disconnect(namespace=CHAT)


def test_deleting_the_group_deletes_its_conversation(api, social, group):
    conversation_id = conversation_of(api, "author", group)["id"]

    api("author", "DELETE", f"/groups/{group}/")

    assert api("author", "GET", f"/conversations/{conversation_id}/messages/").status_code == 404


def test_a_new_group_has_a_conversation_of_its_creator(api, social):
    created = api("stranger", "POST", "/groups/", {"name": "Swimmers"}).json

    assert conversation_of(api, "stranger", created["id"])["group"]["name"] == "Swimmers"
