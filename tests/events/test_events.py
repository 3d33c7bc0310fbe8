"""Events: organised by anyone signed in, seen by everyone but people blocked either way, changed and deleted by
their organizer only; the upcoming list is soonest first."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Event, EventRsvp, User
from app.models.base import utcnow
from tests.events.conftest import event_body, later
from tests.factories.events import EventFactory


def test_creating_an_event_answers_it_with_every_field(events):
    body = event_body(
        description="Bring water.",
        place="Central Park",
        online_url="https://meet.example.com/run",
        capacity=10,
    )

    response = events.call("ann", "POST", "/events/", body)

    assert response.status_code == 201, response.json
    event = response.json
    assert set(event) == {
        "id",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "online_url",
        "capacity",
        "group_id",
        "going_count",
        "my_rsvp",
        "organizer",
        "created_at",
    }
    assert event["title"] == "Park run" and event["description"] == "Bring water."
    assert event["place"] == "Central Park" and event["online_url"] == "https://meet.example.com/run"
    assert event["capacity"] == 10 and event["group_id"] is None
    assert event["going_count"] == 0 and event["my_rsvp"] is None  # the organizer holds no seat unless they RSVP
    assert event["organizer"] == {"id": events.ids["ann"], "username": "ann", "avatar": None}
    assert datetime.fromisoformat(event["starts_at"]) == datetime.fromisoformat(body["starts_at"])


def test_the_optional_fields_default_to_empty_and_unlimited(events):
    event = events.create("ann")

    assert (event["description"], event["place"], event["online_url"], event["capacity"]) == ("", None, None, None)


def test_times_are_kept_and_answered_in_utc_whatever_offset_they_were_sent_with(events):
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    offset = datetime.fromisoformat("2000-01-01T00:00:00+05:30").tzinfo
    body = event_body(starts_at=start.astimezone(offset).isoformat(), ends_at=later(days=3, hours=2))

    event = events.call("ann", "POST", "/events/", body).json

    assert event["starts_at"] == start.astimezone(UTC).isoformat()
    assert events.read("bob", event["id"]).json["starts_at"] == start.astimezone(UTC).isoformat()


BAD_BODIES = {
    "no title": ({"title": None}, "title"),
    "blank title": ({"title": "   "}, "title"),
    "empty title": ({"title": ""}, "title"),
    "long title": ({"title": "x" * 201}, "title"),
    "title not a string": ({"title": 7}, "title"),
    "NUL in title": ({"title": "a\x00b"}, "title"),
    "lone surrogate": ({"description": "\ud800"}, "description"),
    "long description": ({"description": "x" * 5001}, "description"),
    "long place": ({"place": "x" * 201}, "place"),
    "ftp url": ({"online_url": "ftp://example.com/x"}, "online_url"),
    "javascript url": ({"online_url": "javascript:alert(1)"}, "online_url"),
    "not a url": ({"online_url": "meet me"}, "online_url"),
    "long url": ({"online_url": "https://example.com/" + "a" * 2000}, "online_url"),
    "capacity 0": ({"capacity": 0}, "capacity"),
    "capacity too large": ({"capacity": 100_001}, "capacity"),
    "capacity huge": ({"capacity": 10**30}, "capacity"),
    "capacity a word": ({"capacity": "five"}, "capacity"),
    "capacity fractional": ({"capacity": 2.5}, "capacity"),
    "capacity a list": ({"capacity": [1]}, "capacity"),
    "start in the past": ({"starts_at": later(hours=-1)}, "starts_at"),
    "start without offset": ({"starts_at": "2031-01-01T10:00:00"}, "starts_at"),
    "start not a date": ({"starts_at": "2031-13-45T10:00:00+00:00"}, "starts_at"),
    "start a number": ({"starts_at": 1_900_000_000}, "starts_at"),
    "start in year 9999": ({"starts_at": "9999-12-31T23:00:00+00:00"}, "starts_at"),
    "start in year 1 far east": ({"starts_at": "0001-01-01T00:00:00+14:00"}, "starts_at"),
    "end before start": ({"ends_at": later(days=1)}, "ends_at"),
    "end at start": ({"starts_at": later(days=2), "ends_at": later(days=2)}, "ends_at"),
    "longer than 30 days": ({"ends_at": later(days=33)}, "ends_at"),
    "no end": ({"ends_at": None}, "ends_at"),
    "a group": ({"group_id": 1}, "group_id"),
    "unknown field": ({"colour": "red"}, "colour"),
}


@pytest.mark.parametrize("case", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_event_is_a_422_naming_the_field(events, case):
    fields, named = case
    body = {key: value for key, value in (event_body() | fields).items() if value is not None}

    response = events.call("ann", "POST", "/events/", body)

    assert response.status_code == 422, response.json
    assert named in response.json["errors"]["json"], response.json


@pytest.mark.parametrize("raw", ["[]", '"event"', "7", "null", '{"title": "\\u0000"}', '{"title": "\\udfff"}'])
def test_a_body_that_is_not_an_event_is_a_4xx_never_a_500(events, raw):
    response = events.client.post(
        "/api/v1/events/", data=raw, content_type="application/json", headers=events.headers_of("ann")
    )

    assert 400 <= response.status_code < 500 and response.json["code"] == response.status_code


def test_anyone_reads_an_event_with_their_own_answer(events):
    event = events.create("ann", capacity=3)
    events.answer("bob", event["id"], "maybe")

    assert events.read("bob", event["id"]).json["my_rsvp"] == "maybe"
    assert events.read("cat", event["id"]).json["my_rsvp"] is None


def test_an_unknown_event_is_a_404(events):
    assert events.read("ann", 999_999).status_code == 404
    assert events.read("ann", 2**31).status_code == 404  # beyond any id: never an overflow


@pytest.mark.parametrize(("blocker", "blocked"), [("ann", "bob"), ("bob", "ann")])
def test_an_event_is_no_such_event_to_someone_blocked_either_way(events, blocker, blocked):
    event = events.create("ann")
    events.block(blocker, blocked)

    for method, path, body in [
        ("GET", f"/events/{event['id']}/", None),
        ("PATCH", f"/events/{event['id']}/", {"title": "Mine now"}),
        ("DELETE", f"/events/{event['id']}/", None),
        ("PUT", f"/events/{event['id']}/rsvp/", {"status": "going"}),
        ("DELETE", f"/events/{event['id']}/rsvp/", None),
        ("GET", f"/events/{event['id']}/calendar.ics", None),
    ]:
        response = events.call("bob", method, path, body)
        assert response.status_code == 404, (method, path, response.json)
    assert events.read("cat", event["id"]).status_code == 200
    assert [item["id"] for item in events.call("bob", "GET", "/events/").json["items"]] == []


def test_an_inactive_organizers_events_are_gone(events):
    event = events.create("ann")
    with events.app.app_context():
        db.session.get(User, events.ids["ann"]).deactivated_at = utcnow()
        db.session.commit()

    assert events.read("bob", event["id"]).status_code == 404
    assert events.call("bob", "GET", "/events/").json["items"] == []


def test_the_list_holds_events_not_ended_soonest_first(events):
    later_one = events.create("ann", title="Later", starts_at=later(days=5), ends_at=later(days=5, hours=1))
    sooner = events.create("bob", title="Sooner", starts_at=later(hours=2), ends_at=later(hours=3))
    with events.app.app_context():
        now = utcnow()
        ongoing = EventFactory(title="Ongoing", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
        EventFactory(title="Over", starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
        ongoing_id = ongoing.id

    items = events.call("cat", "GET", "/events/").json["items"]

    assert [item["id"] for item in items] == [ongoing_id, sooner["id"], later_one["id"]]


def test_the_list_pages_with_a_cursor(events):
    made = [
        events.create("ann", title=f"Run {n}", starts_at=later(days=n + 1), ends_at=later(days=n + 1, hours=1))
        for n in range(5)
    ]

    first = events.call("bob", "GET", "/events/?limit=2").json
    second = events.call("bob", "GET", f"/events/?limit=2&cursor={first['next_cursor']}").json
    third = events.call("bob", "GET", f"/events/?limit=2&cursor={second['next_cursor']}").json

    pages = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert pages == [event["id"] for event in made]
    assert third["next_cursor"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "cursor=forged", f"limit={10**30}"])
def test_bad_list_arguments_are_a_422(events, query):
    response = events.call("ann", "GET", f"/events/?{query}")

    assert response.status_code == 422 and set(response.json["errors"]["query"]) <= {"limit", "cursor"}


def test_the_organizer_changes_their_event(events):
    event = events.create("ann")

    response = events.call("ann", "PATCH", f"/events/{event['id']}/", {"title": "Night run", "place": None})

    assert response.status_code == 200, response.json
    assert response.json["title"] == "Night run" and response.json["place"] is None
    assert events.read("bob", event["id"]).json["title"] == "Night run"


def test_someone_else_cannot_change_or_delete_an_event(events):
    event = events.create("ann")

    assert events.call("bob", "PATCH", f"/events/{event['id']}/", {"title": "Mine"}).status_code == 403
    assert events.call("bob", "DELETE", f"/events/{event['id']}/").status_code == 403
    assert events.read("ann", event["id"]).json["title"] == "Park run"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"ends_at": later(hours=1)}, "ends_at"),  # before the start it keeps
        ({"starts_at": later(days=3)}, "ends_at"),  # after the end it keeps
        ({"starts_at": later(minutes=-5)}, "starts_at"),
        ({"capacity": 0}, "capacity"),
        ({"title": None}, "title"),
        ({"group_id": None}, "group_id"),
    ],
)
def test_a_bad_change_is_a_422_and_changes_nothing(events, body, named):
    event = events.create("ann")

    response = events.call("ann", "PATCH", f"/events/{event['id']}/", body)

    assert response.status_code == 422 and named in response.json["errors"]["json"], response.json
    assert events.read("ann", event["id"]).json == event


def test_the_organizer_deletes_their_event_and_those_going_or_waiting_are_told(events):
    event = events.create("ann", capacity=1)
    events.answer("bob", event["id"])
    events.answer("cat", event["id"])  # waitlisted
    events.answer("dan", event["id"], "maybe")

    assert events.call("ann", "DELETE", f"/events/{event['id']}/").status_code == 204

    assert events.read("ann", event["id"]).status_code == 404
    assert events.event_notifications("bob") == ["Park run was cancelled."]
    assert events.event_notifications("cat") == ["Park run was cancelled."]
    assert events.event_notifications("dan") == []
    with events.app.app_context():
        assert db.session.query(EventRsvp).count() == 0 and db.session.query(Event).count() == 0


def test_every_route_needs_a_login(events):
    event = events.create("ann")
    for method, path in [
        ("GET", "/events/"),
        ("POST", "/events/"),
        ("GET", f"/events/{event['id']}/"),
        ("PATCH", f"/events/{event['id']}/"),
        ("DELETE", f"/events/{event['id']}/"),
        ("PUT", f"/events/{event['id']}/rsvp/"),
        ("DELETE", f"/events/{event['id']}/rsvp/"),
        ("GET", f"/events/{event['id']}/calendar.ics"),
    ]:
        response = events.client.open("/api/v1" + path, method=method, json={})
        assert response.status_code == 401 and response.json["code"] == 401, (method, path)
