"""API7:2023 Server Side Request Forgery.

Stride fetches nothing a client names: uploads are multipart bytes, profile images the caller's own uploads, an
event's `online_url` is stored but never fetched, posts get no link previews, ffmpeg reads only local files, Telegram
is only TELEGRAM_API_URL; there are no outgoing webhooks yet. Also tested in tests/media/, tests/events/ and
tests/telegram/; redirects from Telegram are in test_api10_unsafe_consumption_of_apis.py."""

import shutil
import socket
import threading
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from app.lib import media_render
from app.models.base import utcnow
from tests.conftest import bearer, login
from tests.media.conftest import needs_ffmpeg

API = "/api/v1"
URL_WORDS = ("url", "uri", "link", "href", "webhook", "callback", "host", "endpoint", "avatar", "image", "src")
# Every request-body field that takes a URL or is named like one: (method, path, field) — the reviewed list.
URL_FIELDS = {
    ("POST", "/api/v1/events/", "online_url"),
    ("PATCH", "/api/v1/events/{event_id}/", "online_url"),
}
METHODS = ("get", "put", "post", "patch", "delete")


class Listener:
    """A loopback TCP server that records every connection: the place a forged request would land."""

    def __init__(self):
        self.hits: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{}")
                except OSError:
                    self.hits.append(b"")

    def stop(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.stop()


@pytest.fixture
def document(client):
    return client.get(f"{API}/openapi.json").json


def _later(**delta) -> str:
    return (utcnow().replace(microsecond=0) + timedelta(**delta)).isoformat()


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), "blue").save(out, "JPEG")
    return out.getvalue()


def _body_fields(document: dict, schema: dict, seen: tuple = ()) -> list[tuple[str, dict]]:
    """Every property of a request-body schema, nested ones too, as (name, schema)."""
    if "$ref" in schema:
        name = schema["$ref"].rpartition("/")[2]
        return [] if name in seen else _body_fields(document, document["components"]["schemas"][name], (*seen, name))
    found = []
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            found += _body_fields(document, part, seen)
    if isinstance(schema.get("items"), dict):
        found += _body_fields(document, schema["items"], seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _body_fields(document, schema["additionalProperties"], seen)
    for name, sub in schema.get("properties", {}).items():
        found.append((name, sub))
        found += _body_fields(document, sub, seen)
    return found


def test_the_only_request_fields_that_take_a_url_are_the_reviewed_ones(document):
    """Finding: an event's `online_url` (format url, http(s) only) is the one URL a client sends; nothing fetches it
    (see below). A new URL-taking field fails here until it is reviewed for SSRF and added to URL_FIELDS."""
    found = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for name, schema in _body_fields(document, content["schema"]):
                    if schema.get("format") in ("uri", "url") or any(word in name.lower() for word in URL_WORDS):
                        found.add((method.upper(), path, name))
            for parameter in operation.get("parameters", []) + item.get("parameters", []):
                if any(word in parameter["name"].lower() for word in URL_WORDS):
                    found.add((method.upper(), path, parameter["name"]))

    assert found == URL_FIELDS


def test_an_events_online_link_is_stored_and_echoed_but_never_fetched(client, auth_headers, listener):
    link = f"{listener.url}/latest/meta-data/iam"
    body = {"title": "Online run", "starts_at": _later(days=1), "ends_at": _later(days=1, hours=1), "online_url": link}

    created = client.post(f"{API}/events/", json=body, headers=auth_headers)
    assert created.status_code == 201, created.json
    event_id = created.json["id"]
    changed = client.patch(f"{API}/events/{event_id}/", json={"online_url": link + "?v=2"}, headers=auth_headers)
    read = client.get(f"{API}/events/{event_id}/", headers=auth_headers)
    calendar = client.get(f"{API}/events/{event_id}/calendar.ics", headers=auth_headers)

    assert changed.status_code == 200 and read.json["online_url"] == link + "?v=2"
    assert calendar.status_code == 200 and listener.url in calendar.get_data(as_text=True)
    assert listener.hits == []


@pytest.mark.parametrize(
    "link",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "dict://127.0.0.1:11211/stats",
        "ftp://127.0.0.1/x",
        "javascript:alert(1)",
        "//127.0.0.1/no-scheme",
    ],
)
def test_an_events_online_link_must_be_http_or_https(client, auth_headers, link):
    body = {"title": "Run", "starts_at": _later(days=1), "ends_at": _later(days=1, hours=1), "online_url": link}

    response = client.post(f"{API}/events/", json=body, headers=auth_headers)

    assert response.status_code == 422
    assert "online_url" in response.json["errors"]["json"]


@pytest.mark.parametrize(
    "send",
    [
        {"json": {"url": "URL"}},
        {"json": {"file": "URL"}},
        {"data": {"file": "URL"}, "content_type": "multipart/form-data"},
        {"data": {"url": "URL"}, "content_type": "multipart/form-data"},
        {"data": "URL", "content_type": "text/uri-list"},
    ],
    ids=["json-url", "json-file", "form-file-as-text", "form-url", "uri-list"],
)
def test_an_upload_is_the_bytes_sent_never_a_url_to_fetch(client, auth_headers, listener, send):
    send = {
        key: (
            {k: v.replace("URL", listener.url) for k, v in value.items()}
            if isinstance(value, dict)
            else value.replace("URL", listener.url)
        )
        if key in ("json", "data")
        else value
        for key, value in send.items()
    }

    response = client.post(f"{API}/media/", headers=auth_headers, **send)

    assert response.status_code == 422, response.json
    assert response.json["code"] == 422
    assert listener.hits == []


