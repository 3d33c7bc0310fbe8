"""get_metric_for: a body-metric entry is its owner's alone; for anyone else, trainers and admins included,
it does not exist (404) and stays."""

import pytest

from app.errors import NotFound
from app.models import BodyMetric
from app.services import metrics
from tests.conftest import bearer, login


@pytest.fixture
def entry_id(people) -> int:
    return metrics.record(people["alice"], {"weight_kg": 70.5}).id


def test_the_owner_gets_her_entry(people, entry_id):
    assert metrics.get_metric_for(people["alice"], entry_id).weight_kg == 70.5


def test_anyone_else_even_an_admin_finds_no_such_entry(people, entry_id):
    with pytest.raises(NotFound, match="No such metric entry."):
        metrics.get_metric_for(people["root"], entry_id)


def test_a_refused_delete_leaves_the_entry(db, people, entry_id):
    with pytest.raises(NotFound):
        metrics.delete_metric(people["root"], entry_id)

    assert db.session.get(BodyMetric, entry_id) is not None


def test_over_http_another_users_entry_is_not_found(client, people, entry_id):
    root = bearer(login(client, "root")["access_token"])

    response = client.delete(f"/api/v1/metrics/{entry_id}/", headers=root)

    assert response.status_code == 404 and response.json["message"] == "No such metric entry."
    alice = bearer(login(client, "alice")["access_token"])
    assert [row["id"] for row in client.get("/api/v1/metrics/", headers=alice).json] == [entry_id]
