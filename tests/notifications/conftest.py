"""Live servers and Socket.IO clients for the notification tests that go over real HTTP.

`LiveServer` starts `python -m flask serve` (or `flask worker`) as a subprocess; `LiveClient` is a
python-socketio client on `/notifications` that records what it receives, with events to wait on.
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "/notifications"
WAIT = 10.0  # seconds any single expected event may take
PASSWORD = "correct-horse-battery"
JWT_SECRET = "stride-live-tests-jwt-secret-0123456789abcdef"  # known, so a test can sign an expired token
FRONTEND = "http://localhost:3000"  # the one CORS origin the test servers accept, as a browser SPA would send it


def embedded_env(database_path: Path) -> dict[str, str]:
    """The newcomer's setup (no REDIS_URL, a SQLite file), with rate limits off so tests may register freely."""
    drop = ("DATABASE_URL", "REDIS_URL", "STRIDE_ENV", "TEST_DATABASE_URL", "TEST_REDIS_URL", "FLASK_RUN_FROM_CLI")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        {
            "FLASK_APP": "wsgi",
            "DATABASE_URL": f"sqlite:///{database_path}",
            "RATELIMIT_ENABLED": "0",
            "MAIL_BACKEND": "console",
            "CORS_ORIGINS": FRONTEND,
            "JWT_SECRET_KEY": JWT_SECRET,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Process:
    """A `python -m flask …` subprocess whose output goes to a log file (a pipe could fill and block it)."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def output(self, last: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-last:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


class LiveServer(Process):
    """`flask serve --port P`, ready once /health answers."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(["serve", "--port", str(self.port)], env, log_path)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"flask serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass  # not listening yet
            time.sleep(0.1)
        raise RuntimeError(f"flask serve did not answer /health within {timeout}s:\n{self.output()}")

    # --- the REST calls the tests need --------------------------------------------------------------------

    def register(self, prefix: str = "u") -> dict:
        """A new account (over HTTP, password PASSWORD); returns the response: tokens and `user`."""
        name = f"{prefix}{uuid.uuid4().hex[:10]}"
        response = requests.post(
            self.url + "/api/v1/register/",
            json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
            headers={"User-Agent": "stride-tests/register"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()

    def login(self, username: str, password: str = PASSWORD, user_agent: str = "stride-tests/login") -> dict:
        response = requests.post(
            self.url + "/api/v1/login/",
            json={"username": username, "password": password},
            headers={"User-Agent": user_agent},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def change_password(self, access: str, current: str = PASSWORD, new: str | None = None) -> dict:
        response = requests.put(
            self.url + "/api/v1/change-password/",
            json={"current_password": current, "new_password": new or f"new-{uuid.uuid4().hex}"},
            headers=bearer(access),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path: str, access: str) -> requests.Response:
        return requests.get(self.url + path, headers=bearer(access), timeout=10)

    def post(self, path: str, access: str, **kwargs) -> requests.Response:
        return requests.post(self.url + path, headers=bearer(access), timeout=10, **kwargs)

    def delete(self, path: str, access: str) -> requests.Response:
        return requests.delete(self.url + path, headers=bearer(access), timeout=10)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class LiveClient:
    """A python-socketio client on /notifications that records every event it receives.

    Closing a WebSocket client that the server did not disconnect can take websocket-client's 3 s close
    timeout, so tests use polling unless they are about the WebSocket transport.
    """

    def __init__(self, transports: list[str] | None = None, on_notification=None):
        self.transports = transports
        self.on_notification = on_notification  # called in the client's thread as each notification arrives
        # A browser SPA's origin (the server also accepts its own, which websocket-client sends by default).
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": FRONTEND})
        self.notifications: list[dict] = []
        self.unread_counts: list[dict] = []
        self.connect_errors: list = []
        self.got_notification = threading.Event()
        self.got_unread_count = threading.Event()
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        self.sio.on("notification", self._on_notification, namespace=NAMESPACE)
        self.sio.on("unread_count", self._on_unread_count, namespace=NAMESPACE)
        self.sio.on("connect_error", self.connect_errors.append, namespace=NAMESPACE)
        self.sio.on("disconnect", lambda *_reason: self.disconnected.set(), namespace=NAMESPACE)

    def _on_notification(self, payload):
        if self.on_notification is not None:
            self.on_notification(payload)
        with self._lock:
            self.notifications.append(payload)
        self.got_notification.set()

    def _on_unread_count(self, payload):
        with self._lock:
            self.unread_counts.append(payload)
        self.got_unread_count.set()

    def connect(self, url: str, token) -> "LiveClient":
        self.sio.connect(
            url, auth={"token": token}, namespaces=[NAMESPACE], transports=self.transports, wait_timeout=WAIT
        )
        return self

    @property
    def connected(self) -> bool:
        return self.sio.connected and NAMESPACE in self.sio.namespaces

    def wait_for_notification(self, predicate=lambda payload: True, timeout: float = WAIT) -> dict | None:
        """The first notification received so far or within `timeout` that satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self.got_notification.clear()
                for payload in self.notifications:
                    if predicate(payload):
                        return payload
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.got_notification.wait(left)

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # best effort: it may already be disconnected
            pass
        self.sio.shutdown()


@pytest.fixture
def live_client():
    """`live_client(transports=...)` builds clients; every one is disconnected after the test."""
    clients: list[LiveClient] = []

    def make(transports: list[str] | None = None, on_notification=None) -> LiveClient:
        client = LiveClient(transports, on_notification)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def start_embedded_server(directory: Path) -> LiveServer:
    """Migrate a fresh SQLite file with `flask db upgrade`, then start `flask serve` on it (embedded mode)."""
    env = embedded_env(directory / "stride.sqlite")
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return LiveServer(env, directory / "serve.log")


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    """One embedded `flask serve` subprocess per test module (no REDIS_URL: jobs and Socket.IO in-process)."""
    server = start_embedded_server(tmp_path_factory.mktemp("live-serve"))
    yield server
    server.stop()
