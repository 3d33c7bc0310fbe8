"""The servers' own refusals (a request line or headers too large) answer in the one JSON error shape."""

import os
import sys

import pytest
import requests
from werkzeug.serving import make_server

from app.servers import JsonErrorRequestHandler
from tests.servers import embedded_env, free_port, running


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """gunicorn as production runs it (its settings from gunicorn.conf.py), on the embedded stores."""
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [gunicorn, "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    with running(command, embedded_env(tmp_path_factory.mktemp("gunicorn")), port):
        yield f"http://127.0.0.1:{port}"


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
