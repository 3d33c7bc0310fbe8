"""RSVPs: going, maybe or declined; going beyond the capacity is stored as waitlisted, and the earliest waitlisted
person is promoted (and told) when a seat frees. An event that has ended takes no more answers."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Event
from app.models.base import utcnow
from tests.factories.events import EventFactory, EventRsvpFactory

PROMOTED = "A seat freed up: you are going to Park run."


def test_an_answer_is_stored_and_answered(events):
    event = events.create("ann", capacity=5)

    assert events.answer("bob", event["id"], "going") == "going"
    assert events.answer("cat", event["id"], "maybe") == "maybe"
    assert events.answer("dan", event["id"], "declined") == "declined"

    seen = events.read("bob", event["id"]).json
    assert seen["going_count"] == 1 and seen["my_rsvp"] == "going"
    assert events.statuses(event["id"]) == {"bob": "going", "cat": "maybe", "dan": "declined"}


def test_going_beyond_the_capacity_is_stored_as_waitlisted(events):
    event = events.create("ann", capacity=1)

    assert events.answer("bob", event["id"]) == "going"
    assert events.answer("cat", event["id"]) == "waitlisted"
    assert events.answer("cat", event["id"]) == "waitlisted"  # asking again keeps one's place

    seen = events.read("cat", event["id"]).json
    assert seen["going_count"] == 1 and seen["my_rsvp"] == "waitlisted"


def test_an_unlimited_event_takes_everyone(events):
    event = events.create("ann")

    assert [events.answer(name, event["id"]) for name in ("ann", "bob", "cat", "dan")] == ["going"] * 4
    assert events.read("ann", event["id"]).json["going_count"] == 4


@pytest.mark.parametrize("leaving", ["maybe", "declined", "withdraw"])
def test_a_freed_seat_goes_to_the_earliest_waitlisted_who_is_told(events, leaving):
    event = events.create("ann", capacity=1)
    events.answer("bob", event["id"])
    events.answer("dan", event["id"])  # waitlisted first
    events.answer("cat", event["id"])  # then cat

    if leaving == "withdraw":
        assert events.withdraw("bob", event["id"]).status_code == 204
    else:
        assert events.answer("bob", event["id"], leaving) == leaving

    statuses = events.statuses(event["id"])
    assert statuses["dan"] == "going" and statuses["cat"] == "waitlisted"
    assert events.event_notifications("dan") == [PROMOTED]
    assert events.event_notifications("cat") == []
    assert events.read("ann", event["id"]).json["going_count"] == 1


def test_leaving_the_waitlist_frees_no_seat(events):
    event = events.create("ann", capacity=1)
    events.answer("bob", event["id"])
    events.answer("cat", event["id"])
    events.answer("dan", event["id"])

    assert events.withdraw("cat", event["id"]).status_code == 204

    assert events.statuses(event["id"]) == {"bob": "going", "dan": "waitlisted"}
    assert events.event_notifications("dan") == []


def test_saying_maybe_then_going_again_queues_at_the_back(events):
    event = events.create("ann", capacity=1)
    events.answer("bob", event["id"])
    events.answer("cat", event["id"])  # waitlisted
    events.answer("dan", event["id"])  # waitlisted behind cat
    events.answer("cat", event["id"], "maybe")
    assert events.answer("cat", event["id"]) == "waitlisted"  # now behind dan

    events.withdraw("bob", event["id"])

    assert events.statuses(event["id"]) == {"cat": "waitlisted", "dan": "going"}


def test_withdrawing_without_an_answer_changes_nothing(events):
    event = events.create("ann")

    assert events.withdraw("bob", event["id"]).status_code == 204
    assert events.withdraw("bob", event["id"]).status_code == 204
    assert events.statuses(event["id"]) == {}


def test_raising_the_capacity_seats_the_waitlisted_in_order_and_tells_them(events):
    event = events.create("ann", capacity=1)
    for name in ("bob", "cat", "dan", "ann"):
        events.answer(name, event["id"])

    response = events.call("ann", "PATCH", f"/events/{event['id']}/", {"capacity": 3})

    assert response.status_code == 200 and response.json["going_count"] == 3
    assert events.statuses(event["id"]) == {"bob": "going", "cat": "going", "dan": "going", "ann": "waitlisted"}
    assert events.event_notifications("cat") == [PROMOTED] and events.event_notifications("dan") == [PROMOTED]
    assert events.event_notifications("ann") == []


def test_removing_the_capacity_seats_every_waitlisted_person(events):
    event = events.create("ann", capacity=1)
    for name in ("bob", "cat", "dan"):
        events.answer(name, event["id"])

    response = events.call("ann", "PATCH", f"/events/{event['id']}/", {"capacity": None})

    assert response.status_code == 200 and response.json["going_count"] == 3
    assert set(events.statuses(event["id"]).values()) == {"going"}


def test_the_capacity_cannot_drop_below_the_number_going(events):
    event = events.create("ann", capacity=3)
    for name in ("bob", "cat", "dan"):
        events.answer(name, event["id"])

    response = events.call("ann", "PATCH", f"/events/{event['id']}/", {"capacity": 2})

    assert response.status_code == 422 and "capacity" in response.json["errors"]["json"]
    assert events.read("ann", event["id"]).json["capacity"] == 3
    assert events.call("ann", "PATCH", f"/events/{event['id']}/", {"capacity": 3}).status_code == 200
    # Lowering down to the number going is allowed, and leaves nobody waitlisted behind a free seat.
    events.withdraw("dan", event["id"])
    assert events.call("ann", "PATCH", f"/events/{event['id']}/", {"capacity": 2}).status_code == 200
    assert events.answer("dan", event["id"]) == "waitlisted"


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "waitlisted"}, {"status": "yes"}, {"status": None}, {"status": 1}, {"status": "going", "x": 1}],
)
def test_a_bad_answer_is_a_422(events, body):
    event = events.create("ann")

    response = events.call("bob", "PUT", f"/events/{event['id']}/rsvp/", body)

    assert response.status_code == 422 and response.json["code"] == 422


def test_an_event_that_has_ended_takes_no_more_answers(events):
    with events.app.app_context():
        now = utcnow()
        over = EventFactory(
            organizer_id=events.ids["ann"], starts_at=now - timedelta(hours=2), ends_at=now - timedelta(minutes=1)
        ).id

    for response in (events.rsvp("bob", over), events.withdraw("bob", over)):
        assert response.status_code == 422 and "event_id" in response.json["errors"]["path"]
    assert events.statuses(over) == {}


def test_an_event_under_way_still_takes_answers(events):
    with events.app.app_context():
        now = utcnow()
        event = EventFactory(starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(minutes=30)).id

    assert events.answer("bob", event) == "going"


def test_an_unknown_event_takes_no_answer(events):
    assert events.rsvp("bob", 999_999).status_code == 404
    assert events.withdraw("bob", 999_999).status_code == 404


def test_deleting_an_event_that_is_over_tells_nobody(events):
    with events.app.app_context():
        now = utcnow()
        event = EventFactory(organizer_id=events.ids["ann"], starts_at=now - timedelta(hours=2), ends_at=now).id
        EventRsvpFactory(event_id=event, user_id=events.ids["bob"])

    assert events.call("ann", "DELETE", f"/events/{event}/").status_code == 204
    assert events.event_notifications("bob") == []
    with events.app.app_context():
        assert db.session.get(Event, event) is None
