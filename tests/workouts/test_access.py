"""get_workout_for: the owner and their trainer read a workout; only the owner changes it; for anyone else
it does not exist (404), and a refused change leaves it as it was."""

from datetime import date

import pytest

from app.errors import Forbidden, NotFound
from app.services import coaching, workouts
from tests.conftest import bearer, login

SESSION = {"training_type": "strength", "title": "Push", "date": date(2026, 1, 5), "duration_min": 45}


@pytest.fixture
def workout_id(people) -> int:
    return workouts.create_workout(people["alice"], {**SESSION, "exercises": []}).id


def test_the_owner_reads_and_changes_her_workout(people, workout_id):
    assert workouts.get_workout_for(people["alice"], workout_id).id == workout_id
    assert workouts.get_workout_for(people["alice"], workout_id, to_change=True).id == workout_id


def test_her_trainer_reads_it_but_may_not_change_it(people, workout_id):
    assert workouts.get_workout_for(people["coach"], workout_id).id == workout_id

    with pytest.raises(Forbidden, match="Only the owner can change a workout"):
        workouts.get_workout_for(people["coach"], workout_id, to_change=True)


@pytest.mark.parametrize("to_change", [False, True])
def test_anyone_else_finds_no_such_workout(people, workout_id, to_change):
    with pytest.raises(NotFound, match="No such workout."):
        workouts.get_workout_for(people["mallory"], workout_id, to_change=to_change)


def test_a_missing_workout_is_not_found_even_for_changes(people):
    with pytest.raises(NotFound):
        workouts.get_workout_for(people["alice"], 10**9, to_change=True)


def test_a_trainer_whose_assignment_ended_no_longer_sees_the_workout(people, workout_id):
    coaching.drop_client(people["coach"], people["alice"].id)

    with pytest.raises(NotFound):
        workouts.get_workout_for(people["coach"], workout_id)


def test_over_http_the_trainer_is_refused_with_a_reason_and_the_workout_stays(client, people, workout_id):
    url = f"/api/v1/workouts/{workout_id}/"
    coach, mallory = (bearer(login(client, name)["access_token"]) for name in ("coach", "mallory"))

    refused = client.delete(url, headers=coach)
    hidden = client.patch(url, json={"title": "Mine now"}, headers=mallory)

    assert refused.status_code == 403
    assert refused.json["message"] == "Only the owner can change a workout; as their trainer you can read it."
    assert hidden.status_code == 404 and hidden.json["message"] == "No such workout."
    assert client.get(url, headers=coach).json["title"] == "Push"
