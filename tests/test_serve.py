"""`make run`'s server: one process serving REST, the OpenAPI document and Socket.IO on one port."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from openapi_spec_validator import validate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The embedded default, as a newcomer gets it: no DATABASE_URL, no REDIS_URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "STRIDE_ENV")}
    env.update({"FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('serve')}/stride.sqlite"})
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/health", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield base, process
    process.terminate()
    process.wait(timeout=10)


def test_health_answers_200(server):
    base, _ = server
    assert requests.get(base + "/health", timeout=5).status_code == 200


def test_openapi_document_is_valid_openapi_3_with_bearer_security(server):
    base, _ = server
    document = requests.get(base + "/api/v1/openapi.json", timeout=5).json()

    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Error" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


def test_docs_ui_is_served(server):
    base, _ = server
    for path in ("/api/v1/docs", "/api/v1/redoc"):
        response = requests.get(base + path, timeout=5)
        assert response.status_code == 200
        assert "text/html" in response.headers["Content-Type"]


def test_socketio_answers_on_the_same_port(server):
    base, _ = server
    response = requests.get(base + "/socket.io/", params={"EIO": 4, "transport": "polling"}, timeout=5)

    assert response.status_code == 200
    assert '"sid"' in response.text


def test_embedded_mode_says_it_is_single_process_and_volatile(server):
    _, process = server
    os.set_blocking(process.stdout.fileno(), False)
    output = process.stdout.read() or ""

    assert "single-process and volatile" in output


def test_a_url_too_long_for_the_server_is_a_json_414(server):
    base, _ = server
    response = requests.get(base + "/health?q=" + "a" * 70000, timeout=5)

    assert response.status_code == 414
    assert response.json()["code"] == 414
