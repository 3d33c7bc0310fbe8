"""Personal exercises: anyone adds their own beside the shared catalog; only they and their trainers see them, only
they change them, and only their own workouts use them. Titles are unique per owner and never clash with the
catalog's."""

import pytest

from app.cli_demo import _catalog_by_group
from app.extensions import db
from app.models import Exercise
from app.services.seed_data import EXERCISES
from tests.factories import ExerciseFactory
from tests.fixtures.training import entry, workout_body

URL = "/api/v1/exercises/"
WORKOUTS = "/api/v1/workouts/"


def personal(title: str = "Zercher Carry", **fields) -> dict:
    return {"title": title, "muscle_group": "full_body", "is_personal": True, **fields}


@pytest.fixture
def mine(client, cast, headers_of) -> int:
    """Alice's personal exercise, made through the API."""
    response = client.post(URL, json=personal(), headers=headers_of("alice"))
    assert response.status_code == 201, response.json
    return response.json["id"]


def titles(client, headers: dict, query: str = "") -> list[str]:
    response = client.get(f"{URL}?page_size=100&{query}", headers=headers)
    assert response.status_code == 200, response.json
    return [e["title"] for e in response.json]


# --- adding them ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "coach", "root"])
def test_anyone_adds_a_personal_exercise_of_their_own(client, cast, headers_of, who):
    response = client.post(URL, json=personal(complexity="advanced"), headers=headers_of(who))

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["is_personal"], body["owner_id"]) == (True, cast[who])
    assert (body["title"], body["complexity"], body["is_archived"]) == ("Zercher Carry", "advanced", False)


@pytest.mark.parametrize("body", [{"is_personal": False}, {}])
def test_a_plain_user_still_may_not_add_to_the_shared_catalog(client, cast, headers_of, body):
    response = client.post(URL, json={"title": "Mine", "muscle_group": "core", **body}, headers=headers_of("alice"))

    assert response.status_code == 403
    assert "is_personal" in response.json["message"]


def test_shared_exercises_say_they_are_not_personal(client, cast, headers_of, exercises):
    body = client.get(f"{URL}{exercises['Plank']}/", headers=headers_of("alice")).json

    assert (body["is_personal"], body["owner_id"]) == (False, None)


def test_a_personal_title_is_unique_for_its_owner_whatever_its_case_and_spacing(client, cast, headers_of, mine):
    for title in ("zercher carry", "  ZERCHER   Carry "):
        response = client.post(URL, json=personal(title), headers=headers_of("alice"))
        assert response.status_code == 409
        assert response.json["errors"]["json"]["title"] == ["Already among your exercises."]


def test_a_personal_title_may_be_a_shared_one_and_the_other_way_round(client, cast, headers_of, exercises, mine):
    shadow = client.post(URL, json=personal("PLANK"), headers=headers_of("alice"))
    shared = client.post(URL, json={"title": "Zercher carry", "muscle_group": "legs"}, headers=headers_of("coach"))

    assert shadow.status_code == 201 and shadow.json["owner_id"] is not None
    assert shared.status_code == 201 and shared.json["is_personal"] is False
    again = client.post(URL, json={"title": "zercher CARRY", "muscle_group": "legs"}, headers=headers_of("root"))
    assert again.status_code == 409 and again.json["errors"]["json"]["title"] == ["Already in the catalog."]


def test_two_people_may_have_the_same_personal_title(client, cast, headers_of, mine):
    response = client.post(URL, json=personal(), headers=headers_of("mallory"))

    assert response.status_code == 201 and response.json["owner_id"] == cast["mallory"]


