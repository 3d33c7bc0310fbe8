"""Training fixtures: a small exercise catalog, the cast of the permission matrix, and document builders."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Exercise, User
from app.services import coaching
from tests.conftest import bearer, login

TODAY = date.today()
CATALOG = (
    ("Barbell Bench Press", "chest", True, "intermediate"),
    ("Push-Up", "chest", False, "beginner"),
    ("Barbell Back Squat", "legs", True, "intermediate"),
    ("Deadlift", "back", True, "advanced"),
    ("Plank", "core", False, "beginner"),
)


@pytest.fixture
def exercises(app) -> dict[str, int]:
    """A small catalog: title → id."""
    with app.app_context():
        rows = []
        for title, muscle_group, equipment, complexity in CATALOG:
            exercise = Exercise(muscle_group=muscle_group, equipment_required=equipment, complexity=complexity)
            exercise.rename(title)
            rows.append(exercise)
        db.session.add_all(rows)
        db.session.commit()
        return {row.title: row.id for row in rows}


@pytest.fixture
def headers_of(client):
    """Log a user in once and return their bearer headers."""
    cache = {}

    def get(username: str) -> dict:
        if username not in cache:
            cache[username] = bearer(login(client, username)["access_token"])
        return cache[username]

    return get


@pytest.fixture
def cast(app, make_user) -> dict[str, int]:
    """The permission matrix's people: alice (the owner), mallory (another user), coach (alice's trainer),
    stranger (a trainer without alice), root (an admin who trains nobody)."""
    ids = {
        "alice": make_user(username="alice"),
        "mallory": make_user(username="mallory"),
        "coach": make_user(username="coach", role="trainer"),
        "stranger": make_user(username="stranger", role="trainer"),
        "root": make_user(username="root", role="admin"),
    }
    with app.app_context():
        coaching.assign(db.session.get(User, ids["root"]), ids["coach"], ids["alice"])
    return ids


def entry(exercise_id: int, **fields) -> dict:
    return {"exercise_id": exercise_id, **fields}


def workout_body(*entries: dict, **fields) -> dict:
    return {
        "training_type": "strength",
        "title": "Push day",
        "date": (TODAY - timedelta(days=1)).isoformat(),
        "exercises": list(entries),
        **fields,
    }
