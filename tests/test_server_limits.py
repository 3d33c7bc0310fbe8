"""The servers' own refusals (a request line or headers too large) answer in the one JSON error shape."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from werkzeug.serving import make_server

from app.servers import JsonErrorRequestHandler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/health", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """gunicorn as production runs it (its settings from gunicorn.conf.py), on the embedded stores."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "STRIDE_ENV")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('gunicorn')}/stride.sqlite"
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def werkzeug_server(app_factory_module):
    server = make_server("127.0.0.1", 0, app_factory_module, threaded=True, request_handler=JsonErrorRequestHandler)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()


@pytest.fixture(scope="module")
def app_factory_module(tmp_path_factory):
    from app import create_app

    return create_app("testing", DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('wz')}/stride.sqlite")


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == status
    assert set(body) == {"code", "status", "message"}


def test_gunicorn_answers_a_too_long_url_with_json_414(gunicorn_server):
    assert_json_error(requests.get(gunicorn_server + "/api/v1/users/?q=" + "a" * 5000, timeout=5), 414)


def test_gunicorn_answers_a_huge_header_with_json_431(gunicorn_server):
    assert_json_error(requests.get(gunicorn_server + "/health", headers={"X-Big": "b" * 9000}, timeout=5), 431)


def test_gunicorn_answers_too_many_headers_with_json_431(gunicorn_server):
    headers = {f"X-H{i}": "v" for i in range(120)}
    assert_json_error(requests.get(gunicorn_server + "/health", headers=headers, timeout=5), 431)


def test_gunicorn_still_serves_ordinary_requests(gunicorn_server):
    assert requests.get(gunicorn_server + "/health", timeout=5).status_code == 200


def test_development_server_answers_a_huge_url_with_json_414(werkzeug_server):
    assert_json_error(requests.get(werkzeug_server + "/health?q=" + "a" * 70000, timeout=5), 414)


def test_development_server_answers_too_many_headers_with_json_431(werkzeug_server):
    headers = {f"X-H{i}": "v" for i in range(120)}
    assert_json_error(requests.get(werkzeug_server + "/health", headers=headers, timeout=5), 431)
