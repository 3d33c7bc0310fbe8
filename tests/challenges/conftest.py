"""Challenge fixtures: the social cast (tests/fixtures/social.py), a trainer's challenges and activity through the
API, by name."""

from datetime import timedelta

import pytest

from app.models.base import utcnow
from tests.factories import ExerciseFactory

TODAY = utcnow().date()


def day(offset: int = 0) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


class Activity:
    """The API as participants and trainers use it: `act.challenge("moderator", "minutes")`, `act.workout(...)`."""

    def __init__(self, app, api):
        self.app, self.api = app, api
        with app.app_context():
            self.exercise_id = ExerciseFactory().id

    def challenge(self, viewer="moderator", metric="workouts", start=-3, end=3, **fields) -> dict:
        body = {"title": f"{metric} challenge", "metric": metric, "start_date": day(start), "end_date": day(end)}
        response = self.api(viewer, "POST", "/challenges/", body | fields)
        assert response.status_code == 201, response.json
        return response.json

    def join(self, viewer, challenge_id) -> dict:
        response = self.api(viewer, "POST", f"/challenges/{challenge_id}/join/")
        assert response.status_code == 200, response.json
        return response.json

    def workout(self, viewer, offset=0, minutes=30, weight_kg=0, distance_km=None) -> dict:
        body = {"title": "Session", "date": day(offset), "duration_min": minutes, "exercises": []}
        if weight_kg:
            body["exercises"] = [{"exercise_id": self.exercise_id, "sets": 2, "reps": 5, "extra_weight_kg": weight_kg}]
        if distance_km is not None:
            body["distance_km"] = distance_km
        response = self.api(viewer, "POST", "/workouts/", body)
        assert response.status_code == 201, response.json
        return response.json

    def value(self, viewer, challenge_id):
        return self.api(viewer, "GET", f"/challenges/{challenge_id}/").json["my_value"]

    def board(self, viewer, challenge_id, query="") -> dict:
        response = self.api(viewer, "GET", f"/challenges/{challenge_id}/leaderboard/{query}")
        assert response.status_code == 200, response.json
        return response.json


@pytest.fixture
def act(app, api, social) -> Activity:
    return Activity(app, api)
