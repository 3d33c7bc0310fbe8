"""The official JavaScript client (socket.io-client 4, as a browser or React Native app uses it) against a real
`flask serve`: tests/js/smoke.mjs connects with `auth: {token}` over WebSocket and prints the first notification.

`make test` installs tests/js/node_modules with `npm ci` when npm is available; without node or the modules
this test is skipped.
"""

import json
import os
import queue
import shutil
import subprocess
import threading
import time

import pytest

from tests.notifications.conftest import ROOT

JS_DIR = ROOT / "tests" / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(NODE is None, reason="node is not on PATH (install Node.js to run the JavaScript client test)"),
    pytest.mark.skipif(
        not (JS_DIR / "node_modules" / "socket.io-client").is_dir(),
        reason="tests/js/node_modules is missing: run `npm ci --prefix tests/js` (make test does it when npm exists)",
    ),
]


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)  # end of output


def _next_line(lines: queue.Queue, timeout: float) -> str | None:
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def test_the_javascript_client_receives_a_notification_over_websocket(embedded_server):
    account = embedded_server.register("js")
    env = {**os.environ, "STRIDE_URL": embedded_server.url, "STRIDE_TOKEN": account["access_token"]}
    node = subprocess.Popen(
        [NODE, str(JS_DIR / "smoke.mjs")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(node.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        first = _next_line(lines, timeout=20)
        output.append(str(first))
        assert first == "connected", f"node did not connect: {output}"

        embedded_server.change_password(account["access_token"])

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = _next_line(lines, timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                break
            output.append(line)
        assert node.wait(timeout=20) == 0, f"node failed: {output}"
    finally:
        if node.poll() is None:
            node.kill()
            node.wait(timeout=10)
        node.stdout.close()

    assert output[-1].startswith("notification "), output
    payload = json.loads(output[-1].removeprefix("notification "))
    assert payload["type"] == "system"
    assert payload["recipient_id"] == account["user"]["id"]
    assert payload["message"] == "Your password was changed and your other sessions were ended."
