"""`flask worker` and `flask scheduler` outlive a Redis outage: a real Redis server is killed under them and
restarted on the same port, and the same processes carry on (the worker runs a job enqueued afterwards)."""

import os
import subprocess
import sys
import time

import pytest
import redis
from rq import cron_scheduler_registry
from rq.worker import Worker

from app.jobs.runtime import CRON_HEARTBEAT
from tests.servers import REDIS_SERVER, ROOT, ThrowawayRedis, free_port

pytestmark = pytest.mark.skipif(not REDIS_SERVER, reason="needs the redis-server binary (CI has it)")


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except redis.RedisError:
            pass
        time.sleep(0.2)
    return False


@pytest.fixture
def throwaway_redis():
    server = ThrowawayRedis(free_port())
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


def start(command: list[str], env: dict, log_path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - the child writes to it until the test ends
    return subprocess.Popen(
        [sys.executable, "-m", "flask", *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def ping(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "jobs", "ping", "--timeout", "45"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=70,
    )


def logs_of(folder, *processes: subprocess.Popen) -> str:
    """What the processes said, and whether they still run, for a failed assertion's message."""
    states = ", ".join(f"pid {p.pid}: {'running' if p.poll() is None else f'exited {p.returncode}'}" for p in processes)
    return states + "\n" + (folder / "worker.log").read_text() + (folder / "scheduler.log").read_text()


def test_worker_and_scheduler_reconnect_after_redis_restarts(throwaway_redis, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "REDIS_", "DATABASE_"))}
    env.update(
        {
            "FLASK_APP": "wsgi",
            "STRIDE_ENV": "development",
            "DATABASE_URL": f"sqlite:///{tmp_path}/stride.sqlite",
            "REDIS_URL": throwaway_redis.url,
            "LOG_LEVEL": "INFO",
        }
    )
    worker = start(["worker"], env, tmp_path / "worker.log")
    scheduler = start(["scheduler"], env, tmp_path / "scheduler.log")
    try:
        client = throwaway_redis.client()
        registered = wait_for(lambda: any(w.pid == worker.pid for w in Worker.all(connection=client)), 60)
        assert registered, logs_of(tmp_path, worker, scheduler)
        assert wait_for(lambda: cron_scheduler_registry.get_keys(client), 60), logs_of(tmp_path, worker, scheduler)

        throwaway_redis.kill()
        time.sleep(CRON_HEARTBEAT + 1)  # both notice: the worker's dequeue and the scheduler's heartbeat fail
        throwaway_redis.start()

        result = ping(env)
        logs = (tmp_path / "worker.log").read_text() + (tmp_path / "scheduler.log").read_text()
        assert result.returncode == 0, result.stderr + logs
        assert worker.poll() is None and scheduler.poll() is None, logs
        client = throwaway_redis.client()
        assert any(w.pid == worker.pid for w in Worker.all(connection=client)), "the same worker re-registered"
        assert wait_for(lambda: any(f":{scheduler.pid}:" in k for k in cron_scheduler_registry.get_keys(client)), 15)
        logs = (tmp_path / "worker.log").read_text() + (tmp_path / "scheduler.log").read_text()
        assert "scheduler: Redis unreachable" in logs and "rq scheduler: Redis unreachable" in logs, logs
        if "quitting" in logs:  # RQ's own loop gave up (Redis dropped mid-check): ours started it again
            assert "the work loop quit on an error; starting it again" in logs, logs
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
