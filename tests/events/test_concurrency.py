"""Seats under concurrent RSVPs, on PostgreSQL (row locks) and SQLite (its write lock) alike: each RSVP takes the
event's row lock before counting, so going never exceeds the capacity, the rest wait in the order they got the
lock, and seats freed at once go to exactly as many of the earliest waitlisted."""

from collections import Counter

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import EventRsvp, Notification, NotificationType, RsvpStatus
from tests.concurrency import race, statuses
from tests.conftest import bearer, login

CAPACITY, PEOPLE = 5, 20


@pytest.fixture
def crowd(app, make_user, client) -> list[dict]:
    """PEOPLE people, each with their bearer headers (logged in before the race)."""
    ids = [make_user(username=f"runner{n}") for n in range(PEOPLE)]
    return [
        {"id": user_id, "headers": bearer(login(client, f"runner{n}")["access_token"])} for n, user_id in enumerate(ids)
    ]


def waitlist(app, event_id: int) -> list[int]:
    """The waitlisted people, in the order they asked."""
    with app.app_context():
        query = (
            select(EventRsvp.user_id)
            .filter_by(event_id=event_id, status=RsvpStatus.WAITLISTED)
            .order_by(EventRsvp.asked_at, EventRsvp.user_id)
        )
        return list(db.session.scalars(query))


def stored(app, event_id: int) -> Counter:
    with app.app_context():
        return Counter(db.session.scalars(select(EventRsvp.status).filter_by(event_id=event_id)))


def test_twenty_going_at_once_fill_five_seats_and_queue_fifteen(app, events, crowd):
    event = events.create("ann", capacity=CAPACITY)["id"]
    url = f"/api/v1/events/{event}/rsvp/"

    responses = race(
        app, PEOPLE, lambda client, n: client.put(url, json={"status": "going"}, headers=crowd[n]["headers"])
    )

    assert statuses(responses) == {200: PEOPLE}, [r.json for r in responses if r.status_code != 200]
    answered = Counter(response.json["status"] for response in responses)
    assert answered == {"going": CAPACITY, "waitlisted": PEOPLE - CAPACITY}
    assert stored(app, event) == answered
    # Each answer is what was stored for that person.
    with app.app_context():
        rows = dict(db.session.execute(select(EventRsvp.user_id, EventRsvp.status).filter_by(event_id=event)).all())
    assert all(rows[crowd[n]["id"]] == response.json["status"] for n, response in enumerate(responses))
    assert events.read("ann", event).json["going_count"] == CAPACITY


def test_seats_freed_at_once_go_to_exactly_as_many_of_the_earliest_waitlisted(app, events, crowd):
    event = events.create("ann", capacity=CAPACITY)["id"]
    url = f"/api/v1/events/{event}/rsvp/"
    for person in crowd:  # one by one: the first five go, the rest queue in this order
        events.client.put(url, json={"status": "going"}, headers=person["headers"])
    queue = waitlist(app, event)
    assert queue == [person["id"] for person in crowd[CAPACITY:]]
    leaving = crowd[:3]
    also_leaving = crowd[CAPACITY : CAPACITY + 2]  # two of the waitlisted leave the queue at the same time

    def leave(client, n):
        person = (leaving + also_leaving)[n]
        return client.delete(url, headers=person["headers"])

    responses = race(app, len(leaving) + len(also_leaving), leave)

    assert statuses(responses) == {204: 5}
    assert stored(app, event)["going"] == CAPACITY
    with app.app_context():
        going = set(db.session.scalars(select(EventRsvp.user_id).filter_by(event_id=event, status=RsvpStatus.GOING)))
        told = list(db.session.scalars(select(Notification.recipient_id).filter_by(type=NotificationType.EVENT)))
    promoted = going - {person["id"] for person in crowd[:CAPACITY]}
    gone = {person["id"] for person in also_leaving}
    # Those promoted are the earliest of the queue without the two who left it, whatever order the lock gave: one
    # of the two may have been promoted (and told) first, and its seat then went to the next in line.
    left_queue = [user_id for user_id in queue if user_id not in gone]
    assert promoted == set(left_queue[:3])
    assert waitlist(app, event) == left_queue[3:]
    assert promoted <= set(told) and set(told) - promoted <= gone and len(told) == len(set(told))


def test_raising_the_capacity_while_people_rsvp_never_overfills(app, events, crowd):
    event = events.create("ann", capacity=2)["id"]
    url = f"/api/v1/events/{event}/rsvp/"
    ann = events.headers_of("ann")

    def call(client, n):
        if n == 0:
            return client.patch(f"/api/v1/events/{event}/", json={"capacity": 7}, headers=ann)
        return client.put(url, json={"status": "going"}, headers=crowd[n]["headers"])

    responses = race(app, 12, call)

    assert statuses(responses) == {200: 12}
    assert stored(app, event) == {"going": 7, "waitlisted": 4}
