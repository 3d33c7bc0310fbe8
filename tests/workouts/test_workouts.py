"""Workouts through the HTTP API: one nested document, its bounds, atomicity, filters, and no N+1."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import PersonalRecord, UserStats, Workout, WorkoutExercise
from tests.fixtures.training import TODAY, entry, workout_body

URL = "/api/v1/workouts/"


@pytest.fixture
def create(client, auth_headers, exercises):
    def creator(body=None, headers=None):
        body = body or workout_body(entry(exercises["Barbell Bench Press"], sets=5, reps=5, extra_weight_kg=80))
        return client.post(URL, json=body, headers=headers or auth_headers)

    return creator


def rows(app) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Workout, WorkoutExercise, UserStats, PersonalRecord)
        )


def test_create_returns_the_nested_document_with_defaults(create, exercises):
    bench, plank = exercises["Barbell Bench Press"], exercises["Plank"]
    body = {
        "training_type": "strength",
        "title": "Push day",
        "exercises": [entry(bench, extra_weight_kg=62.5), entry(plank, order=5, reps=1, rest_sec=0)],
    }

    response = create(body)

    assert response.status_code == 201, response.json
    workout = response.json
    assert (workout["intensity"], workout["duration_min"], workout["date"]) == ("medium", 45, TODAY.isoformat())
    assert workout["description"] is None and workout["volume_kg"] == 3 * 10 * 62.5
    first, second = workout["exercises"]
    assert first == {
        "exercise_id": bench,
        "exercise": {
            "id": bench,
            "title": "Barbell Bench Press",
            "muscle_group": "chest",
            "equipment_required": True,
            "complexity": "intermediate",
        },
        "order": 1,
        "sets": 3,
        "reps": 10,
        "rest_sec": 60,
        "extra_weight_kg": 62.5,
        "volume_kg": 1875.0,
    }
    assert (second["order"], second["reps"], second["rest_sec"], second["extra_weight_kg"]) == (5, 1, 0, 0.0)


def test_entries_come_back_in_their_order_whatever_the_list_order(create, exercises):
    body = workout_body(
        entry(exercises["Plank"], order=3), entry(exercises["Push-Up"], order=1), entry(exercises["Deadlift"], order=2)
    )

    titles = [e["exercise"]["title"] for e in create(body).json["exercises"]]

    assert titles == ["Push-Up", "Deadlift", "Plank"]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"sets": -1}, "sets"),
        ({"sets": 0}, "sets"),
        ({"sets": 101}, "sets"),
        ({"reps": 10_000}, "reps"),
        ({"rest_sec": -5}, "rest_sec"),
        ({"rest_sec": 3601}, "rest_sec"),
        ({"extra_weight_kg": -2.5}, "extra_weight_kg"),
        ({"extra_weight_kg": 1000.5}, "extra_weight_kg"),
        ({"extra_weight_kg": "heavy"}, "extra_weight_kg"),
        ({"order": 0}, "order"),
        ({"exercise_id": 2**31}, "exercise_id"),
        ({"exercise_id": "bench"}, "exercise_id"),
        ({"mass": 1}, "mass"),
    ],
)
def test_every_entry_number_is_bounded_and_named_in_the_error(create, exercises, app, fields, where):
    body = workout_body(entry(exercises["Push-Up"]), {**entry(exercises["Plank"]), **fields})

    response = create(body)

    assert response.status_code == 422, response.json
    assert response.json["code"] == 422 and response.json["status"] == "Unprocessable Entity"
    assert where in response.json["errors"]["json"]["exercises"]["1"]
    assert rows(app) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"training_type": "napping"}, "training_type"),
        ({"title": " "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"intensity": "extreme"}, "intensity"),
        ({"duration_min": 0}, "duration_min"),
        ({"duration_min": 100_000}, "duration_min"),
        ({"date": "yesterday"}, "date"),
        ({"date": "1969-12-31"}, "date"),
        ({"exercises": "bench"}, "exercises"),
        ({"user_id": 2}, "user_id"),
        ({"id": 99}, "id"),
    ],
)
def test_workout_fields_are_validated(create, fields, where):
    response = create(workout_body(**fields))

    assert response.status_code == 422
    assert where in response.json["errors"]["json"]


def test_a_workout_needs_a_title(create):
    response = create({"exercises": []})

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"title"}


@pytest.mark.parametrize("body", [{"title": "Walk"}, {"title": "Walk", "training_type": None}])
def test_the_training_type_is_optional(client, auth_headers, create, body):
    response = create(body)

    assert response.status_code == 201, response.json
    assert response.json["training_type"] is None
    assert client.get(f"{URL}{response.json['id']}/", headers=auth_headers).json["training_type"] is None


def test_a_workout_without_a_type_is_listed_but_matches_no_type_filter(client, auth_headers, create):
    untyped = create({"title": "Walk"}).json["id"]
    typed = create({"title": "Lift", "training_type": "strength"}).json["id"]

    everything = client.get(URL, headers=auth_headers).json
    strength = client.get(f"{URL}?training_type=strength", headers=auth_headers).json

    assert {w["id"] for w in everything} == {untyped, typed}
    assert [w["id"] for w in strength] == [typed]


def test_a_training_type_can_be_set_later_and_cleared(client, auth_headers, create):
    url = f"{URL}{create({'title': 'Walk'}).json['id']}/"

    assert client.patch(url, json={"training_type": "cardio"}, headers=auth_headers).json["training_type"] == "cardio"
    assert client.patch(url, json={"title": "Stroll"}, headers=auth_headers).json["training_type"] == "cardio"
    assert client.patch(url, json={"training_type": None}, headers=auth_headers).json["training_type"] is None


def test_a_future_date_is_refused(create):
    response = create(workout_body(date=(TODAY + timedelta(days=2)).isoformat()))

    assert response.status_code == 422
    assert "date" in response.json["errors"]["json"]


def test_orders_must_be_unique_within_a_workout(create, exercises, app):
    body = workout_body(entry(exercises["Push-Up"], order=2), entry(exercises["Plank"]), entry(exercises["Deadlift"]))

    response = create(body)  # the second entry defaults to order 2 as well

    assert response.status_code == 422
    assert "unique" in response.json["errors"]["json"]["exercises"][0]
    assert rows(app) == (0, 0, 0, 0)


def test_the_same_exercise_may_appear_twice_at_different_places(create, exercises):
    body = workout_body(entry(exercises["Push-Up"]), entry(exercises["Plank"]), entry(exercises["Push-Up"], reps=20))

    assert [e["order"] for e in create(body).json["exercises"]] == [1, 2, 3]


def test_a_bad_entry_leaves_nothing_written(create, exercises, app):
    body = workout_body(entry(exercises["Push-Up"]), entry(exercises["Plank"]), entry(999_999))

    response = create(body)

    assert response.status_code == 422
    assert response.json["errors"]["json"]["exercises"] == {"2": {"exercise_id": ["No such exercise."]}}
    assert rows(app) == (0, 0, 0, 0)


def test_a_database_failure_midway_rolls_back_the_workout_its_entries_and_the_stats(app, user, exercises):
    """Bypassing the schema: the check constraint on sets fails at flush, after the workout row was sent."""
    from sqlalchemy.exc import IntegrityError

    from app.models import User
    from app.services import workouts

    data = {"training_type": "strength", "title": "Bad", "date": TODAY, "duration_min": 30}
    good = {"exercise_id": exercises["Push-Up"], "order": 1, "sets": 3, "reps": 10, "rest_sec": 60}
    bad = {**good, "order": 2, "sets": -3}
    with app.app_context():
        with pytest.raises(IntegrityError):
            workouts.create_workout(db.session.get(User, user), {**data, "exercises": [good, bad]})
        db.session.rollback()
    assert rows(app) == (0, 0, 0, 0)


def test_put_replaces_the_document_and_its_entries_atomically(client, auth_headers, create, exercises, app):
    workout = create().json
    url = f"{URL}{workout['id']}/"
    replacement = workout_body(
        entry(exercises["Deadlift"], order=1, sets=1, reps=3, extra_weight_kg=140),
        entry(exercises["Plank"], order=2),
        title="Pull day",
        intensity="high",
    )

    response = client.put(url, json=replacement, headers=auth_headers)

    assert response.status_code == 200, response.json
    assert response.json["title"] == "Pull day" and response.json["intensity"] == "high"
    assert response.json["duration_min"] == 45 and response.json["description"] is None
    assert [e["exercise"]["title"] for e in response.json["exercises"]] == ["Deadlift", "Plank"]
    assert rows(app)[:2] == (1, 2)

    broken = workout_body(entry(exercises["Push-Up"]), entry(424_242), title="Never")
    refused = client.put(url, json=broken, headers=auth_headers)
    assert refused.status_code == 422
    assert client.get(url, headers=auth_headers).json == response.json  # nothing of the bad replace remains


def test_put_needs_the_whole_document(client, auth_headers, create):
    workout = create().json

    response = client.put(f"{URL}{workout['id']}/", json={"title": "Only this"}, headers=auth_headers)

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"date", "exercises"}  # training_type is optional


def test_put_may_keep_entries_at_the_same_orders(client, auth_headers, create, exercises):
    workout = create().json
    same_orders = workout_body(entry(exercises["Push-Up"], order=1), entry(exercises["Plank"], order=2))
    url = f"{URL}{workout['id']}/"

    first = client.put(url, json=same_orders, headers=auth_headers)
    again = client.put(url, json=same_orders, headers=auth_headers)

    assert first.status_code == again.status_code == 200
    assert [e["order"] for e in again.json["exercises"]] == [1, 2]


def test_patch_changes_only_what_is_given(client, auth_headers, create, exercises):
    workout = create().json
    url = f"{URL}{workout['id']}/"

    renamed = client.patch(url, json={"title": "Chest", "duration_min": 60}, headers=auth_headers).json
    assert (renamed["title"], renamed["duration_min"]) == ("Chest", 60)
    assert renamed["exercises"] == workout["exercises"]

    emptied = client.patch(url, json={"exercises": []}, headers=auth_headers).json
    assert emptied["exercises"] == [] and emptied["title"] == "Chest"


def test_patch_refuses_a_future_date_and_unknown_fields(client, auth_headers, create):
    url = f"{URL}{create().json['id']}/"

    future = client.patch(url, json={"date": (TODAY + timedelta(days=3)).isoformat()}, headers=auth_headers)
    sneaky = client.patch(url, json={"user_id": 1}, headers=auth_headers)

    assert future.status_code == 422 and "date" in future.json["errors"]["json"]
    assert sneaky.status_code == 422 and "user_id" in sneaky.json["errors"]["json"]


def test_patch_entries_are_whole_entries(client, auth_headers, create):
    """PATCH makes the workout's fields optional, not each entry's: an entry without its exercise is a 422."""
    url = f"{URL}{create().json['id']}/"

    response = client.patch(url, json={"exercises": [{"sets": 3, "reps": 10}]}, headers=auth_headers)

    assert response.status_code == 422
    assert response.json["errors"]["json"]["exercises"]["0"]["exercise_id"]


def test_delete_removes_the_workout_and_its_entries(client, auth_headers, create, app):
    url = f"{URL}{create().json['id']}/"

    assert client.delete(url, headers=auth_headers).status_code == 204
    assert client.get(url, headers=auth_headers).status_code == 404
    assert rows(app)[:2] == (0, 0)


def test_list_filters_by_dates_and_type_newest_first_and_paginates(client, auth_headers, create, exercises):
    def log(days_ago, training_type="strength"):
        day = (TODAY - timedelta(days=days_ago)).isoformat()
        return create(workout_body(entry(exercises["Plank"]), date=day, training_type=training_type)).json["id"]

    old, middle, recent, run = log(30), log(10), log(1), log(5, "running")

    def ids(query=""):
        response = client.get(f"{URL}?{query}", headers=auth_headers)
        assert response.status_code == 200, response.json
        return [w["id"] for w in response.json]

    assert ids() == [recent, run, middle, old]
    assert ids("training_type=running") == [run]
    window = f"date_from={(TODAY - timedelta(days=10)).isoformat()}&date_to={(TODAY - timedelta(days=2)).isoformat()}"
    assert ids(window) == [run, middle]
    page = client.get(f"{URL}?page=2&page_size=3", headers=auth_headers)
    assert [w["id"] for w in page.json] == [old]
    assert json.loads(page.headers["X-Pagination"])["total"] == 4


@pytest.mark.parametrize(
    "query",
    [
        "page_size=101",
        "page=0",
        "training_type=napping",
        "date_from=soon",
        "date_from=2026-05-02&date_to=2026-05-01",
        "user_id=0",
        f"user_id={2**31}",
    ],
)
def test_list_arguments_are_validated(client, auth_headers, query):
    response = client.get(f"{URL}?{query}", headers=auth_headers)

    assert response.status_code == 422, (query, response.json)
    assert "query" in response.json["errors"]


def test_a_page_past_the_end_is_empty_and_one_past_reach_a_422(client, auth_headers):
    past_the_end = client.get(f"{URL}?page=3", headers=auth_headers)
    beyond_reach = client.get(f"{URL}?page=99999999999", headers=auth_headers)

    assert past_the_end.status_code == 200 and past_the_end.json == []
    assert beyond_reach.status_code == 422 and list(beyond_reach.json["errors"]["query"]) == ["page"]


def test_huge_ids_in_paths_are_404_not_500(client, auth_headers):
    assert client.get(f"{URL}{2**63}/", headers=auth_headers).status_code == 404
    assert client.delete(f"{URL}0/", headers=auth_headers).status_code == 404


def test_archived_exercises_stay_in_old_workouts_but_are_not_added_to_new_ones(
    client, auth_headers, create, exercises, app
):
    from app.models import Exercise

    workout = create(workout_body(entry(exercises["Deadlift"]))).json
    with app.app_context():
        db.session.get(Exercise, exercises["Deadlift"]).is_archived = True
        db.session.commit()
    url = f"{URL}{workout['id']}/"

    kept = client.patch(url, json={"exercises": [entry(exercises["Deadlift"], reps=8)]}, headers=auth_headers)
    added = create(workout_body(entry(exercises["Deadlift"])))

    assert client.get(url, headers=auth_headers).json["exercises"][0]["exercise"]["title"] == "Deadlift"
    assert kept.status_code == 200
    assert added.status_code == 422
    assert "archived" in added.json["errors"]["json"]["exercises"]["0"]["exercise_id"][0]


def test_the_list_costs_the_same_queries_for_1_or_100_workouts(client, auth_headers, create, exercises, count_queries):
    all_three = [entry(exercises["Push-Up"]), entry(exercises["Plank"]), entry(exercises["Deadlift"])]
    create(workout_body(*all_three))
    with count_queries() as one:
        first = client.get(f"{URL}?page_size=100", headers=auth_headers)
    for _ in range(99):
        create(workout_body(*all_three))
    with count_queries() as hundred:
        response = client.get(f"{URL}?page_size=100", headers=auth_headers)

    assert first.status_code == response.status_code == 200
    assert len(response.json) == 100 and all(len(w["exercises"]) == 3 for w in response.json)
    # A full page also counts the list (a page with room to spare tells its total): the rest stays the same.
    reads = [[s for s in counter.statements if "count(*)" not in s] for counter in (one, hundred)]
    assert len(reads[0]) == len(reads[1]) <= 4, hundred.statements


def test_a_trainers_view_of_a_clients_list_costs_the_same_queries_too(
    client, app, cast, headers_of, exercises, count_queries
):
    alice, coach = headers_of("alice"), headers_of("coach")
    client.post(URL, json=workout_body(entry(exercises["Plank"])), headers=alice)
    url = f"{URL}?user_id={cast['alice']}&page_size=100"
    with count_queries() as one:
        client.get(url, headers=coach)
    for _ in range(20):
        client.post(URL, json=workout_body(entry(exercises["Plank"]), entry(exercises["Push-Up"])), headers=alice)
    with count_queries() as many:
        response = client.get(url, headers=coach)

    assert len(response.json) == 21
    assert one.count == many.count <= 6


def test_workouts_need_authentication(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json={}).status_code == 401
    assert client.get(f"{URL}1/").json["code"] == 401
