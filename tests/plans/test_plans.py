"""Training plans: ordered workouts, status transitions, read-only when completed, built by trainers."""

import pytest

from tests.fixtures.training import entry, workout_body

URL = "/api/v1/training-plans/"


@pytest.fixture
def alice(headers_of, cast):
    return headers_of("alice")


@pytest.fixture
def logged(client, alice, exercises):
    """Three of alice's workouts, oldest first."""
    return [
        client.post(
            "/api/v1/workouts/", json=workout_body(entry(exercises["Plank"]), title=f"W{n}"), headers=alice
        ).json["id"]
        for n in range(3)
    ]


def test_create_a_plan_with_ordered_workouts_and_default_status(client, alice, logged, cast):
    response = client.post(URL, json={"title": "Base", "workout_ids": [logged[2], logged[0]]}, headers=alice)

    assert response.status_code == 201, response.json
    plan = response.json
    assert plan["status"] == "active" and plan["workout_ids"] == [logged[2], logged[0]]
    assert plan["user_id"] == plan["created_by_id"] == cast["alice"]
    assert plan["description"] is None


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "P", "status": "paused"}, "status"),
        ({"title": "P", "workout_ids": [1, 1]}, "workout_ids"),
        ({"title": "P", "workout_ids": [0]}, "workout_ids"),
        ({"title": "P", "workout_ids": list(range(1, 202))}, "workout_ids"),
        ({"title": "P", "created_by_id": 3}, "created_by_id"),
        ({"title": "P", "user_id": 2**31}, "user_id"),
    ],
)
def test_plan_bodies_are_validated(client, alice, body, where):
    response = client.post(URL, json=body, headers=alice)

    assert response.status_code == 422, response.json
    assert where in response.json["errors"]["json"]


def test_only_the_owners_workouts_go_into_a_plan(client, alice, headers_of, exercises):
    theirs = client.post(
        "/api/v1/workouts/", json=workout_body(entry(exercises["Plank"])), headers=headers_of("mallory")
    ).json["id"]

    for ids in ([theirs], [999_999]):
        response = client.post(URL, json={"title": "Mine", "workout_ids": ids}, headers=alice)
        assert response.status_code == 422
        assert "workout_ids" in response.json["errors"]["json"]


def test_status_moves_prepared_active_completed_and_never_back(client, alice):
    plan = client.post(URL, json={"title": "Cut", "status": "prepared"}, headers=alice).json
    url = f"{URL}{plan['id']}/"

    skipped = client.patch(url, json={"status": "completed"}, headers=alice)
    active = client.patch(url, json={"status": "active"}, headers=alice)
    back = client.patch(url, json={"status": "prepared"}, headers=alice)
    done = client.patch(url, json={"status": "completed"}, headers=alice)

    assert skipped.status_code == 422 and "status" in skipped.json["errors"]["json"]
    assert active.status_code == 200 and active.json["status"] == "active"
    assert back.status_code == 422
    assert done.status_code == 200 and done.json["status"] == "completed"


def test_a_completed_plan_is_read_only(client, alice, logged):
    plan = client.post(URL, json={"title": "Done", "status": "completed", "workout_ids": logged[:1]}, headers=alice)
    url = f"{URL}{plan.json['id']}/"

    for response in (
        client.patch(url, json={"title": "Edited"}, headers=alice),
        client.patch(url, json={"status": "completed"}, headers=alice),
        client.put(f"{url}workouts/", json={"workout_ids": []}, headers=alice),
        client.post(f"{url}workouts/", json={"workout_id": logged[1]}, headers=alice),
        client.delete(f"{url}workouts/{logged[0]}/", headers=alice),
    ):
        assert response.status_code == 409, response.json
        assert response.json["message"] == "The plan is completed and read-only."
    assert client.get(url, headers=alice).json["title"] == "Done"
    assert client.delete(url, headers=alice).status_code == 204


def test_add_remove_and_reorder_workouts(client, alice, logged):
    plan = client.post(URL, json={"title": "Block", "workout_ids": [logged[0]]}, headers=alice).json
    url = f"{URL}{plan['id']}/workouts/"

    appended = client.post(url, json={"workout_id": logged[1]}, headers=alice)
    inserted = client.post(url, json={"workout_id": logged[2], "position": 1}, headers=alice)
    duplicate = client.post(url, json={"workout_id": logged[2]}, headers=alice)
    too_far = client.post(url, json={"workout_id": 12345, "position": 9}, headers=alice)
    reordered = client.put(url, json={"workout_ids": [logged[1], logged[0], logged[2]]}, headers=alice)
    removed = client.delete(f"{url}{logged[0]}/", headers=alice)
    missing = client.delete(f"{url}{logged[0]}/", headers=alice)

    assert appended.json["workout_ids"] == [logged[0], logged[1]]
    assert inserted.json["workout_ids"] == [logged[2], logged[0], logged[1]]
    assert duplicate.status_code == 409
    assert too_far.status_code == 422 and "position" in too_far.json["errors"]["json"]
    assert reordered.json["workout_ids"] == [logged[1], logged[0], logged[2]]
    assert removed.status_code == 204 and missing.status_code == 404
    assert client.get(f"{URL}{plan['id']}/", headers=alice).json["workout_ids"] == [logged[1], logged[2]]


