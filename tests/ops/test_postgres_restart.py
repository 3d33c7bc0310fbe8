"""A real PostgreSQL restarted under traffic: requests during the restart answer 503 (never 500), the pool
replaces its dead connections without a 503 for every one of them, every acknowledged write is there afterwards,
and the API answers normally again within seconds. The server is the test's own (initdb in a temporary folder,
on a free port), never the shared one."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import flask_migrate
import psycopg
import pytest

from app.extensions import db
from app.models import BodyMetric
from tests.conftest import bearer
from tests.servers import free_port

BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
pytestmark = pytest.mark.skipif(BIN is None, reason="needs PostgreSQL's server binaries (.ci/run installs them)")


class PrivatePostgres:
    """initdb + pg_ctl in a folder of the test's, run as the `postgres` user when the test runs as root."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/stride"

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.folder.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            os.chmod(self.folder.parent, 0o755)
        self._run(f"{BIN}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE stride")

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        log = str(self.folder / "server.log")  # not our pipe: the server would hold it open
        self._run(f"{BIN}/pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-m", "fast", action)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")


@pytest.fixture
def postgres():
    # Not under pytest's tmp_path: the `postgres` user may not enter root's private folder.
    folder = Path(tempfile.mkdtemp(prefix="stride-pg-"))
    server = PrivatePostgres(folder / "pg")
    try:
        server.create()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


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