def test_a_playlist_of_urls_disguised_as_a_video_is_refused_unread(client, auth_headers, listener):
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n{listener.url}/segment.ts\n#EXT-X-ENDLIST\n"
    upload = (BytesIO(playlist.encode()), "clip.mp4", "video/mp4")

    response = client.post(
        f"{API}/media/", data={"file": upload}, headers=auth_headers, content_type="multipart/form-data"
    )

    assert response.status_code == 415, response.json
    assert listener.hits == []


@needs_ffmpeg
def test_ffmpeg_reads_only_the_local_file_with_the_demuxer_the_type_demands(tmp_path, listener, monkeypatch):
    """Even a file that reached ffmpeg names no network: every run forces the demuxer and allows only `file`."""
    ffmpeg = shutil.which("ffmpeg")
    source = Path(tmp_path) / "upload.mp4"
    source.write_text(f"#EXTM3U\n#EXTINF:10.0,\n{listener.url}/segment.ts\n#EXT-X-ENDLIST\n")
    runs = []
    real_run = media_render.subprocess.run
    monkeypatch.setattr(media_render.subprocess, "run", lambda argv, **kw: runs.append(argv) or real_run(argv, **kw))

    with pytest.raises(media_render.CannotRender):
        media_render.render_video(media_render.Ffmpeg(ffmpeg, 30), source, "video/mp4", 40_000_000)

    assert runs and listener.hits == []
    for argv in runs:
        whitelist = argv.index("-protocol_whitelist")
        assert argv[whitelist + 1] == "file"
        assert argv[argv.index("-i") - 2 : argv.index("-i")] == ["-f", "mov"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/profile/", {"avatar": "URL"}),
        ("PATCH", "/profile/", {"background": "URL"}),
        ("PUT", "/profile/avatar/", {"url": "URL"}),
        ("PUT", "/profile/avatar/", {"media_id": "URL"}),
        ("PUT", "/profile/background/", {"media_id": "URL"}),
    ],
)
def test_a_profile_image_is_one_of_ones_uploads_never_a_url(client, auth_headers, listener, method, path, body):
    body = {key: value.replace("URL", f"{listener.url}/me.jpg") for key, value in body.items()}

    response = client.open(API + path, method=method, json=body, headers=auth_headers)

    assert response.status_code == 422, response.json
    assert listener.hits == []
    assert client.get(f"{API}/profile/", headers=auth_headers).json.get("avatar") is None


def test_a_profile_image_is_an_upload_of_the_callers_own(client, make_user, auth_headers):
    make_user(username="bob")
    bob = bearer(login(client, "bob")["access_token"])
    image = (BytesIO(_jpeg()), "me.jpg", "image/jpeg")
    bobs = client.post(f"{API}/media/", data={"file": image}, headers=bob, content_type="multipart/form-data")
    assert bobs.status_code == 202, bobs.json

    response = client.put(f"{API}/profile/avatar/", json={"media_id": bobs.json["id"]}, headers=auth_headers)

    assert response.status_code in (403, 404, 422)
    assert client.get(f"{API}/profile/", headers=auth_headers).json.get("avatar") is None


def test_links_in_posts_comments_and_messages_get_no_preview_fetched(client, make_user, auth_headers, listener):
    bob_id = make_user(username="bob")
    link = f"{listener.url}/admin"

    post = client.post(f"{API}/posts/", json={"text": f"look {link}"}, headers=auth_headers)
    comment = client.post(f"{API}/posts/{post.json['id']}/comments/", json={"text": link}, headers=auth_headers)
    conversation = client.post(f"{API}/conversations/", json={"user_id": bob_id}, headers=auth_headers)
    message = client.post(
        f"{API}/conversations/{conversation.json['id']}/messages/",
        json={"text": link, "client_id": "m1"},
        headers=auth_headers,
    )
    read = client.get(f"{API}/posts/{post.json['id']}/", headers=auth_headers)

    assert [post.status_code, comment.status_code, message.status_code] == [201, 201, 201]
    assert read.json["text"] == f"look {link}"
    assert listener.hits == []


TOKEN = "123456:TEST-TOKEN"
SECRET = "webhook-secret-ssrf"


def test_telegram_messages_go_only_to_the_configured_bot_api(app_factory, bot, user, listener):
    """Whatever chat id or text an update carries, the reply goes to TELEGRAM_API_URL's sendMessage, no other host."""
    client = app_factory(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=bot.url, TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_TIMEOUT=2
    ).test_client()
    hostile = [f"{listener.url}/x", f"@{listener.url[7:]}", f"../../..{listener.url[6:]}", "1#@127.0.0.1"]

    # Chat ids that are not Telegram's (integers) are ignored: nothing is sent anywhere.
    for chat_id in [*hostile, 4242]:
        update = {"update_id": 1, "message": {"chat": {"id": chat_id}, "text": f"/start {listener.url}"}}
        response = client.post(
            f"{API}/telegram/webhook/{SECRET}", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status_code == 200, response.json

    # The one real chat id gets its reply, through the configured API, the text in the body, not in the URL.
    assert [request["path"] for request in bot.requests] == [f"/bot{TOKEN}/sendMessage"]
    assert [message["chat_id"] for message in bot.messages()] == ["4242"]
    assert listener.hits == []