def test_adding_someone_elses_workout_is_refused(client, alice, headers_of, exercises):
    plan = client.post(URL, json={"title": "Mine"}, headers=alice).json
    theirs = client.post(
        "/api/v1/workouts/", json=workout_body(entry(exercises["Plank"])), headers=headers_of("mallory")
    ).json["id"]

    response = client.post(f"{URL}{plan['id']}/workouts/", json={"workout_id": theirs}, headers=alice)

    assert response.status_code == 422 and "workout_id" in response.json["errors"]["json"]


def test_deleting_a_workout_takes_it_out_of_its_plans(client, alice, logged):
    plan = client.post(URL, json={"title": "Block", "workout_ids": logged}, headers=alice).json

    client.delete(f"/api/v1/workouts/{logged[1]}/", headers=alice)

    assert client.get(f"{URL}{plan['id']}/", headers=alice).json["workout_ids"] == [logged[0], logged[2]]


def test_a_trainer_builds_a_plan_for_a_client_who_sees_it_and_others_do_not(client, cast, headers_of, logged):
    coach = headers_of("coach")

    response = client.post(
        URL, json={"user_id": cast["alice"], "title": "Coach's block", "workout_ids": logged[:2]}, headers=coach
    )

    assert response.status_code == 201, response.json
    plan = response.json
    assert (plan["user_id"], plan["created_by_id"]) == (cast["alice"], cast["coach"])
    assert [p["id"] for p in client.get(URL, headers=headers_of("alice")).json] == [plan["id"]]
    assert client.get(URL, headers=coach).json == []  # the coach's own plans
    assert [p["id"] for p in client.get(f"{URL}?user_id={cast['alice']}", headers=coach).json] == [plan["id"]]
    for other in ("mallory", "stranger", "root"):
        assert client.get(f"{URL}{plan['id']}/", headers=headers_of(other)).status_code == 404
    edited = client.patch(f"{URL}{plan['id']}/", json={"title": "Coach's block v2"}, headers=coach)
    assert edited.status_code == 200


def test_a_trainer_cannot_build_plans_for_someone_who_is_not_a_client(client, cast, headers_of):
    for target in ("mallory", "stranger"):
        response = client.post(URL, json={"user_id": cast[target], "title": "Nope"}, headers=headers_of("coach"))
        assert response.status_code == 403


def test_a_trainer_who_built_a_plan_loses_it_when_the_client_leaves(client, cast, headers_of):
    coach = headers_of("coach")
    plan = client.post(URL, json={"user_id": cast["alice"], "title": "Block"}, headers=coach).json
    client.delete(f"/api/v1/clients/me/trainers/{cast['coach']}/", headers=headers_of("alice"))

    assert client.get(f"{URL}{plan['id']}/", headers=coach).status_code == 404
    assert client.patch(f"{URL}{plan['id']}/", json={"title": "x"}, headers=coach).status_code == 404
    assert client.get(f"{URL}{plan['id']}/", headers=headers_of("alice")).status_code == 200


def test_the_list_filters_by_status_and_costs_the_same_queries_for_1_or_30_plans(client, alice, logged, count_queries):
    client.post(URL, json={"title": "P0", "workout_ids": logged}, headers=alice)
    with count_queries() as one:
        client.get(f"{URL}?page_size=100", headers=alice)
    for n in range(29):
        client.post(URL, json={"title": f"P{n}", "status": "prepared", "workout_ids": logged}, headers=alice)
    with count_queries() as thirty:
        response = client.get(f"{URL}?page_size=100", headers=alice)

    assert len(response.json) == 30 and all(p["workout_ids"] == logged for p in response.json)
    assert one.count == thirty.count <= 4
    assert len(client.get(f"{URL}?status=prepared&page_size=100", headers=alice).json) == 29
    assert client.get(f"{URL}?status=paused", headers=alice).status_code == 422


def test_repeating_an_add_whose_workout_is_already_where_it_asked_changes_nothing(client, alice, logged):
    plan = client.post(URL, json={"title": "Block", "workout_ids": [logged[0]]}, headers=alice).json
    url = f"{URL}{plan['id']}/workouts/"
    client.post(url, json={"workout_id": logged[1], "position": 1}, headers=alice)
    client.post(url, json={"workout_id": logged[2]}, headers=alice)

    at_position = client.post(url, json={"workout_id": logged[1], "position": 1}, headers=alice)
    at_the_end = client.post(url, json={"workout_id": logged[2]}, headers=alice)
    moved = client.post(url, json={"workout_id": logged[2], "position": 1}, headers=alice)

    assert at_position.status_code == at_the_end.status_code == 200
    assert at_the_end.json["workout_ids"] == [logged[1], logged[0], logged[2]]
    assert moved.status_code == 409 and "another place" in moved.json["message"]
