"""A client's details (gender, phone number, date of birth) for those who train them: the trainer's client list and
one client's card show them; the client's list of trainers shows nothing of the trainer's; admins see a client's."""

import pytest

from app.errors import NotFound
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services import coaching

CLIENTS_URL = "/api/v1/trainers/me/clients/"
TRAINERS_URL = "/api/v1/clients/me/trainers/"
ADMIN_URL = "/api/v1/admin/trainer-clients/"
DETAILS = {"gender": "female", "phone_number": "+442079460958", "date_of_birth": "1990-04-01"}
DETAIL_FIELDS = ("gender", "phone_number", "date_of_birth")


@pytest.fixture
def detailed(client, cast, headers_of):
    """The cast with alice (coach's client) and coach both having filled in their details."""
    for name in ("alice", "coach"):
        response = client.patch("/api/v1/profile/", json=DETAILS, headers=headers_of(name))
        assert response.status_code == 200, response.json
    return cast


def test_the_trainer_sees_each_clients_details_in_their_list(client, detailed, headers_of):
    clients = client.get(CLIENTS_URL, headers=headers_of("coach")).json

    assert [c["client"]["username"] for c in clients] == ["alice"]
    assert {field: clients[0]["client"][field] for field in DETAIL_FIELDS} == DETAILS
    assert not any(field in clients[0]["trainer"] for field in DETAIL_FIELDS)


def test_the_trainer_reads_one_clients_card_with_details(client, detailed, headers_of):
    response = client.get(f"{CLIENTS_URL}{detailed['alice']}/", headers=headers_of("coach"))

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["client_id"], body["trainer_id"], body["is_active"]) == (detailed["alice"], detailed["coach"], True)
    assert body["client"]["username"] == "alice"
    assert {field: body["client"][field] for field in DETAIL_FIELDS} == DETAILS


@pytest.mark.parametrize(("reader", "status"), [("stranger", 404), ("root", 404), ("mallory", 403), ("alice", 403)])
def test_nobody_but_the_clients_trainer_reads_their_card(client, detailed, headers_of, reader, status):
    response = client.get(f"{CLIENTS_URL}{detailed['alice']}/", headers=headers_of(reader))

    assert response.status_code == status
    assert "phone_number" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["mallory", "stranger", "coach", "missing"])
def test_someone_who_is_not_their_client_is_a_404_to_the_trainer(client, detailed, headers_of, who):
    client_id = detailed.get(who, 999_999)

    response = client.get(f"{CLIENTS_URL}{client_id}/", headers=headers_of("coach"))

    assert response.status_code == 404
    assert response.json["message"] == "No such client of yours."


def test_a_former_deactivated_or_demoted_pairing_shows_no_card(app, client, detailed, headers_of):
    url = f"{CLIENTS_URL}{detailed['alice']}/"
    coach = headers_of("coach")
    assert client.delete(f"{TRAINERS_URL}{detailed['coach']}/", headers=headers_of("alice")).status_code == 204
    assert client.get(url, headers=coach).status_code == 404  # alice left

    with app.app_context():
        coaching.assign(db.session.get(User, detailed["root"]), detailed["coach"], detailed["alice"])
        assert client.get(url, headers=coach).status_code == 200
        db.session.get(User, detailed["alice"]).deactivated_at = utcnow()
        db.session.commit()
    assert client.get(url, headers=coach).status_code == 404


def test_the_service_refuses_a_demoted_trainer(db, people):
    people["coach"].role = "user"

    with pytest.raises(NotFound):
        coaching.get_client_for(people["coach"], people["alice"].id)


def test_the_client_does_not_see_their_trainers_details(client, detailed, headers_of):
    trainers = client.get(TRAINERS_URL, headers=headers_of("alice")).json

    assert [t["trainer"]["username"] for t in trainers] == ["coach"]
    assert set(trainers[0]["trainer"]) == {"id", "username", "first_name", "last_name"}
    assert set(trainers[0]["client"]) == {"id", "username", "first_name", "last_name"}


def test_admins_see_the_clients_details_in_assignments(client, detailed, headers_of):
    listed = client.get(f"{ADMIN_URL}?client_id={detailed['alice']}", headers=headers_of("root")).json
    created = client.post(
        ADMIN_URL, json={"trainer_id": detailed["stranger"], "client_id": detailed["alice"]}, headers=headers_of("root")
    )

    assert {field: listed[0]["client"][field] for field in DETAIL_FIELDS} == DETAILS
    assert created.status_code == 201 and created.json["client"]["phone_number"] == DETAILS["phone_number"]


def test_reading_a_clients_card_costs_one_query_after_the_login_check(client, detailed, headers_of, count_queries):
    coach = headers_of("coach")
    client.get(CLIENTS_URL, headers=coach)  # warm up

    with count_queries() as counter:
        response = client.get(f"{CLIENTS_URL}{detailed['alice']}/", headers=coach)

    assert response.status_code == 200
    assert counter.count == 2, counter.statements  # the caller's account, then the assignment with both people
