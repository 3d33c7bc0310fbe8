"""Trainer ↔ client assignment: admins assign, trainers list and drop clients, clients leave trainers."""

import pytest

from tests.fixtures.training import entry, workout_body

ADMIN_URL = "/api/v1/admin/trainer-clients/"
CLIENTS_URL = "/api/v1/trainers/me/clients/"
TRAINERS_URL = "/api/v1/clients/me/trainers/"


def test_admins_assign_and_the_trainer_lists_the_client(client, cast, headers_of):
    response = client.post(
        ADMIN_URL, json={"trainer_id": cast["stranger"], "client_id": cast["mallory"]}, headers=headers_of("root")
    )

    assert response.status_code == 201, response.json
    assignment = response.json
    assert (assignment["trainer"]["username"], assignment["client"]["username"]) == ("stranger", "mallory")
    assert assignment["assigned_by_id"] == cast["root"] and assignment["is_active"] is True
    clients = client.get(CLIENTS_URL, headers=headers_of("stranger")).json
    assert [c["client"]["username"] for c in clients] == ["mallory"]
    trainers = client.get(TRAINERS_URL, headers=headers_of("mallory")).json
    assert [t["trainer"]["username"] for t in trainers] == ["stranger"]


def test_a_client_may_have_several_trainers(client, cast, headers_of):
    client.post(
        ADMIN_URL, json={"trainer_id": cast["stranger"], "client_id": cast["alice"]}, headers=headers_of("root")
    )

    trainers = client.get(TRAINERS_URL, headers=headers_of("alice")).json

    assert [t["trainer"]["username"] for t in trainers] == ["coach", "stranger"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"trainer_id": "mallory", "client_id": "alice"}, "trainer_id"),  # mallory is not a trainer
        ({"trainer_id": "coach", "client_id": "coach"}, "client_id"),
        ({"trainer_id": "coach", "client_id": 999_999}, "client_id"),
        ({"trainer_id": 999_999, "client_id": "alice"}, "trainer_id"),
    ],
)
def test_assignment_rules_name_the_field(client, cast, headers_of, body, where):
    body = {field: cast.get(value, value) for field, value in body.items()}  # usernames → ids

    response = client.post(ADMIN_URL, json=body, headers=headers_of("root"))

    assert response.status_code == 422, response.json
    assert where in response.json["errors"]["json"]


@pytest.mark.parametrize("body", [{}, {"trainer_id": 0, "client_id": 1}, {"trainer_id": 1, "client_id": 2**31}])
def test_assignment_bodies_are_validated(client, cast, headers_of, body):
    assert client.post(ADMIN_URL, json=body, headers=headers_of("root")).status_code == 422


def test_assigning_a_live_pair_again_is_a_conflict_and_an_ended_one_is_revived(client, cast, headers_of):
    root = headers_of("root")
    pair = {"trainer_id": cast["coach"], "client_id": cast["alice"]}

    assert client.post(ADMIN_URL, json=pair, headers=root).status_code == 409
    live = client.get(f"{ADMIN_URL}?trainer_id={cast['coach']}", headers=root).json[0]
    assert client.delete(f"{ADMIN_URL}{live['id']}/", headers=root).status_code == 204
    assert client.delete(f"{ADMIN_URL}{live['id']}/", headers=root).status_code == 409
    assert client.get(f"{ADMIN_URL}?active=false", headers=root).json[0]["id"] == live["id"]

    revived = client.post(ADMIN_URL, json=pair, headers=root)
    assert revived.status_code == 201 and revived.json["id"] == live["id"] and revived.json["ended_at"] is None


def test_a_client_who_leaves_is_no_longer_visible_to_the_trainer(client, cast, headers_of, exercises):
    workout = client.post(
        "/api/v1/workouts/", json=workout_body(entry(exercises["Plank"])), headers=headers_of("alice")
    )
    url = f"/api/v1/workouts/{workout.json['id']}/"
    assert client.get(url, headers=headers_of("coach")).status_code == 200

    left = client.delete(f"{TRAINERS_URL}{cast['coach']}/", headers=headers_of("alice"))

    assert left.status_code == 204
    assert client.get(url, headers=headers_of("coach")).status_code == 404
    assert client.get(CLIENTS_URL, headers=headers_of("coach")).json == []
    assert client.delete(f"{TRAINERS_URL}{cast['coach']}/", headers=headers_of("alice")).status_code == 404


def test_a_trainer_may_drop_a_client(client, cast, headers_of):
    assert client.delete(f"{CLIENTS_URL}{cast['alice']}/", headers=headers_of("coach")).status_code == 204
    assert client.get(TRAINERS_URL, headers=headers_of("alice")).json == []
    assert client.delete(f"{CLIENTS_URL}{cast['alice']}/", headers=headers_of("coach")).status_code == 404


def test_a_demoted_trainer_loses_access_to_clients(client, cast, headers_of, exercises, app):
    from app.extensions import db
    from app.models import User

    workout = client.post(
        "/api/v1/workouts/", json=workout_body(entry(exercises["Plank"])), headers=headers_of("alice")
    )
    coach = headers_of("coach")
    with app.app_context():
        db.session.get(User, cast["coach"]).role = "user"
        db.session.commit()

    assert client.get(f"/api/v1/workouts/{workout.json['id']}/", headers=coach).status_code == 404
    assert client.get(f"/api/v1/stats/?user_id={cast['alice']}", headers=coach).status_code == 404


def test_deactivated_clients_leave_the_trainers_list_and_their_data_with_them(client, cast, headers_of, app):
    from app.extensions import db
    from app.models import User
    from app.models.base import utcnow

    coach = headers_of("coach")
    with app.app_context():
        db.session.get(User, cast["alice"]).deactivated_at = utcnow()
        db.session.commit()

    assert client.get(CLIENTS_URL, headers=coach).json == []
    assert client.get(f"/api/v1/workouts/?user_id={cast['alice']}", headers=coach).status_code == 404


@pytest.mark.parametrize("query", ["active=sometimes", "trainer_id=0", f"client_id={2**31}", "page_size=1000"])
def test_admin_list_arguments_are_validated(client, cast, headers_of, query):
    assert client.get(f"{ADMIN_URL}?{query}", headers=headers_of("root")).status_code == 422


def test_assignment_lists_cost_the_same_queries_for_1_or_10_pairs(
    client, cast, headers_of, make_user, app, count_queries
):
    from app.extensions import db
    from app.models import User
    from app.services import coaching

    root, coach = headers_of("root"), headers_of("coach")
    admin_url, clients_url = f"{ADMIN_URL}?page_size=20", f"{CLIENTS_URL}?page_size=20"  # one page either way
    with count_queries() as one:
        client.get(admin_url, headers=root)
        client.get(clients_url, headers=coach)
    with app.app_context():
        admin = db.session.get(User, cast["root"])
        for n in range(9):
            coaching.assign(admin, cast["coach"], make_user(username=f"client{n}"))
    with count_queries() as ten:
        assert len(client.get(admin_url, headers=root).json) == 10
        assert len(client.get(clients_url, headers=coach).json) == 10

    assert one.count == ten.count
