"""The permissions matrix of every training route (and the events'): alice (the owner), mallory (another user),
coach (alice's trainer), stranger (a trainer without alice) and root (an admin who trains nobody). `personal` is
alice's own exercise.

404 for what the caller may not see, 403 for what they see but may not change (or a role they lack)."""

from datetime import date, timedelta
from itertools import count

import pytest

from app.extensions import db
from app.models import TrainerClient, User
from app.models.base import utcnow
from app.services import coaching, events, plans, workouts
from tests.factories import ExerciseFactory

ACTORS = ("alice", "mallory", "coach", "stranger", "root")
WORKOUT = {"training_type": "yoga", "title": "Flow", "exercises": [{"exercise_id": "{exercise}", "sets": 2}]}
EVERYONE = (200,) * 5
ONLY_ALICE_AND_COACH = (200, 404, 200, 404, 404)
OWNER_WRITES = (200, 404, 403, 404, 404)
TRAINERS_WRITE = (403, 403, 200, 200, 200)
ADMIN_ONLY = (403, 403, 403, 403, 200)
ORGANIZER_ONLY = (200, 403, 403, 403, 403)  # an event is seen by everyone signed in, changed by its organizer
EVENT = {"title": "Run {n}", "starts_at": "2099-01-05T08:00:00+00:00", "ends_at": "2099-01-05T09:00:00+00:00"}

# (method, path, body, expected status for alice, mallory, coach, stranger, root)
MATRIX = [
    ("GET", "/exercises/", None, EVERYONE),
    ("POST", "/exercises/", {"title": "Move {n}", "muscle_group": "core"}, (403, 403, 201, 201, 201)),
    ("GET", "/exercises/{exercise}/", None, EVERYONE),
    ("PUT", "/exercises/{exercise}/", {"title": "Plank hold", "muscle_group": "core"}, TRAINERS_WRITE),
    ("PATCH", "/exercises/{exercise}/", {"complexity": "expert"}, TRAINERS_WRITE),
    ("DELETE", "/exercises/{unused}/", None, (403, 403, 204, 204, 204)),
    ("POST", "/exercises/", {"title": "Mine {n}", "muscle_group": "core", "is_personal": True}, (201,) * 5),
    ("GET", "/exercises/?user_id={alice}", None, ONLY_ALICE_AND_COACH),
    ("GET", "/exercises/{personal}/", None, ONLY_ALICE_AND_COACH),
    ("PUT", "/exercises/{personal}/", {"title": "Own hold", "muscle_group": "core"}, OWNER_WRITES),
    ("PATCH", "/exercises/{personal}/", {"is_archived": True}, OWNER_WRITES),
    ("DELETE", "/exercises/{personal}/", None, (204, 404, 403, 404, 404)),
    ("GET", "/workouts/", None, EVERYONE),
    ("GET", "/workouts/?user_id={alice}", None, ONLY_ALICE_AND_COACH),
    ("POST", "/workouts/", WORKOUT, (201,) * 5),
    ("GET", "/workouts/{workout}/", None, ONLY_ALICE_AND_COACH),
    ("PUT", "/workouts/{workout}/", {**WORKOUT, "date": "2026-01-05"}, OWNER_WRITES),
    ("PATCH", "/workouts/{workout}/", {"title": "Renamed"}, OWNER_WRITES),
    ("DELETE", "/workouts/{workout}/", None, (204, 404, 403, 404, 404)),
    ("GET", "/training-plans/", None, EVERYONE),
    ("GET", "/training-plans/?user_id={alice}", None, ONLY_ALICE_AND_COACH),
    ("POST", "/training-plans/", {"title": "Mine"}, (201,) * 5),
    ("POST", "/training-plans/", {"title": "For alice", "user_id": "{alice}"}, (201, 403, 201, 403, 403)),
    ("GET", "/training-plans/{plan}/", None, ONLY_ALICE_AND_COACH),
    ("GET", "/training-plans/{coach_plan}/", None, ONLY_ALICE_AND_COACH),
    ("PATCH", "/training-plans/{plan}/", {"title": "Renamed"}, OWNER_WRITES),
    ("PATCH", "/training-plans/{coach_plan}/", {"status": "completed"}, ONLY_ALICE_AND_COACH),
    ("DELETE", "/training-plans/{plan}/", None, (204, 404, 403, 404, 404)),
    ("DELETE", "/training-plans/{coach_plan}/", None, (204, 404, 204, 404, 404)),
    ("PUT", "/training-plans/{plan}/workouts/", {"workout_ids": []}, OWNER_WRITES),
    ("PUT", "/training-plans/{coach_plan}/workouts/", {"workout_ids": []}, ONLY_ALICE_AND_COACH),
    ("POST", "/training-plans/{plan}/workouts/", {"workout_id": "{other_workout}"}, OWNER_WRITES),
    ("DELETE", "/training-plans/{plan}/workouts/{workout}/", None, (204, 404, 403, 404, 404)),
    ("GET", "/trainers/me/clients/", None, TRAINERS_WRITE),
    ("GET", "/trainers/me/clients/{alice}/", None, (403, 403, 200, 404, 404)),
    ("DELETE", "/trainers/me/clients/{alice}/", None, (403, 403, 204, 404, 404)),
    ("GET", "/clients/me/trainers/", None, EVERYONE),
    ("DELETE", "/clients/me/trainers/{coach}/", None, (204, 404, 404, 404, 404)),
    ("GET", "/admin/trainer-clients/", None, ADMIN_ONLY),
    (
        "POST",
        "/admin/trainer-clients/",
        {"trainer_id": "{stranger}", "client_id": "{mallory}"},
        ADMIN_ONLY[:4] + (201,),
    ),
    ("DELETE", "/admin/trainer-clients/{assignment}/", None, ADMIN_ONLY[:4] + (204,)),
    ("GET", "/stats/", None, EVERYONE),
    ("GET", "/stats/?user_id={alice}", None, ONLY_ALICE_AND_COACH),
    ("GET", "/stats/records/", None, EVERYONE),
    ("GET", "/stats/records/?user_id={alice}", None, ONLY_ALICE_AND_COACH),
    ("GET", "/events/", None, EVERYONE),
    ("POST", "/events/", EVENT, (201,) * 5),
    ("GET", "/events/{event}/", None, EVERYONE),
    ("PATCH", "/events/{event}/", {"capacity": 10}, ORGANIZER_ONLY),
    ("DELETE", "/events/{event}/", None, (204, 403, 403, 403, 403)),
    ("PUT", "/events/{event}/rsvp/", {"status": "going"}, EVERYONE),
    ("DELETE", "/events/{event}/rsvp/", None, (204,) * 5),
    ("GET", "/events/{event}/calendar.ics", None, EVERYONE),
]


