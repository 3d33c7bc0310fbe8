"""get_assignment_for: admins read and end trainer–client assignments; the trainer and the client end
their own through their own routes, never an assignment by id."""

import pytest

from app.errors import Forbidden, NotFound
from app.models import TrainerClient, User
from app.services import coaching
from tests.conftest import bearer, login


@pytest.fixture
def people(db, make_user) -> dict[str, User]:
    ids = {
        "alice": make_user(username="alice"),
        "coach": make_user(username="coach", role="trainer"),
        "root": make_user(username="root", role="admin"),
    }
    return {name: db.session.get(User, user_id) for name, user_id in ids.items()}


@pytest.fixture
def assignment_id(people) -> int:
    return coaching.assign(people["root"], people["coach"].id, people["alice"].id).id


def test_an_admin_gets_an_assignment_with_its_people(people, assignment_id):
    assignment = coaching.get_assignment_for(people["root"], assignment_id)

    assert (assignment.trainer.username, assignment.client.username) == ("coach", "alice")


@pytest.mark.parametrize("name", ["alice", "coach"])
def test_its_trainer_and_client_may_not_end_it_by_id(db, people, assignment_id, name):
    with pytest.raises(Forbidden, match="Only admins"):
        coaching.end_assignment(people[name], assignment_id)

    assert db.session.get(TrainerClient, assignment_id).is_active


def test_a_missing_assignment_is_not_found(people):
    with pytest.raises(NotFound, match="No such assignment."):
        coaching.get_assignment_for(people["root"], 10**9)


def test_over_http_an_admin_ending_a_missing_assignment_gets_404(client, people):
    root = bearer(login(client, "root")["access_token"])

    response = client.delete("/api/v1/admin/trainer-clients/999999/", headers=root)

    assert response.status_code == 404 and response.json["message"] == "No such assignment."
