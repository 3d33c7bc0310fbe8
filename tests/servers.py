"""Real server processes for the tests that go over real HTTP: free ports, embedded settings, start and wait."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
import requests

ROOT = str(Path(__file__).resolve().parent.parent)
REDIS_SERVER = shutil.which("redis-server")
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
