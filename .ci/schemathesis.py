"""Fuzz the live API against its own OpenAPI document with schemathesis (`make schemathesis`, run by .ci/run).

Starts `flask serve` on a free port (embedded SQLite + in-process Redis in a temporary directory, unless
DATABASE_URL / REDIS_URL are set), creates an admin with the CLI so every operation is reachable, and runs
schemathesis over /api/v1/openapi.json with that admin's bearer token. Fails on any server error, any answer
that does not match the document (schema, status code, content type). Extra arguments go to schemathesis,
e.g. `make schemathesis SCHEMATHESIS_ARGS="--max-examples 5"`.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERNAME, PASSWORD = "fuzz_admin", "fuzz admin passphrase 1"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
# Operations that would end the fuzzing session itself (every later call would answer 401).
SELF_ENDING = (
    "auth_postLogout",
    "auth_postLogoutAll",
    "auth_deleteSessionById",  # schemathesis learns the session's own id from GET /sessions/
    "auth_putChangePassword",
    "users_deleteProfile",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True, **kwargs)


def main(extra: list[str]) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="stride-schemathesis-"))
    port = free_port()
    env = {
        **os.environ,
        "STRIDE_ENV": "development",
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "JWT_ACCESS_TOKEN_EXPIRES": "3600",
    }
    # Telegram "configured" (a bot token) so linking answers; nothing here calls the real Telegram API.
    env.update(TELEGRAM_BOT_TOKEN="fuzz-bot-token", TELEGRAM_API_URL="http://127.0.0.1:9")
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir}/stride.sqlite")
    env.setdefault("REPORTS_DIR", str(workdir / "reports"))
    env.setdefault("EXPORTS_DIR", str(workdir / "exports"))
    env.setdefault("MEDIA_STORAGE_URL", str(workdir / "media"))
    flask(env, "db", "upgrade", capture_output=True)
    flask(env, "seed", "exercises", capture_output=True)
    flask(env, "users", "create", USERNAME, "--email", "fuzz@example.com", "--role", "admin", "--password", PASSWORD)
    log = open(workdir / "server.log", "w")
    server = subprocess.Popen(
        [str(BIN / "flask"), "--app", "wsgi", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        token = login(base)
        command = [
            str(BIN / "schemathesis"),
            "run",
            f"{base}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "20",
            "--seed",
            "20261201",
            "--generation-database",
            "none",
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            *[arg for op_id in SELF_ENDING for arg in ("--exclude-operation-id", op_id)],
            *extra,
        ]
        print("$", " ".join(command).replace(token, "$TOKEN"), flush=True)
        code = subprocess.run(command, cwd=workdir).returncode
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
    if code:
        print(f"schemathesis failed; the server's log is {workdir / 'server.log'}", file=sys.stderr)
    return code


def login(base: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{base}/health", timeout=2)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    response = requests.post(f"{base}/api/v1/login/", json={"username": USERNAME, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
