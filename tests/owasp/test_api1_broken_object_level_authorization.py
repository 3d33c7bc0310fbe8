"""API1:2023 Broken Object Level Authorization.

Stride authorises every object a request names: services fetch through `get_<thing>_for(viewer, id)`, and what the
caller may not see answers 404 exactly as an id that does not exist (403 only for what they see but may not change).
The per-route matrices, every route with an id × every kind of caller, are tests/test_permissions.py and
tests/authz/*.py; this module adds what they do not do: walking sequential ids across domains, ids beyond any row,
and other people's ids sent inside request bodies."""

import json
import re
from datetime import date, time, timedelta

import pytest

from app.extensions import db
from app.models import MediaAsset, Report, User
from app.models.base import utcnow
from app.services import friends, habits
from tests.factories import (
    BodyMetricFactory,
    DataExportFactory,
    ExerciseFactory,
    GoalFactory,
    HabitFactory,
    NotificationFactory,
    ReportFactory,
    TrainingPlanFactory,
    UserFactory,
    WorkoutFactory,
)
from tests.factories.chat import MessageFactory, conversation_between
from tests.factories.posts import ReadyImageFactory

# Whose object each id of a domain is, in creation order: sequential ids, alice's among mallory's.
OWNERS = ("mallory", "mallory", "alice", "mallory", "alice", "mallory")
BEYOND = 3  # ids walked past the last row


# domain → (make one owned by `owner`, the route that reads one)
READABLE = {
    "goal": (lambda owner: GoalFactory(user_id=owner).id, "/fitness-goals/{}/"),
    "habit": (lambda owner: HabitFactory(user_id=owner).id, "/habits/{}/"),
    "workout": (lambda owner: WorkoutFactory(user_id=owner).id, "/workouts/{}/"),
    "plan": (lambda owner: TrainingPlanFactory(user_id=owner).id, "/training-plans/{}/"),
    "report": (lambda owner: ReportFactory(user_id=owner).id, "/reports/{}/"),
    "export": (lambda owner: DataExportFactory(user_id=owner).id, "/export/{}/"),
    "upload": (lambda owner: ReadyImageFactory(owner_id=owner).id, "/media/{}/"),
    "conversation": (lambda owner: conversation_between(owner, UserFactory().id), "/conversations/{}/messages/"),
}

# Writes that name an object: (domain, method, path, body).
WRITES = [
    ("goal", "PUT", "/fitness-goals/{}/", {"goal_type": "strength", "start_date": "2026-01-01"}),
    ("goal", "PATCH", "/fitness-goals/{}/", {"description": "Mine now"}),
    ("goal", "PATCH", "/fitness-goals/{}/deactivate/", None),
    ("goal", "DELETE", "/fitness-goals/{}/", None),
    ("habit", "PATCH", "/habits/{}/", {"action": "taken over"}),
    ("habit", "POST", "/habits/{}/done/", None),
    ("habit", "DELETE", "/habits/{}/", None),
    ("workout", "PATCH", "/workouts/{}/", {"title": "Mine now"}),
    ("workout", "DELETE", "/workouts/{}/", None),
    ("plan", "PATCH", "/training-plans/{}/", {"title": "Mine now"}),
    ("plan", "PUT", "/training-plans/{}/workouts/", {"workout_ids": []}),
    ("plan", "DELETE", "/training-plans/{}/", None),
    ("metric", "DELETE", "/metrics/{}/", None),
    ("notification", "DELETE", "/notifications/{}/", None),
    ("conversation", "POST", "/conversations/{}/messages/", {"text": "Hi from alice", "client_id": "walk"}),
]
# What mallory reads to see that nothing of hers changed.
MALLORYS_LISTS = [
    "/fitness-goals/?page_size=100",
    "/habits/?page_size=100",
    "/workouts/?page_size=100",
    "/training-plans/?page_size=100",
    "/metrics/?page_size=100",
    "/notifications/?limit=100",
    "/conversations/?limit=100",
]
MAKERS = {domain: make for domain, (make, _path) in READABLE.items()} | {
    "metric": lambda owner: BodyMetricFactory(user_id=owner).id,
    "notification": lambda owner: NotificationFactory(recipient_id=owner).id,
}


@pytest.fixture
def people(make_user) -> dict[str, int]:
    return {name: make_user(username=name) for name in ("alice", "mallory", "bob")}


@pytest.fixture
def objects(app, people) -> dict[str, dict[str, list[int]]]:
    """Per domain, the ids of alice's and mallory's objects, made one after the other (so their ids interleave)."""
    made: dict[str, dict[str, list[int]]] = {}
    with app.app_context():
        for domain, make in MAKERS.items():
            made[domain] = {"alice": [], "mallory": []}
            for owner in OWNERS:
                made[domain][owner].append(make(people[owner]))
    return made