def test_renaming_a_personal_exercise_checks_only_its_owners_titles(client, cast, headers_of, exercises, mine):
    alice = headers_of("alice")
    client.post(URL, json=personal("Sled Push"), headers=alice)
    client.post(URL, json=personal("Turkish Get-Up"), headers=headers_of("mallory"))

    taken = client.patch(f"{URL}{mine}/", json={"title": "sled push"}, headers=alice)
    free = client.patch(f"{URL}{mine}/", json={"title": "Turkish Get-Up"}, headers=alice)
    shared_title = client.put(f"{URL}{mine}/", json={"title": "Deadlift", "muscle_group": "back"}, headers=alice)

    assert taken.status_code == 409 and "title" in taken.json["errors"]["json"]
    assert free.status_code == 200 and free.json["title"] == "Turkish Get-Up"
    assert shared_title.status_code == 200 and shared_title.json["is_personal"] is True


# --- who sees and changes them --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "expected"), [("alice", 200), ("coach", 200), ("mallory", 404), ("stranger", 404), ("root", 404)]
)
def test_only_the_owner_and_their_trainers_read_a_personal_exercise(client, headers_of, mine, viewer, expected):
    response = client.get(f"{URL}{mine}/", headers=headers_of(viewer))

    assert response.status_code == expected
    if expected == 404:
        assert response.json["message"] == "No such exercise."  # as for an id that never existed


@pytest.mark.parametrize(("viewer", "listed"), [("alice", True), ("mallory", False), ("coach", False), ("root", False)])
def test_lists_show_only_ones_own_personal_exercises(client, headers_of, exercises, mine, viewer, listed):
    assert ("Zercher Carry" in titles(client, headers_of(viewer))) is listed
    assert ("Zercher Carry" in titles(client, headers_of(viewer), "q=zercher&include_archived=true")) is listed


def test_a_trainer_lists_an_assigned_clients_personal_exercises(client, cast, headers_of, exercises, mine):
    coach = headers_of("coach")

    assert titles(client, coach, f"user_id={cast['alice']}&personal=true") == ["Zercher Carry"]
    assert "Zercher Carry" in titles(client, coach, f"user_id={cast['alice']}")
    for outsider in ("stranger", "root", "mallory"):
        response = client.get(f"{URL}?user_id={cast['alice']}", headers=headers_of(outsider))
        assert response.status_code == 404, outsider


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PATCH", {"complexity": "expert"}),
        ("PATCH", {"is_archived": True}),
        ("PUT", {"title": "Renamed", "muscle_group": "core"}),
        ("DELETE", None),
    ],
)
@pytest.mark.parametrize(("editor", "expected"), [("coach", 403), ("mallory", 404), ("stranger", 404), ("root", 404)])
def test_only_the_owner_changes_a_personal_exercise(app, client, headers_of, mine, method, body, editor, expected):
    response = client.open(f"{URL}{mine}/", method=method, json=body, headers=headers_of(editor))

    assert response.status_code == expected
    with app.app_context():
        exercise = db.session.get(Exercise, mine)
        assert (exercise.title, exercise.complexity, exercise.is_archived) == ("Zercher Carry", "beginner", False)


def test_the_owner_edits_archives_and_deletes_their_personal_exercise(client, cast, headers_of, mine):
    alice = headers_of("alice")

    edited = client.patch(f"{URL}{mine}/", json={"complexity": "expert"}, headers=alice)
    archived = client.patch(f"{URL}{mine}/", json={"is_archived": True}, headers=alice)

    assert edited.status_code == 200 and edited.json["complexity"] == "expert"
    assert archived.status_code == 200 and "Zercher Carry" not in titles(client, alice)
    assert "Zercher Carry" in titles(client, alice, "include_archived=true")
    assert client.delete(f"{URL}{mine}/", headers=alice).status_code == 204
    assert client.get(f"{URL}{mine}/", headers=alice).status_code == 404


def test_trainers_keep_the_shared_catalog_as_before(client, cast, headers_of, exercises, mine):
    plank = f"{URL}{exercises['Plank']}/"

    assert client.patch(plank, json={"complexity": "expert"}, headers=headers_of("stranger")).status_code == 200
    assert client.patch(plank, json={"complexity": "expert"}, headers=headers_of("alice")).status_code == 403


