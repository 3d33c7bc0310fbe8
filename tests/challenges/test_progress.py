"""Progress comes only from the participants' own activity inside the window, in the activity's transaction:
creating, editing and deleting a workout, doing or deleting a habit, all move it; nothing a client sends does."""

import pytest

from app.extensions import db
from app.models import Challenge, ChallengeParticipant
from app.models.base import utcnow
from tests.challenges.conftest import TODAY
from tests.factories import HabitFactory


@pytest.mark.parametrize(
    "metric, expected",
    [("workouts", 2), ("minutes", 75), ("volume_kg", 1025.5), ("distance_km", 15.25)],
)
def test_each_metric_counts_the_workouts_inside_the_window(act, metric, expected):
    challenge = act.challenge(metric=metric, start=-3, end=3)
    act.join("author", challenge["id"])

    act.workout("author", offset=-1, minutes=30, weight_kg=100, distance_km=10)
    act.workout("author", offset=0, minutes=45, weight_kg=2.55, distance_km=5.25)
    act.workout("author", offset=-5, minutes=99, weight_kg=50, distance_km=3)  # before the window
    act.workout("friend", offset=0, minutes=60, weight_kg=10, distance_km=8)  # someone else's

    assert act.value("author", challenge["id"]) == expected


def test_activity_logged_before_joining_counts(act):
    challenge = act.challenge(metric="minutes")
    act.workout("author", offset=-2, minutes=40)

    assert act.join("author", challenge["id"])["my_value"] == 40


def test_editing_and_deleting_a_workout_moves_progress_both_ways(act, api):
    challenge = act.challenge(metric="minutes", start=-3, end=3)
    act.join("author", challenge["id"])
    workout = act.workout("author", offset=0, minutes=30)

    api("author", "PATCH", f"/workouts/{workout['id']}/", {"duration_min": 50})
    assert act.value("author", challenge["id"]) == 50

    api("author", "PATCH", f"/workouts/{workout['id']}/", {"date": TODAY.replace(year=TODAY.year - 1).isoformat()})
    assert act.value("author", challenge["id"]) == 0  # moved out of the window

    api("author", "PATCH", f"/workouts/{workout['id']}/", {"date": TODAY.isoformat()})
    assert act.value("author", challenge["id"]) == 50
    api("author", "DELETE", f"/workouts/{workout['id']}/")
    assert act.value("author", challenge["id"]) == 0


def test_habit_completions_count_and_go_with_a_deleted_habit(app, act, api, social):
    challenge = act.challenge(metric="habit_completions")
    act.join("author", challenge["id"])
    with app.app_context():
        habits = [HabitFactory(user_id=social["author"]).id for _ in range(2)]

    for habit_id in habits:
        assert api("author", "POST", f"/habits/{habit_id}/done/").status_code in (200, 201)
    api("author", "POST", f"/habits/{habits[0]}/done/")  # twice a day is once
    assert act.value("author", challenge["id"]) == 2

    api("author", "DELETE", f"/habits/{habits[0]}/")
    assert act.value("author", challenge["id"]) == 1


def test_a_closed_challenge_no_longer_moves(app, act, social):
    challenge = act.challenge(metric="workouts")
    act.join("author", challenge["id"])
    act.workout("author")
    with app.app_context():
        db.session.get(Challenge, challenge["id"]).closed_at = utcnow()
        db.session.commit()

    act.workout("author")

    with app.app_context():
        assert db.session.get(ChallengeParticipant, (challenge["id"], social["author"])).value == 1


@pytest.mark.parametrize(
    "body",
    [{"value": 1000}, {"score": 5}, {"my_value": 99}, {"participants_count": 3}],
)
def test_a_client_cannot_write_a_score(act, api, body):
    challenge = act.challenge()
    act.join("author", challenge["id"])

    joined = api("author", "POST", f"/challenges/{challenge['id']}/join/", body)
    changed = api("author", "PATCH", f"/challenges/{challenge['id']}/", body)

    assert joined.status_code in (200, 422)
    assert changed.status_code in (403, 422)
    assert act.value("author", challenge["id"]) == 0
