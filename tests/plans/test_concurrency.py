"""Concurrent changes to one training plan (PostgreSQL or SQLite): they take turns on the plan's row, so adds at
the same position all land (each there when its turn came) and a repeated identical add is a no-op."""

import pytest

from tests.concurrency import race, statuses
from tests.fixtures.training import entry, workout_body

URL = "/api/v1/training-plans/"
CALLS = 12


@pytest.fixture
def alice(headers_of, cast):
    return headers_of("alice")


@pytest.fixture
def workout_ids(client, alice, exercises) -> list[int]:
    body = workout_body(entry(exercises["Plank"]))
    return [client.post("/api/v1/workouts/", json=body, headers=alice).json["id"] for _ in range(CALLS + 1)]


@pytest.fixture
def plan_url(client, alice, workout_ids) -> str:
    plan = client.post(URL, json={"title": "Block", "workout_ids": [workout_ids[0]]}, headers=alice).json
    return f"{URL}{plan['id']}/workouts/"


def test_adds_at_the_same_position_at_once_all_land_in_turn(app, client, alice, workout_ids, plan_url):
    newcomers = workout_ids[1:]

    responses = race(
        app, CALLS, lambda c, n: c.post(plan_url, json={"workout_id": newcomers[n], "position": 1}, headers=alice)
    )

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses if r.status_code != 200]
    assert all(newcomers[n] in r.json["workout_ids"] for n, r in enumerate(responses))
    final = client.get(plan_url.removesuffix("workouts/"), headers=alice).json["workout_ids"]
    # Nothing lost, and each went in at the front in its turn: the plan's first workout is now last.
    assert sorted(final[:-1]) == sorted(newcomers) and final[-1] == workout_ids[0]


def test_appends_at_once_all_land(app, client, alice, workout_ids, plan_url):
    newcomers = workout_ids[1:]

    responses = race(app, CALLS, lambda c, n: c.post(plan_url, json={"workout_id": newcomers[n]}, headers=alice))

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses if r.status_code != 200]
    final = client.get(plan_url.removesuffix("workouts/"), headers=alice).json["workout_ids"]
    assert final[0] == workout_ids[0] and sorted(final[1:]) == sorted(newcomers)


def test_the_same_add_repeated_at_once_is_one_add(app, client, alice, workout_ids, plan_url):
    body = {"workout_id": workout_ids[1], "position": 1}

    responses = race(app, CALLS, lambda c, n: c.post(plan_url, json=body, headers=alice))

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses if r.status_code != 200]
    assert {tuple(r.json["workout_ids"]) for r in responses} == {(workout_ids[1], workout_ids[0])}