def fill(value, world: dict):
    """`"{name}"` alone becomes the world's value (an int); inside a longer string it is formatted in."""
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value.count("{") == 1:
        return world[value[1:-1]]
    return value.format(**world) if isinstance(value, str) else value


@pytest.fixture
def fresh_world(app, cast, exercises):
    """Build the objects a route acts on anew (each actor gets an untouched world): alice's workouts, her own
    plan and one the coach built for her, an exercise no workout uses, and a live coach–alice assignment."""
    numbers = count(1)

    def build() -> dict:
        n = next(numbers)
        with app.app_context():
            alice, coach, root = (db.session.get(User, cast[name]) for name in ("alice", "coach", "root"))
            assignment = db.session.scalar(
                db.select(TrainerClient).where(
                    TrainerClient.trainer_id == cast["coach"], TrainerClient.client_id == cast["alice"]
                )
            )
            if not assignment.is_active:
                coaching.assign(root, cast["coach"], cast["alice"])
            unused = ExerciseFactory(title=f"Unused {n}")
            personal = ExerciseFactory(title=f"Own {n}", owner_id=cast["alice"], created_by_id=cast["alice"])
            session = {"training_type": "strength", "title": "Push", "date": date(2026, 1, 5), "duration_min": 45}
            entries = [{"exercise_id": exercises["Plank"], "order": 1, "sets": 3, "reps": 10, "rest_sec": 60}]
            workout = workouts.create_workout(alice, {**session, "exercises": entries})
            other = workouts.create_workout(alice, {**session, "exercises": []})
            plan = plans.create_plan(alice, {"title": "Own", "status": "active", "workout_ids": [workout.id]})
            coach_plan = plans.create_plan(
                coach, {"user_id": cast["alice"], "title": "Coached", "status": "active", "workout_ids": [workout.id]}
            )
            start = utcnow() + timedelta(days=1)
            event = events.create_event(
                alice, {"title": "Run", "starts_at": start, "ends_at": start + timedelta(hours=1)}
            )
            return {
                **cast,
                "n": n,
                "exercise": exercises["Plank"],
                "unused": unused.id,
                "personal": personal.id,
                "workout": workout.id,
                "other_workout": other.id,
                "plan": plan.id,
                "coach_plan": coach_plan.id,
                "assignment": assignment.id,
                "event": event["id"],
            }

    return build


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p} {i}" for i, (m, p, *_) in enumerate(MATRIX)]
)
def test_permissions_matrix(client, headers_of, fresh_world, method, path, body, expected):
    seen = {}
    for actor in ACTORS:
        world = fresh_world()
        url = "/api/v1" + fill(path, world)
        response = client.open(url, method=method, json=fill(body, world), headers=headers_of(actor))
        seen[actor] = response.status_code
        if response.status_code >= 400:
            assert response.json["code"] == response.status_code and response.json["message"], response.json

    assert seen == dict(zip(ACTORS, expected, strict=True))


@pytest.mark.parametrize(("method", "path"), sorted({(m, p) for m, p, *_ in MATRIX}))
def test_every_route_needs_authentication(client, method, path):
    names = ("alice", "coach", "exercise", "unused", "personal", "workout", "plan", "coach_plan", "event")
    any_ids = dict.fromkeys(names, 1)
    response = client.open("/api/v1" + fill(path, {**any_ids, "assignment": 1}), method=method, json={})

    assert response.status_code == 401
    assert response.json["code"] == 401
