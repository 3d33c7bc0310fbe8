"""Request ids in log lines: application lines, the development server's access line and gunicorn's, as plain
text in development and JSON in production (item 18 of issue 11)."""

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from app.logs import log_format
from config import ConfigError
from tests.servers import ROOT, free_port


def root_stream() -> io.StringIO:
    """Point Stride's root handler (installed by the newest app) at a buffer the test reads."""
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "_stride", False)]
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


def app_with_probe(app_factory, **overrides):
    app = app_factory(**overrides)

    def probe():
        logging.getLogger("app.probe").warning("inside the request")
        return {"ok": True}

    app.add_url_rule("/probe-log", "probe_log", probe)
    return app


def test_application_lines_inside_a_request_carry_its_request_id(app_factory):
    app = app_with_probe(app_factory)
    stream = root_stream()

    response = app.test_client().get("/probe-log", headers={"X-Request-ID": "req-abc.1"})
    response.close()  # as a server does once it has sent the body (and logged the request)
    logging.getLogger("app.probe").warning("after the request")

    assert response.headers["X-Request-ID"] == "req-abc.1"
    lines = stream.getvalue().splitlines()
    assert any("[req-abc.1] app.probe: inside the request" in line for line in lines), lines
    assert any("[-] app.probe: after the request" in line for line in lines), lines


def test_a_generated_request_id_is_the_one_logged(app_factory):
    app = app_with_probe(app_factory)
    stream = root_stream()

    response = app.test_client().get("/probe-log")

    assert f"[{response.headers['X-Request-ID']}] app.probe: inside the request" in stream.getvalue()


def test_production_logs_are_one_json_object_a_line_with_the_request_id(app_factory):
    app = app_with_probe(app_factory, LOG_FORMAT="json")
    stream = root_stream()

    app.test_client().get("/probe-log", headers={"X-Request-ID": "req-json"}).close()
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("app.probe").exception("outside, with a traceback")

    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    inside = next(r for r in records if r["message"] == "inside the request")
    assert inside["request_id"] == "req-json"
    assert inside["level"] == "WARNING" and inside["logger"] == "app.probe" and inside["timestamp"]
    outside = next(r for r in records if r["message"] == "outside, with a traceback")
    assert outside["request_id"] == "-" and "ValueError: boom" in outside["exc_info"]


def test_json_is_the_default_in_production_and_text_elsewhere():
    assert log_format("production", None) == "json"
    assert log_format("development", None) == "text"
    assert log_format("production", "TEXT") == "text"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        log_format("development", "xml")


# --- real servers ------------------------------------------------------------------------------------------


def start(args: list[str], tmp_path, **extra_env) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "STRIDE_ENV", "LOG_FORMAT")}
    env.update({"FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{tmp_path}/stride.sqlite", **extra_env})
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    output = tmp_path / "server.log"
    with open(output, "w") as sink:
        process = subprocess.Popen(
            [arg.replace("PORT", str(port)) for arg in args], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/health", timeout=5)
            return process, base
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"the server did not start: {output.read_text()}")


def stop_and_read(process: subprocess.Popen, tmp_path) -> list[str]:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    return (tmp_path / "server.log").read_text().splitlines()


def test_flask_serve_access_line_carries_the_request_id(tmp_path):
    process, base = start([sys.executable, "-m", "flask", "serve", "--port", "PORT"], tmp_path)
    try:
        requests.get(base + "/api/v1/openapi.json", headers={"X-Request-ID": "dev-access-1"}, timeout=10)
        time.sleep(0.3)
    finally:
        lines = stop_and_read(process, tmp_path)

    access = [line for line in lines if "werkzeug" in line and "GET /api/v1/openapi.json" in line]
    assert access and "[dev-access-1] werkzeug:" in access[0], lines[-20:]


def test_gunicorn_access_line_is_json_with_the_request_id_in_production_format(tmp_path):
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    process, base = start(
        [gunicorn, "-w", "1", "--threads", "4", "-b", "127.0.0.1:PORT", "wsgi:app"], tmp_path, LOG_FORMAT="json"
    )
    try:
        response = requests.get(base + "/health?x=1", headers={"X-Request-ID": "gunicorn-access-1"}, timeout=10)
        time.sleep(0.3)
    finally:
        lines = stop_and_read(process, tmp_path)

    assert response.status_code == 200
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == len([line for line in lines if line.strip()]), "a line that is not JSON"
    [access] = [r for r in records if r["logger"] == "gunicorn.access" and r["query"] == "x=1"]
    assert access["request_id"] == "gunicorn-access-1" and access["path"] == "/health"
    assert access["method"] == "GET" and access["status"] == 200 and access["query"] == "x=1"
