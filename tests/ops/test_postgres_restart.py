"""A real PostgreSQL restarted under traffic: requests during the restart answer 503 (never 500), the pool
replaces its dead connections without a 503 for every one of them, every acknowledged write is there afterwards,
and the API answers normally again within seconds. The server is the test's own (initdb in a temporary folder,
on a free port), never the shared one."""

import threading
import time

import flask_migrate
import pytest

from app.extensions import db
from app.models import BodyMetric
from tests.conftest import bearer
from tests.servers import PG_BIN, private_postgres

pytestmark = pytest.mark.skipif(PG_BIN is None, reason="needs PostgreSQL's server binaries (.ci/run installs them)")


@pytest.fixture
def postgres():
    with private_postgres() as server:
        yield server


def test_a_postgres_restart_under_traffic_is_503s_then_normal_answers_with_no_write_lost(app_factory, postgres):
    app = app_factory(DATABASE_URL=postgres.url, PROPAGATE_EXCEPTIONS=False, DATABASE_PING_AFTER_IDLE=1)
    with app.app_context():
        flask_migrate.upgrade()
    client = app.test_client()
    body = {"username": "runner", "email": "runner@example.com", "password": "a long enough passphrase"}
    headers = bearer(client.post("/api/v1/register/", json=body).json["access_token"])

    statuses, after, acknowledged = [], [], []  # `after`: the answers to requests sent once it was back
    restarted = threading.Event()

    def restart_soon():
        time.sleep(1.0)
        postgres.restart()
        restarted.set()

    restarter = threading.Thread(target=restart_soon)
    restarter.start()
    n = 0
    deadline = None
    while deadline is None or time.monotonic() < deadline:
        n += 1
        back = restarted.is_set()
        wrote = client.post("/api/v1/metrics/", json={"weight_kg": 70 + n % 10}, headers=headers)
        read = client.get("/api/v1/profile/", headers=headers)
        statuses += [wrote.status_code, read.status_code]
        if back:
            after += [wrote.status_code, read.status_code]
        if wrote.status_code == 201:
            acknowledged.append(wrote.json["id"])
        for answer in (wrote, read):
            if answer.status_code >= 400:
                assert answer.json["code"] == answer.status_code, answer.get_data(as_text=True)
        if restarted.is_set() and deadline is None:
            deadline = time.monotonic() + 3  # three more seconds of traffic once it is back
    restarter.join()

    assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))  # refused while it restarts, never a 500
    assert 503 in statuses  # the restart did happen under traffic
    # Once it is back, the pool's dead connections cost a 503 or two, not one per connection for a while:
    assert after.count(503) <= 2, after
    assert set(after[-20:]) <= {200, 201}, after
    with app.app_context():
        stored = set(db.session.scalars(db.select(BodyMetric.id)))
    assert set(acknowledged) <= stored  # every write that answered 201 is there
    assert len(acknowledged) > 20
