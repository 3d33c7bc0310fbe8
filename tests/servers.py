"""Real server processes for the tests that go over real HTTP: free ports, embedded settings, start and wait."""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
import requests

ROOT = str(Path(__file__).resolve().parent.parent)
REDIS_SERVER = shutil.which("redis-server")
PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
_NOT_EMBEDDED = ("DATABASE_URL", "REDIS_URL", "STRIDE_ENV", "TEST_DATABASE_URL", "TEST_REDIS_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(folder: Path, **extra: str) -> dict[str, str]:
    """The newcomer's setup: no Redis, a SQLite file in `folder`."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_EMBEDDED}
    env.update({"FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{folder}/stride.sqlite", **extra})
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)


def wait_until_up(base: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/health", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start within {timeout} s")


@contextmanager
def running(command: list[str], env: dict[str, str], port: int, **popen) -> Iterator[subprocess.Popen]:
    """Start a server process, wait until it answers /health on `port`, and stop it afterwards."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    process = subprocess.Popen(command, cwd=ROOT, env=env, **popen)
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def flask_serve(env: dict[str, str], port: int, **popen):
    """`make run`'s server (`flask serve`) on `port`, migrated first."""
    migrate(env)
    return running([sys.executable, "-m", "flask", "serve", "--port", str(port)], env, port, **popen)


class ThrowawayRedis:
    """A redis-server of one test only, on a loopback port; without persistence unless `args` turn it on."""

    def __init__(self, port: int, *args: str):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.args = args or ("--save", "", "--appendonly", "no")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)


@contextmanager
def throwaway_redis(*args: str, folder: Path | None = None) -> Iterator[ThrowawayRedis]:
    """A `ThrowawayRedis` started with `args` (its files, if any, in `folder`), killed afterwards."""
    server = ThrowawayRedis(free_port(), *args, *(("--dir", str(folder)) if folder else ()))
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.kill()


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
        self._run(f"{PG_BIN}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE stride")

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        log = str(self.folder / "server.log")  # not our pipe: the server would hold it open
        self._run(f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-m", "fast", action)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A `PrivatePostgres` with a `stride` database, stopped and removed afterwards. Not under pytest's tmp_path:
    the `postgres` user may not enter root's private folders."""
    folder = Path(tempfile.mkdtemp(prefix="stride-pg-"))
    server = PrivatePostgres(folder / "pg")
    try:
        server.create()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
