"""Production topology: two web processes and one RQ worker on one Redis and one database.

A client connected to web process 1 must get what is emitted anywhere else: an announcement run by the worker
(`flask notifications send --all`), a notice caused by a request to web process 2, and the disconnect of its
socket when its session is logged out through web process 2. Socket.IO carries these over the Redis message
queue; runs only with TEST_REDIS_URL and TEST_DATABASE_URL (the real-services run).
"""

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification
from tests.conftest import REAL_REDIS_URL, needs_real_redis
from tests.notifications.conftest import FRONTEND, ROOT, LiveClient, LiveServer, Process

SLOW = 20.0  # the worker may still be starting when the job is queued

pytestmark = [needs_real_redis, pytest.mark.timeout(150)]


def production_like_env(database_url: str) -> dict[str, str]:
    drop = ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL", "FLASK_RUN_FROM_CLI")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        {
            "FLASK_APP": "wsgi",
            "STRIDE_ENV": "development",
            "DATABASE_URL": database_url,
            "REDIS_URL": REAL_REDIS_URL,
            "JOBS_RUN_INLINE": "0",
            "RATELIMIT_ENABLED": "0",
            "MAIL_BACKEND": "console",
            "CORS_ORIGINS": FRONTEND,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def test_events_from_the_worker_and_another_web_process_reach_a_client_on_web_process_1(app, database_url, tmp_path):
    env = production_like_env(database_url)
    processes: list[Process] = []
    client = LiveClient(transports=["websocket"])
    try:
        web1 = LiveServer(env, tmp_path / "web1.log")
        processes.append(web1)
        web2 = LiveServer(env, tmp_path / "web2.log")
        processes.append(web2)
        worker = Process(["worker", "--without-scheduler"], env, tmp_path / "worker.log")
        processes.append(worker)

        def logs() -> str:
            return "\n".join(f"--- {p.log_path.name}\n{p.output(2000)}" for p in processes)

        account = web2.register("multi")
        user_id, access = account["user"]["id"], account["access_token"]
        client.connect(web1.url, access)
        assert client.connected
        assert client.got_unread_count.wait(10), logs()
        assert client.unread_counts[0] == {"count": 0}

        # (a) the worker runs the announcement job and broadcasts; web process 1 delivers it
        message = f"Maintenance tonight {uuid.uuid4().hex[:8]}"
        sent = subprocess.run(
            [sys.executable, "-m", "flask", "notifications", "send", "--all", "--message", message],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stderr
        assert "queued announcement job" in sent.stdout

        announcement = client.wait_for_notification(lambda p: p.get("message") == message, timeout=SLOW)
        assert announcement is not None, f"the broadcast did not reach web process 1\n{logs()}"
        assert announcement["broadcast"] is True
        assert announcement["type"] == "system"
        assert worker.process.poll() is None, logs()
        with app.app_context():
            stored = db.session.scalar(
                select(func.count()).where(Notification.recipient_id == user_id, Notification.message == message)
            )
        assert stored == 1

        # (b) a request to web process 2 notifies the user; web process 1 delivers it
        agent = f"StrideMultiProcess/{uuid.uuid4().hex[:8]}"
        web2.login(account["user"]["username"], user_agent=agent)

        notice = client.wait_for_notification(lambda p: agent in p.get("message", ""), timeout=10)
        assert notice is not None, f"the new-device notice from web process 2 did not reach web process 1\n{logs()}"
        assert notice["recipient_id"] == user_id
        assert notice["type"] == "system"
        assert notice["id"] in [item["id"] for item in web1.get("/api/v1/notifications/", access).json()["items"]]

        # (c) logging the session out through web process 2 drops its socket on web process 1
        assert web2.post("/api/v1/logout/", access).status_code == 204
        assert client.disconnected.wait(10), f"the logged-out session's socket on web process 1 stayed open\n{logs()}"
        assert not client.connected
    finally:
        client.close()
        for process in reversed(processes):
            process.stop()
