"""The exercise catalog: everyone reads and searches; trainers and admins keep it; history is never broken."""

import json

import pytest

from app.extensions import db
from app.models import Exercise
from app.services.seed_data import EXERCISES
from tests.fixtures.training import entry, workout_body

URL = "/api/v1/exercises/"


@pytest.fixture
def trainer(client, make_user, headers_of):
    make_user(username="coach", role="trainer")
    return headers_of("coach")


def new(**fields) -> dict:
    return {"title": "Cossack Squat", "muscle_group": "legs", **fields}


def test_a_trainer_adds_an_exercise_with_defaults(client, trainer):
    response = client.post(URL, json=new(description="Side to side, deep."), headers=trainer)

    assert response.status_code == 201, response.json
    exercise = response.json
    assert (exercise["title"], exercise["muscle_group"]) == ("Cossack Squat", "legs")
    assert exercise["equipment_required"] is False and exercise["complexity"] == "beginner"
    assert exercise["is_archived"] is False


def test_titles_are_unique_whatever_their_case_and_spacing(client, trainer):
    client.post(URL, json=new(), headers=trainer)

    for title in ("cossack squat", "  COSSACK   Squat "):
        response = client.post(URL, json=new(title=title), headers=trainer)
        assert response.status_code == 409
        assert response.json["code"] == 409 and "title" in response.json["errors"]["json"]


def test_renaming_onto_another_title_is_a_conflict_but_recasing_ones_own_is_fine(client, trainer, exercises):
    push_up = f"{URL}{exercises['Push-Up']}/"

    taken = client.patch(push_up, json={"title": "plank"}, headers=trainer)
    recased = client.patch(push_up, json={"title": "PUSH-UP"}, headers=trainer)

    assert taken.status_code == 409
    assert recased.status_code == 200 and recased.json["title"] == "PUSH-UP"


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"muscle_group": "neck"}, "muscle_group"),
        ({"complexity": "impossible"}, "complexity"),
        ({"equipment_required": "sometimes"}, "equipment_required"),
        ({"is_archived": True}, "is_archived"),
        ({"created_by_id": 1}, "created_by_id"),
    ],
)
def test_create_validation_names_the_field(client, trainer, fields, where):
    response = client.post(URL, json=new(**fields), headers=trainer)

    assert response.status_code == 422
    assert where in response.json["errors"]["json"]


def test_put_replaces_and_patch_changes_some_fields(client, trainer, exercises):
    url = f"{URL}{exercises['Deadlift']}/"

    replaced = client.put(url, json={"title": "Conventional Deadlift", "muscle_group": "back"}, headers=trainer)
    patched = client.patch(url, json={"complexity": "expert"}, headers=trainer)
    incomplete = client.put(url, json={"title": "Only"}, headers=trainer)

    assert replaced.status_code == 200
    assert (replaced.json["title"], replaced.json["equipment_required"]) == ("Conventional Deadlift", False)
    assert (patched.json["title"], patched.json["complexity"]) == ("Conventional Deadlift", "expert")
    assert incomplete.status_code == 422 and "muscle_group" in incomplete.json["errors"]["json"]


def test_everyone_reads_filters_and_searches_the_catalog(client, auth_headers, exercises):
    def titles(query=""):
        response = client.get(f"{URL}?{query}", headers=auth_headers)
        assert response.status_code == 200, response.json
        return [e["title"] for e in response.json]

    assert titles() == ["Barbell Back Squat", "Barbell Bench Press", "Deadlift", "Plank", "Push-Up"]
    assert titles("muscle_group=chest") == ["Barbell Bench Press", "Push-Up"]
    assert titles("equipment_required=false") == ["Plank", "Push-Up"]
    assert titles("complexity=advanced") == ["Deadlift"]
    assert titles("q=BARBELL") == ["Barbell Back Squat", "Barbell Bench Press"]
    assert titles("q=barbell squat") == ["Barbell Back Squat"]
    assert titles("q=100%25") == []  # a literal %, not a wildcard
    assert titles("q=_") == []


def test_search_finds_words_of_the_description_too(client, auth_headers, trainer):
    client.post(URL, json=new(description="Great for hip MOBILITY."), headers=trainer)

    response = client.get(f"{URL}?q=mobility", headers=auth_headers)

    assert [e["title"] for e in response.json] == ["Cossack Squat"]


@pytest.mark.parametrize(
    "query", ["muscle_group=neck", "complexity=hard", "equipment_required=maybe", "q=" + "x" * 101, "page_size=500"]
)
def test_list_arguments_are_validated(client, auth_headers, query):
    assert client.get(f"{URL}?{query}", headers=auth_headers).status_code == 422


def test_the_catalog_is_paginated(client, auth_headers, exercises):
    response = client.get(f"{URL}?page_size=2&page=3", headers=auth_headers)

    assert [e["title"] for e in response.json] == ["Push-Up"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 5


@pytest.mark.parametrize(("page", "shown", "statements"), [(1, 2, 2), (3, 1, 1), (4, 0, 2)])
def test_a_page_that_is_not_full_tells_the_total_without_a_count(
    client, auth_headers, exercises, count_queries, page, shown, statements
):
    with count_queries() as counter:
        response = client.get(f"{URL}?page_size=2&page={page}", headers=auth_headers)

    assert len(response.json) == shown
    assert json.loads(response.headers["X-Pagination"])["total"] == 5
    reads = [s for s in counter.statements if "FROM exercises" in s]
    assert len(reads) == statements, reads  # the last page knows the total; a full or empty one counts


def test_an_unused_exercise_can_be_deleted(client, trainer, exercises):
    url = f"{URL}{exercises['Plank']}/"

    assert client.delete(url, headers=trainer).status_code == 204
    assert client.get(url, headers=trainer).status_code == 404


def test_deleting_an_exercise_in_use_is_refused_and_archiving_keeps_history(client, trainer, auth_headers, exercises):
    workout = client.post(
        URL.replace("exercises", "workouts"), json=workout_body(entry(exercises["Plank"])), headers=auth_headers
    )
    url = f"{URL}{exercises['Plank']}/"

    refused = client.delete(url, headers=trainer)
    archived = client.patch(url, json={"is_archived": True}, headers=trainer)

    assert refused.status_code == 409 and "archive" in refused.json["message"]
    assert archived.status_code == 200 and archived.json["is_archived"] is True
    assert "Plank" not in [e["title"] for e in client.get(URL, headers=auth_headers).json]
    assert "Plank" in [e["title"] for e in client.get(f"{URL}?include_archived=true", headers=auth_headers).json]
    kept = client.get(f"/api/v1/workouts/{workout.json['id']}/", headers=auth_headers).json
    assert kept["exercises"][0]["exercise"]["title"] == "Plank"


def test_seed_exercises_loads_a_real_catalog_once(app, client, auth_headers):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed", "exercises"])
    second = runner.invoke(args=["seed", "exercises"])

    assert first.exit_code == 0, first.output
    assert f"added {len(EXERCISES)}" in first.output
    assert second.exit_code == 0 and "added 0" in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Exercise)) == len(EXERCISES) >= 60
    groups = {e["muscle_group"] for e in EXERCISES}
    assert groups == {"chest", "back", "legs", "arms", "shoulders", "core", "full_body"}
    assert {e["complexity"] for e in EXERCISES} == {"beginner", "intermediate", "advanced", "expert"}
    legs = client.get(f"{URL}?muscle_group=legs&page_size=100", headers=auth_headers).json
    assert len(legs) == sum(e["muscle_group"] == "legs" for e in EXERCISES)