def call(client, headers, method: str, path: str, body=None):
    return client.open("/api/v1" + path, method=method, json=body, headers=headers)


def error_of(response, code: int) -> dict:
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.json
    assert body["code"] == code and body["message"], body
    return body


# --- walking ids ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", list(READABLE))
def test_walking_sequential_ids_finds_only_ones_own_objects(client, headers_of, objects, domain):
    """alice tries every id from the first row to past the last: hers answer 200; mallory's answer the very same
    404 as the ids where nothing exists, so guessing ids tells her nothing."""
    path = READABLE[domain][1]
    mine, theirs = set(objects[domain]["alice"]), set(objects[domain]["mallory"])
    walked = range(min(mine | theirs), max(mine | theirs) + BEYOND + 1)
    assert len(theirs) == 4 and len(mine) == 2

    statuses, refusals = {}, {}
    for object_id in walked:
        response = call(client, headers_of("alice"), "GET", path.format(object_id))
        statuses[object_id] = response.status_code
        if response.status_code == 404:
            refusals[object_id] = json.dumps(error_of(response, 404), sort_keys=True)

    assert {i for i, status in statuses.items() if status == 200} == mine
    assert set(statuses.values()) == {200, 404}, statuses
    missing = [i for i in walked if i not in mine | theirs]
    assert len(missing) >= BEYOND
    # One answer for "mallory's" and for "nothing there".
    assert len(set(refusals.values())) == 1, refusals


@pytest.mark.parametrize(("domain", "method", "path", "body"), WRITES, ids=[f"{m} {p}" for _d, m, p, _b in WRITES])
def test_changing_someone_elses_objects_by_id_is_404_and_changes_nothing(
    client, headers_of, objects, domain, method, path, body
):
    theirs = objects[domain]["mallory"]
    nowhere = max(objects[domain]["alice"] + theirs) + 1000
    before = {url: call(client, headers_of("mallory"), "GET", url).json for url in MALLORYS_LISTS}

    refused = [call(client, headers_of("alice"), method, path.format(i), body) for i in theirs]
    absent = call(client, headers_of("alice"), method, path.format(nowhere), body)

    assert {json.dumps(error_of(r, 404), sort_keys=True) for r in refused} == {
        json.dumps(error_of(absent, 404), sort_keys=True)
    }
    after = {url: call(client, headers_of("mallory"), "GET", url).json for url in MALLORYS_LISTS}
    assert after == before


# --- ids beyond any row --------------------------------------------------------------------------------------

ROUTES_WITH_IDS = [("GET", path, None) for _make, path in READABLE.values()] + [(m, p, b) for _d, m, p, b in WRITES]


@pytest.mark.parametrize("object_id", [0, 2**31 - 1, 2**31, 2**63, 10**30, "-1", "1.5", "0x10", "1e3"])
def test_ids_no_row_can_have_are_a_plain_404_on_every_route(client, headers_of, people, object_id):
    """Out of the id column's range, negative, or not a decimal integer: a 404 in the one error shape, never a
    500 from an overflowing query, nor another answer telling the route exists in another form."""
    failures = []
    for method, path, body in ROUTES_WITH_IDS:
        response = call(client, headers_of("alice"), method, path.format(object_id), body)
        if response.status_code != 404 or (response.json or {}).get("code") != 404:
            failures.append((method, path, response.status_code))

    assert failures == []


def test_the_largest_possible_id_reaches_the_database_and_is_not_found(client, headers_of, people):
    """2**31 - 1 is a valid id (the converter lets it through): the answer is the service's own 404."""
    response = call(client, headers_of("alice"), "GET", f"/fitness-goals/{2**31 - 1}/")

    assert error_of(response, 404)["message"] == "No such goal."


# --- other people's ids inside request bodies ---------------------------------------------------------------


@pytest.fixture
def owned(app, people):
    """alice's plan and workout and her conversation with bob; mallory's workout, personal exercise, upload and a
    message of her conversation with bob."""
    with app.app_context():
        alice, mallory, bob = people["alice"], people["mallory"], people["bob"]
        return {
            "alice_workout": WorkoutFactory(user_id=alice).id,
            "alice_plan": TrainingPlanFactory(user_id=alice).id,
            "alice_conversation": conversation_between(alice, bob),
            "mallory_workout": WorkoutFactory(user_id=mallory).id,
            "mallory_exercise": ExerciseFactory(title="Mallory's move", owner_id=mallory, created_by_id=mallory).id,
            "mallory_upload": ReadyImageFactory(owner_id=mallory).id,
            "mallory_message": MessageFactory(author_id=mallory, conversation_id=conversation_between(mallory, bob)).id,
        }