# --- the `personal` filter ------------------------------------------------------------------------------------


def test_the_personal_filter_picks_mine_or_the_shared_catalog_or_both_in_title_order(
    client, cast, headers_of, exercises, mine
):
    alice = headers_of("alice")
    client.post(URL, json=personal("plank"), headers=alice)
    client.post(URL, json=personal("Mallory's Move"), headers=headers_of("mallory"))
    shared = ["Barbell Back Squat", "Barbell Bench Press", "Deadlift", "Plank", "Push-Up"]

    assert titles(client, alice, "personal=true") == ["plank", "Zercher Carry"]
    assert titles(client, alice, "personal=false") == shared
    both = titles(client, alice)
    assert both == [
        "Barbell Back Squat",
        "Barbell Bench Press",
        "Deadlift",
        "Plank",
        "plank",
        "Push-Up",
        "Zercher Carry",
    ]
    assert titles(client, alice, "personal=true&muscle_group=full_body&q=carry") == ["Zercher Carry"]


# --- workouts, stats and records ------------------------------------------------------------------------------


def test_the_owner_logs_workouts_with_their_personal_exercise(client, cast, headers_of, exercises, mine):
    body = workout_body(entry(mine, sets=3, reps=8, extra_weight_kg=60), entry(exercises["Plank"]))

    response = client.post(WORKOUTS, json=body, headers=headers_of("alice"))

    assert response.status_code == 201, response.json
    assert [e["exercise"]["title"] for e in response.json["exercises"]] == ["Zercher Carry", "Plank"]
    coach_view = client.get(f"{WORKOUTS}{response.json['id']}/", headers=headers_of("coach"))
    assert coach_view.json["exercises"][0]["exercise_id"] == mine


@pytest.mark.parametrize("who", ["mallory", "coach", "root"])
def test_someone_elses_personal_exercise_is_refused_as_an_unknown_id(client, cast, headers_of, mine, who):
    headers = headers_of(who)

    theirs = client.post(WORKOUTS, json=workout_body(entry(mine)), headers=headers)
    unknown = client.post(WORKOUTS, json=workout_body(entry(999_999)), headers=headers)

    assert theirs.status_code == unknown.status_code == 422
    assert theirs.json == unknown.json
    assert theirs.json["errors"]["json"]["exercises"] == {"0": {"exercise_id": ["No such exercise."]}}


def test_editing_a_workout_onto_someone_elses_personal_exercise_is_refused(client, cast, headers_of, exercises, mine):
    mallory = headers_of("mallory")
    workout = client.post(WORKOUTS, json=workout_body(entry(exercises["Plank"])), headers=mallory).json

    response = client.patch(f"{WORKOUTS}{workout['id']}/", json={"exercises": [entry(mine)]}, headers=mallory)

    assert response.status_code == 422
    assert response.json["errors"]["json"]["exercises"] == {"0": {"exercise_id": ["No such exercise."]}}
    kept = client.get(f"{WORKOUTS}{workout['id']}/", headers=mallory).json
    assert [e["exercise_id"] for e in kept["exercises"]] == [exercises["Plank"]]


def test_an_archived_personal_exercise_stays_in_old_workouts_but_takes_no_new_ones(client, cast, headers_of, mine):
    alice = headers_of("alice")
    old = client.post(WORKOUTS, json=workout_body(entry(mine)), headers=alice).json
    client.patch(f"{URL}{mine}/", json={"is_archived": True}, headers=alice)

    refused = client.post(WORKOUTS, json=workout_body(entry(mine)), headers=alice)
    kept = client.put(f"{WORKOUTS}{old['id']}/", json=workout_body(entry(mine, sets=4)), headers=alice)

    assert refused.status_code == 422 and "archived" in str(refused.json["errors"])
    assert kept.status_code == 200 and kept.json["exercises"][0]["sets"] == 4
    assert client.delete(f"{URL}{mine}/", headers=alice).status_code == 409  # in use: stays archived


