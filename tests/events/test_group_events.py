"""A group's events (SPEC §8): organised by its members, seen by whoever reads the group (everyone for a public
group, its members for a private one), answered by its members only, listed per group, gone with the group."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Event, Role
from app.services import event_reminders
from tests.events.conftest import event_body
from tests.factories.events import EventFactory, EventRsvpFactory
from tests.factories.groups import make_group


@pytest.fixture
def public_group(app, folk) -> int:
    """ann's public group, with bob; cat and dan are not in it."""
    with app.app_context():
        return make_group(folk["ann"], members=(folk["bob"],))


@pytest.fixture
def private_group(app, folk) -> int:
    """ann's private group, with bob; cat and dan are not in it."""
    with app.app_context():
        return make_group(folk["ann"], members=(folk["bob"],), visibility="private")


def listed(events, actor: str, query: str = "") -> list[int]:
    response = events.call(actor, "GET", f"/events/{query}")
    assert response.status_code == 200, response.json
    return [event["id"] for event in response.json["items"]]


# --- organising -----------------------------------------------------------------------------------------------


def test_a_member_organises_an_event_in_the_group(events, public_group):
    event = events.create("bob", group_id=public_group)

    assert event["group_id"] == public_group
    assert events.read("bob", event["id"]).json["group_id"] == public_group
    assert events.create("bob")["group_id"] is None  # standalone as before


def test_someone_not_in_the_group_cannot_organise_in_it(events, public_group, private_group):
    for group_id in (public_group, private_group):
        response = events.call("cat", "POST", "/events/", event_body(group_id=group_id))

        assert response.status_code == 403, response.json
    assert listed(events, "ann") == []


def test_an_unknown_group_is_a_422_naming_group_id(events):
    response = events.call("ann", "POST", "/events/", event_body(group_id=999_999))

    assert response.status_code == 422
    assert "group_id" in response.json["errors"]["json"]


@pytest.mark.parametrize("group_id", ["ten", 10**30, -1, 0, None, [1], {"id": 1}, True])
def test_a_malformed_group_id_is_a_422(events, group_id):
    response = events.call("ann", "POST", "/events/", event_body(group_id=group_id))

    assert response.status_code == 422, response.json
    assert "group_id" in response.json["errors"]["json"]


def test_the_group_cannot_be_changed_afterwards(events, public_group):
    event = events.create("ann", group_id=public_group)

    response = events.call("ann", "PATCH", f"/events/{event['id']}/", {"group_id": None})

    assert response.status_code == 422
    assert events.read("ann", event["id"]).json["group_id"] == public_group


# --- who sees it --------------------------------------------------------------------------------------------


def test_a_private_groups_event_does_not_exist_for_someone_not_in_it(events, private_group):
    event = events.create("ann", group_id=private_group)

    assert events.read("cat", event["id"]).status_code == 404
    assert event["id"] not in listed(events, "cat")
    assert events.call("cat", "GET", f"/events/{event['id']}/calendar.ics").status_code == 404
    assert events.rsvp("cat", event["id"]).status_code == 404
    assert events.withdraw("cat", event["id"]).status_code == 404
    assert events.statuses(event["id"]) == {}


def test_a_private_groups_members_and_admins_see_its_event(events, make_user, private_group):
    make_user(username="root", role=Role.ADMIN)
    event = events.create("ann", group_id=private_group)

    for viewer in ("ann", "bob", "root"):
        assert events.read(viewer, event["id"]).status_code == 200
        assert event["id"] in listed(events, viewer)
        assert events.call(viewer, "GET", f"/events/{event['id']}/calendar.ics").status_code == 200


def test_a_public_groups_event_is_seen_by_everyone_but_answered_by_its_members_only(events, public_group):
    event = events.create("ann", group_id=public_group)

    assert events.read("cat", event["id"]).status_code == 200
    assert event["id"] in listed(events, "cat")
    refused = events.rsvp("cat", event["id"])
    assert refused.status_code == 403
    assert refused.json["message"] == "Only the group's members answer its events."
    assert events.answer("bob", event["id"]) == "going"
    assert events.read("cat", event["id"]).json["going_count"] == 1
    assert events.statuses(event["id"]) == {"bob": "going"}


def test_the_group_rules_come_on_top_of_blocks(events, public_group):
    event = events.create("ann", group_id=public_group)
    events.block("ann", "bob")

    assert events.read("bob", event["id"]).status_code == 404
    assert event["id"] not in listed(events, "bob")