def both_refusals(client, headers, method, path, make_body, theirs: int, code: int) -> tuple[dict, dict]:
    """The refusal of a body naming someone else's object, and of one naming an id nothing has; the numbers are
    taken out of the messages, which may quote the id sent."""
    nowhere = 2**31 - 7
    answers = [error_of(call(client, headers, method, path, make_body(i)), code) for i in (theirs, nowhere)]
    return tuple(
        json.loads(re.sub(rf"\b{i}\b", "ID", json.dumps(a))) for a, i in zip(answers, (theirs, nowhere), strict=True)
    )


@pytest.mark.parametrize(
    ("method", "path", "make_body", "target"),
    [
        ("POST", "/training-plans/", lambda i: {"title": "Borrowed", "workout_ids": [i]}, "mallory_workout"),
        ("PUT", "/training-plans/{alice_plan}/workouts/", lambda i: {"workout_ids": [i]}, "mallory_workout"),
        ("POST", "/training-plans/{alice_plan}/workouts/", lambda i: {"workout_id": i}, "mallory_workout"),
        ("POST", "/workouts/", lambda i: {"title": "Borrowed", "exercises": [{"exercise_id": i}]}, "mallory_exercise"),
        (
            "PATCH",
            "/workouts/{alice_workout}/",
            lambda i: {"exercises": [{"exercise_id": i, "sets": 1, "reps": 1}]},
            "mallory_exercise",
        ),
        ("POST", "/conversations/{alice_conversation}/read/", lambda i: {"message_id": i}, "mallory_message"),
    ],
    ids=["plan-create", "plan-replace", "plan-add", "workout-create", "workout-patch", "read-receipt"],
)
def test_someone_elses_id_in_a_body_is_refused_as_if_it_did_not_exist(
    client, headers_of, owned, method, path, make_body, target
):
    mine, nothing = both_refusals(
        client, headers_of("alice"), method, path.format(**owned), make_body, owned[target], 422
    )

    assert mine == nothing


def test_someone_elses_upload_cannot_be_attached_to_a_post(app, client, headers_of, owned):
    post = lambda i: {"text": "Look at this", "media_ids": [i]}  # noqa: E731

    mine, nothing = both_refusals(client, headers_of("alice"), "POST", "/posts/", post, owned["mallory_upload"], 404)

    assert mine == nothing
    with app.app_context():
        assert db.session.get(MediaAsset, owned["mallory_upload"]).attached_at is None


def test_a_report_on_someone_one_does_not_train_is_404_and_queues_nothing(app, client, headers_of, people):
    today = date.today()
    span = {"format": "csv", "date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat()}

    response = call(client, headers_of("alice"), "POST", "/reports/", {**span, "user_id": people["mallory"]})

    error_of(response, 404)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 0


@pytest.fixture
def pleasant_habits(app, people, make_user) -> dict[str, int]:
    """Pleasant habits alice may not see: mallory's private one, the public one of `eve`, who blocked alice, and
    the public one of `gone`, whose account is deactivated; and `shown`, a public one of bob's she does see."""
    eve, gone = make_user(username="eve"), make_user(username="gone")
    with app.app_context():
        pleasant = {"time": time(7, 30), "is_pleasant": True}
        made = {
            "private": habits.create_habit(db.session.get(User, people["mallory"]), {**pleasant, "action": "nap"}),
            "blocker": habits.create_habit(
                db.session.get(User, eve), {**pleasant, "action": "bath", "is_public": True}
            ),
            "inactive": habits.create_habit(
                db.session.get(User, gone), {**pleasant, "action": "tea", "is_public": True}
            ),
            "shown": habits.create_habit(
                db.session.get(User, people["bob"]), {**pleasant, "action": "walk", "is_public": True}
            ),
        }
        ids = {name: habit.id for name, habit in made.items()}
        friends.block(db.session.get(User, eve), people["alice"])
        db.session.get(User, gone).deactivated_at = utcnow()
        db.session.commit()
    return ids


@pytest.mark.parametrize("hidden", ["private", "blocker", "inactive"])
def test_a_habit_one_cannot_see_cannot_be_named_as_ones_related_habit(client, headers_of, pleasant_habits, hidden):
    """A habit alice's GET answers 404 must be just as absent when she names it as her habit's related habit:
    otherwise its existence (and that it is pleasant) leaks, and her habit would then point at it."""
    headers = headers_of("alice")
    assert call(client, headers, "GET", f"/habits/{pleasant_habits[hidden]}/").status_code == 404
    assert call(client, headers, "GET", f"/habits/{pleasant_habits['shown']}/").status_code == 200
    habit = lambda i: {"time": "08:00", "action": "stretch", "related_habit_id": i}  # noqa: E731

    accepted = call(client, headers, "POST", "/habits/", habit(pleasant_habits["shown"]))
    mine, nothing = both_refusals(client, headers, "POST", "/habits/", habit, pleasant_habits[hidden], 422)

    assert accepted.status_code == 201, accepted.json
    assert mine == nothing
