"""`make run`'s server: one process serving REST, the OpenAPI document and Socket.IO on one port."""

import os
import subprocess

import pytest
import requests
from openapi_spec_validator import validate

from tests.servers import embedded_env, flask_serve, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The embedded default, as a newcomer gets it: no DATABASE_URL, no REDIS_URL."""
    port = free_port()
    env = embedded_env(tmp_path_factory.mktemp("serve"))
    with flask_serve(env, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        yield f"http://127.0.0.1:{port}", process


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