def test_someone_who_left_the_group_still_withdraws_their_answer(events, public_group):
    event = events.create("ann", group_id=public_group)
    events.answer("bob", event["id"])
    assert events.call("bob", "DELETE", f"/groups/{public_group}/join/").status_code == 204

    assert events.rsvp("bob", event["id"], "maybe").status_code == 403
    assert events.withdraw("bob", event["id"]).status_code == 204
    assert events.statuses(event["id"]) == {}


# --- one group's events -------------------------------------------------------------------------------------


def test_the_list_filters_to_one_groups_events(events, app, folk, public_group):
    with app.app_context():
        other = make_group(folk["cat"], members=(folk["ann"],))
    ours = events.create("ann", group_id=public_group)
    theirs = events.create("ann", group_id=other)
    standalone = events.create("ann")

    assert listed(events, "dan", f"?group_id={public_group}") == [ours["id"]]
    assert listed(events, "dan", f"?group_id={other}") == [theirs["id"]]
    assert set(listed(events, "dan")) == {ours["id"], theirs["id"], standalone["id"]}


def test_a_private_groups_list_is_its_members_only(events, private_group):
    event = events.create("bob", group_id=private_group)

    assert listed(events, "bob", f"?group_id={private_group}") == [event["id"]]
    assert events.call("cat", "GET", f"/events/?group_id={private_group}").status_code == 403


def test_the_list_of_an_unknown_group_is_a_404(events):
    assert events.call("ann", "GET", "/events/?group_id=999999").status_code == 404


@pytest.mark.parametrize("group_id", ["ten", str(10**30), "-1", "0", ""])
def test_a_malformed_group_filter_is_a_422(events, group_id):
    response = events.call("ann", "GET", f"/events/?group_id={group_id}")

    assert response.status_code == 422, response.json
    assert "group_id" in response.json["errors"]["query"]


# --- the group's end ----------------------------------------------------------------------------------------


def test_deleting_the_group_deletes_its_events(events, app, public_group):
    event = events.create("bob", group_id=public_group)
    standalone = events.create("bob")
    events.answer("bob", event["id"])

    assert events.call("ann", "DELETE", f"/groups/{public_group}/").status_code == 204

    assert events.read("bob", event["id"]).status_code == 404
    assert events.statuses(event["id"]) == {}
    assert listed(events, "bob") == [standalone["id"]]
    with app.app_context():
        assert db.session.get(Event, event["id"]) is None


# --- reminders ----------------------------------------------------------------------------------------------

START = datetime(2031, 5, 10, 18, 0, tzinfo=UTC)


def test_a_private_groups_event_is_not_recalled_to_those_who_left_the_group(app, folk, events, private_group):
    with app.app_context():
        public = make_group(folk["dan"], members=(folk["bob"], folk["cat"]))
        hour = {"starts_at": START, "ends_at": START + timedelta(hours=1)}
        hidden = EventFactory(organizer_id=folk["ann"], group_id=private_group, **hour).id
        shown = EventFactory(organizer_id=folk["cat"], group_id=public, **hour).id
        for event_id in (hidden, shown):
            EventRsvpFactory(event_id=event_id, user_id=folk["bob"], status="going")
        EventRsvpFactory(event_id=hidden, user_id=folk["ann"], status="going")
    for actor, group_id in (("bob", private_group), ("bob", public), ("cat", public)):
        assert events.call(actor, "DELETE", f"/groups/{group_id}/join/").status_code == 204

    with app.app_context():
        assert event_reminders.remind_due_events(START - timedelta(hours=24)) == 3

    assert len(events.event_notifications("ann")) == 1  # going to her private group's event
    assert len(events.event_notifications("bob")) == 1  # the public group's only: not the private one he left
    assert len(events.event_notifications("cat")) == 1  # a public group's organizer who left still sees it


def test_an_organizer_who_leaves_a_private_group_still_manages_the_event(events, private_group):
    event = events.create("bob", group_id=private_group)
    assert events.call("bob", "DELETE", f"/groups/{private_group}/join/").status_code == 204

    assert events.read("bob", event["id"]).status_code == 200
    assert events.call("bob", "PATCH", f"/events/{event['id']}/", {"title": "Moved"}).status_code == 200
    assert events.read("cat", event["id"]).status_code == 404
    assert events.call("bob", "DELETE", f"/events/{event['id']}/").status_code == 204
