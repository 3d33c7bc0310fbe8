"""The production layout of deploy/nginx-stride.conf, for real: nginx on one port in front of REST gunicorn processes
and two Socket.IO gunicorn processes, on one Redis message queue and one database.

A client connects through nginx by long-polling (which works only if nginx keeps its requests on one Socket.IO
process: two are running) and by WebSocket (the upgrade passes through); a friend request sent through nginx to a
REST process reaches the client live through the Redis message queue; and each kind of process served only its own
paths. Runs with TEST_REDIS_URL and TEST_DATABASE_URL (the real-services run) where nginx is installed (.ci/run
installs Debian's nginx-light).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import needs_real_redis
from tests.notifications.conftest import LiveClient, LiveServer
from tests.notifications.test_multiprocess import production_like_env
from tests.servers import ROOT, free_port, wait_until_up

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SITE = Path(ROOT) / "deploy" / "nginx-stride.conf"

pytestmark = [
    needs_real_redis,
    pytest.mark.skipif(NGINX is None, reason="needs nginx (Debian: apt-get install nginx-light; .ci/run installs it)"),
    pytest.mark.timeout(180),
]


def nginx_config(folder: Path, port: int, rest: int, sockets: list[int]) -> Path:
    """deploy/nginx-stride.conf as shipped, on this test's ports, inside a main config that keeps nginx's files in
    `folder` (so it runs beside any system nginx)."""
    site = SITE.read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{rest};")
    site = site.replace("server 127.0.0.1:8002;", "".join(f"server 127.0.0.1:{p}; " for p in sockets))
    temp = folder / "temp"
    temp.mkdir(mode=0o777)
    temp.chmod(0o777)  # nginx's workers may run as another user
    paths = " ".join(
        f"{kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log warn; worker_processes 1;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{ access_log {folder}/access.log; {paths}\n{site}\n}}\n"
    )
    return config


def gunicorn(workers: int, threads: int, port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "wsgi:app"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def test_nginx_sends_rest_and_socketio_to_their_own_processes_and_events_cross_them(app, database_url, tmp_path):
    env = production_like_env(database_url) | {"TRUST_PROXY_HOPS": "1"}
    rest, sockets, port = free_port(), [free_port(), free_port()], free_port()
    logs = {"rest": tmp_path / "rest.log", "socket1": tmp_path / "socket1.log", "socket2": tmp_path / "socket2.log"}
    processes = [gunicorn(2, 4, rest, env, logs["rest"])]
    processes += [gunicorn(1, 20, p, env, logs[f"socket{n}"]) for n, p in enumerate(sockets, 1)]
    clients = [LiveClient(transports=["polling"]), LiveClient(transports=["websocket"])]
    try:
        for p in (rest, *sockets):
            wait_until_up(f"http://127.0.0.1:{p}")
        config = nginx_config(tmp_path, port, rest, sockets)
        processes.append(subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp_path)], stderr=subprocess.STDOUT))
        wait_until_up(f"http://127.0.0.1:{port}")
        front = LiveServer.__new__(LiveServer)  # its REST helpers, pointed at nginx
        front.url = f"http://127.0.0.1:{port}"

        alice, bob = front.register("alice"), front.register("bob")
        for client in clients:
            client.connect(front.url, alice["access_token"])
            assert client.connected and client.got_unread_count.wait(10)

        sent = requests.post(
            front.url + "/api/v1/friend-requests/",
            json={"user_id": alice["user"]["id"]},
            headers={"Authorization": f"Bearer {bob['access_token']}"},
            timeout=10,
        )
        assert sent.status_code == 201, sent.text
        for client in clients:
            notice = client.wait_for_notification(lambda payload: payload["type"] == "friend_request", timeout=15)
            assert notice is not None and notice["actor_id"] == bob["user"]["id"]
    finally:
        for client in clients:
            client.close()
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    served = {name: path.read_text() for name, path in logs.items()}
    assert "/api/v1/register/" in served["rest"] and "/socket.io/" not in served["rest"]
    socket_logs = served["socket1"] + served["socket2"]
    assert "/socket.io/" in socket_logs and "/api/v1/" not in socket_logs