def test_stats_and_personal_records_count_a_personal_exercise(client, cast, headers_of, exercises, mine):
    alice = headers_of("alice")
    client.post(WORKOUTS, json=workout_body(entry(mine, sets=3, reps=8, extra_weight_kg=60)), headers=alice)
    client.post(WORKOUTS, json=workout_body(entry(mine, sets=2, reps=12, extra_weight_kg=40)), headers=alice)

    stats = client.get("/api/v1/stats/", headers=alice).json
    records = client.get("/api/v1/stats/records/", headers=alice).json
    coach_view = client.get(
        f"/api/v1/stats/records/?user_id={cast['alice']}&exercise_id={mine}", headers=headers_of("coach")
    ).json

    assert (stats["total_exercises"], stats["total_volume_kg"]) == (2, 3 * 8 * 60 + 2 * 12 * 40)
    assert [(r["exercise"]["title"], r["max_weight_kg"], r["max_reps"]) for r in records] == [
        ("Zercher Carry", 60.0, 12)
    ]
    assert [r["exercise"]["id"] for r in coach_view] == [mine]


# --- hostile input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["sometimes", "", None, [], {}, [True], 2, 1.5])
def test_is_personal_must_be_a_boolean(client, cast, headers_of, value):
    response = client.post(URL, json=personal(is_personal=value), headers=headers_of("alice"))

    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["is_personal"]


@pytest.mark.parametrize("field", [{"owner_id": 2}, {"is_personal": True}, {"is_personal": False}])
def test_ownership_cannot_be_set_or_changed_by_an_edit(client, cast, headers_of, mine, field):
    alice = headers_of("alice")

    patched = client.patch(f"{URL}{mine}/", json=field, headers=alice)
    put = client.put(f"{URL}{mine}/", json={"title": "Zercher Carry", "muscle_group": "core", **field}, headers=alice)

    assert patched.status_code == put.status_code == 422
    assert set(field) <= set(patched.json["errors"]["json"]) and set(field) <= set(put.json["errors"]["json"])


def test_the_owner_cannot_be_given_on_create(client, cast, headers_of):
    response = client.post(URL, json=personal(owner_id=cast["mallory"]), headers=headers_of("alice"))

    assert response.status_code == 422 and "owner_id" in response.json["errors"]["json"]


@pytest.mark.parametrize(
    "query", ["personal=maybe", "personal=", "user_id=0", "user_id=-1", "user_id=x", f"user_id={10**12}"]
)
def test_list_arguments_on_personal_exercises_are_validated(client, cast, headers_of, query):
    response = client.get(f"{URL}?{query}", headers=headers_of("alice"))

    assert response.status_code == 422
    assert set(response.json["errors"]["query"]) <= {"personal", "user_id"}


# --- the seeders ----------------------------------------------------------------------------------------------


def test_seed_exercises_ignores_personal_titles(app, client, cast, headers_of):
    seeded = EXERCISES[0]["title"]
    client.post(URL, json=personal(seeded), headers=headers_of("alice"))

    result = app.test_cli_runner().invoke(args=["seed", "exercises"])

    assert result.exit_code == 0, result.output
    assert f"added {len(EXERCISES)} exercises (0 already" in result.output
    with app.app_context():
        shared = db.session.scalar(db.select(db.func.count()).select_from(Exercise).where(Exercise.owner_id.is_(None)))
        assert shared == len(EXERCISES)


def test_the_demo_seeder_draws_workouts_only_from_the_shared_catalog(db, cast, exercises):
    someones = ExerciseFactory(title="Someone's Own", muscle_group="core", owner_id=cast["mallory"]).id

    by_group = _catalog_by_group()

    assert someones not in {i for ids in by_group.values() for i in ids}
    assert exercises["Plank"] in by_group["core"]
