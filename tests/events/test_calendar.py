"""`GET /events/<id>/calendar.ics`: the event as an iCalendar file, read back with the `icalendar` library."""

from datetime import UTC, datetime

import icalendar

from tests.events.conftest import event_body


def calendar_of(events, actor: str, event_id: int) -> tuple[icalendar.Calendar, icalendar.Event]:
    response = events.call(actor, "GET", f"/events/{event_id}/calendar.ics")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    entries = list(calendar.walk("VEVENT"))
    assert len(entries) == 1
    return calendar, entries[0]


def test_the_calendar_file_holds_the_event(events):
    event = events.create(
        "ann",
        title="Trail run — 10 km",
        description="Bring water; we meet at the gate.",
        place="Forest gate",
        online_url="https://meet.example.com/trail",
    )

    calendar, entry = calendar_of(events, "bob", event["id"])

    assert str(calendar["VERSION"]) == "2.0" and "Stride" in str(calendar["PRODID"])
    assert str(entry["UID"]) == f"event-{event['id']}@stride"
    assert entry.decoded("DTSTART") == datetime.fromisoformat(event["starts_at"])
    assert entry.decoded("DTEND") == datetime.fromisoformat(event["ends_at"])
    assert entry.decoded("DTSTART").tzinfo is not None and entry.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert isinstance(entry.decoded("DTSTAMP"), datetime)
    assert str(entry["SUMMARY"]) == "Trail run — 10 km"
    assert str(entry["DESCRIPTION"]) == "Bring water; we meet at the gate."
    assert str(entry["LOCATION"]) == "Forest gate"
    assert str(entry["URL"]) == "https://meet.example.com/trail"


def test_times_are_written_in_utc(events):
    event = events.call(
        "ann",
        "POST",
        "/events/",
        event_body(starts_at="2099-06-01T09:00:00+02:00", ends_at="2099-06-01T11:00:00+02:00"),
    ).json

    response = events.call("ann", "GET", f"/events/{event['id']}/calendar.ics")

    text = response.get_data(as_text=True)
    assert "DTSTART:20990601T070000Z" in text and "DTEND:20990601T090000Z" in text
    _, entry = calendar_of(events, "ann", event["id"])
    assert entry.decoded("DTSTART") == datetime(2099, 6, 1, 7, tzinfo=UTC)


def test_the_uid_is_stable_and_uses_the_configured_domain(app_factory, events):
    event = events.create("ann")
    _, first = calendar_of(events, "ann", event["id"])
    events.call("ann", "PATCH", f"/events/{event['id']}/", {"title": "Renamed"})
    _, second = calendar_of(events, "ann", event["id"])

    assert first["UID"] == second["UID"] and str(second["SUMMARY"]) == "Renamed"
    other = app_factory(CALENDAR_UID_DOMAIN="stride.example.com").test_client()
    response = other.get(f"/api/v1/events/{event['id']}/calendar.ics", headers=events.headers_of("ann"))
    assert str(icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]["UID"]) == (
        f"event-{event['id']}@stride.example.com"
    )


def test_optional_fields_left_out_are_absent(events):
    event = events.create("ann")

    _, entry = calendar_of(events, "ann", event["id"])

    assert {"DESCRIPTION", "LOCATION", "URL"}.isdisjoint(entry)


def test_an_event_one_may_not_see_has_no_calendar(events):
    event = events.create("ann")
    events.block("bob", "ann")

    assert events.call("bob", "GET", f"/events/{event['id']}/calendar.ics").status_code == 404
    assert events.call("bob", "GET", "/events/999999/calendar.ics").status_code == 404
