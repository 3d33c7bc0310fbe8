"""A stand-in for the Telegram Bot API on loopback: records every request, answers as configured."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class BotAPI:
    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> "BotAPI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages(self) -> list[dict]:
        return [r["json"] for r in self.requests if r["path"].endswith("/sendMessage")]

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                api.requests.append(
                    {"path": self.path, "json": json.loads(body or b"{}"), "content_type": self.headers["Content-Type"]}
                )
                if api.delay:
                    time.sleep(api.delay)
                ok = api.status == 200
                answer = (
                    {"ok": True, "result": {"message_id": len(api.requests)}}
                    if ok
                    else {"ok": False, "error_code": api.status, "description": "Internal Server Error"}
                )
                payload = json.dumps(answer).encode()
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler
