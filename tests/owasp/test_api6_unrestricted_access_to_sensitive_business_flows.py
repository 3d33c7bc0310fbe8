"""API6:2023 Unrestricted Access to Sensitive Business Flows.

The flows a bot would run at scale (sign-ups, reset requests, friend requests, posts, comments, messages, reports,
uploads, groups, events, searches) each have a RATELIMIT_* limit of their own, per person or per address and account,
not reset by a new token or a forged X-Forwarded-For; a reset request answers alike whether the account exists.
Also tested in tests/auth/test_rate_limits.py, tests/friends/test_limits.py and tests/posts/test_rate_limits.py."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

import pytest
from limits import parse_many
from PIL import Image

from app.models.base import utcnow
from config import DevelopmentConfig, ProductionConfig
from tests.conftest import bearer, login
from tests.factories import UserFactory
from tests.factories.posts import PostFactory

API = "/api/v1"
ADDRESSES = {"alice": "10.6.0.1", "bob": "10.6.0.2"}
TARGETS = ("tia", "tom", "tess", "ted")  # people alice and bob befriend or write to


class Scene:
    """An app with limits on, alice and bob signed in from addresses of their own, and a few others."""

    def __init__(self, app):
        self.app, self.client = app, app.test_client()
        with app.app_context():
            self.ids = {name: UserFactory(username=name).id for name in ("alice", "bob", *TARGETS)}
            self.posts = {
                "alice": PostFactory(author_id=self.ids["alice"]).id,
                "bob": [PostFactory(author_id=self.ids["bob"]).id for _ in range(3)],
            }
        self._headers = {}

    def headers(self, actor: str) -> dict:
        if actor not in self._headers:
            self._headers[actor] = bearer(login(self.client, actor, REMOTE_ADDR=ADDRESSES[actor])["access_token"])
        return self._headers[actor]

    def call(self, actor: str, method: str, path: str, *, anonymous: bool = False, **kwargs):
        headers = kwargs.pop("headers", {}) | ({} if anonymous else self.headers(actor))
        environ = {"REMOTE_ADDR": ADDRESSES[actor]}
        return self.client.open(API + path, method=method, headers=headers, environ_base=environ, **kwargs)

    def conversation(self, actor: str, other: str) -> int:
        response = self.call(actor, "POST", "/conversations/", json={"user_id": self.ids[other]})
        assert response.status_code in (200, 201), response.json
        return response.json["id"]


def _later(**delta) -> str:
    return (utcnow().replace(microsecond=0) + timedelta(**delta)).isoformat()


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), "green").save(out, "JPEG")
    return out.getvalue()


def _target(actor: str, n: int) -> str:
    """A different person for each of alice's attempts, and one more for bob."""
    return TARGETS[n] if actor == "alice" else TARGETS[3]


@dataclass(frozen=True)
class Flow:
    setting: str  # the config setting of the flow's own limit
    success: int
    act: Callable  # (scene, actor, n) -> response: the n-th attempt of `actor`


FLOWS = {
    "register": Flow(
        "RATELIMIT_REGISTER",
        201,
        lambda s, actor, n: s.call(
            actor,
            "POST",
            "/register/",
            anonymous=True,
            json={"username": f"{actor}bot{n}", "email": f"{actor}bot{n}@example.com", "password": "p" * 12},
        ),
    ),
    "password_reset_request": Flow(
        "RATELIMIT_PASSWORD_RESET",
        202,
        lambda s, actor, n: s.call(
            actor, "POST", "/password-reset/", anonymous=True, json={"email": f"{actor}{n}@example.com"}
        ),
    ),
    "email_verification_request": Flow(
        "RATELIMIT_VERIFICATION", 202, lambda s, actor, n: s.call(actor, "POST", "/verify-email/")
    ),
    "friend_request": Flow(
        "RATELIMIT_FRIEND_REQUESTS",
        201,
        lambda s, actor, n: s.call(actor, "POST", "/friend-requests/", json={"user_id": s.ids[_target(actor, n)]}),
    ),
    "post": Flow("RATELIMIT_POSTS", 201, lambda s, actor, n: s.call(actor, "POST", "/posts/", json={"text": f"p{n}"})),
    "share": Flow(
        "RATELIMIT_POSTS",
        201,
        lambda s, actor, n: s.call(
            actor, "POST", f"/posts/{s.posts['bob'][n] if actor == 'alice' else s.posts['alice']}/share/", json={}
        ),
    ),
    "comment": Flow(
        "RATELIMIT_COMMENTS",
        201,
        lambda s, actor, n: s.call(actor, "POST", f"/posts/{s.posts['alice']}/comments/", json={"text": f"c{n}"}),
    ),
    "conversation": Flow(
        "RATELIMIT_CONVERSATIONS",
        201,
        lambda s, actor, n: s.call(actor, "POST", "/conversations/", json={"user_id": s.ids[_target(actor, n)]}),
    ),
    "message": Flow(
        "RATELIMIT_MESSAGES",
        201,
        lambda s, actor, n: s.call(
            actor,
            "POST",
            f"/conversations/{s.conversation(actor, _target(actor, 0))}/messages/",
            json={"text": f"buy now {n}", "client_id": f"{actor}-{n}"},
        ),
    ),
    "content_report": Flow(
        "RATELIMIT_FLAGS",
        201,
        lambda s, actor, n: s.call(
            actor,
            "POST",
            "/moderation/flags/",
            json={
                "target_type": "post",
                "target_id": s.posts["bob"][n] if actor == "alice" else s.posts["alice"],
                "reason": "spam",
            },
        ),
    ),
    "upload": Flow(
        "RATELIMIT_UPLOADS",
        202,
        lambda s, actor, n: s.call(
            actor,
            "POST",
            "/media/",
            data={"file": (BytesIO(_jpeg()), f"{n}.jpg", "image/jpeg")},
            content_type="multipart/form-data",
        ),
    ),
    "group": Flow(
        "RATELIMIT_GROUPS", 201, lambda s, actor, n: s.call(actor, "POST", "/groups/", json={"name": f"{actor} {n}"})
    ),
    "event": Flow(
        "RATELIMIT_EVENTS",
        201,
        lambda s, actor, n: s.call(
            actor,
            "POST",
            "/events/",
            json={"title": f"Run {n}", "starts_at": _later(days=2), "ends_at": _later(days=2, hours=1)},
        ),
    ),
    "search": Flow(
        "RATELIMIT_SEARCH",
        200,
        lambda s, actor, n: s.call(actor, "GET", "/search/", query_string={"q": "t", "type": "users"}),
    ),
}


def assert_throttled(response) -> None:
    assert response.status_code == 429, (response.status_code, response.json)
    assert response.mimetype == "application/json"
    assert response.json["code"] == 429 and response.json["message"]
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("name", FLOWS)
def test_each_sensitive_flow_has_its_own_limit_per_caller(app_factory, name):
    flow = FLOWS[name]
    scene = Scene(app_factory(RATELIMIT_ENABLED=True, **{flow.setting: "2 per minute"}))

    statuses = [flow.act(scene, "alice", n).status_code for n in range(2)]
    throttled = flow.act(scene, "alice", 2)

    assert statuses == [flow.success] * 2
    assert_throttled(throttled)
    assert flow.act(scene, "bob", 0).status_code == flow.success  # another caller keeps a budget of their own


def test_the_default_limit_alone_does_not_hold_back_a_bot():
    """The flows' own limits are far below the default one: a bot is stopped long before the default would."""
    default = min(item.amount / item.get_expiry() for item in parse_many(DevelopmentConfig.RATELIMIT_DEFAULT))
    for name in {flow.setting for flow in FLOWS.values()}:
        strictest = min(item.amount / item.get_expiry() for item in parse_many(getattr(DevelopmentConfig, name)))
        assert strictest < default, name


def test_limits_are_on_outside_the_test_settings(monkeypatch):
    for name, value in {
        "SECRET_KEY": "s" * 40,
        "JWT_SECRET_KEY": "s" * 40,
        "DATABASE_URL": "postgresql://stride@db/stride",
        "REDIS_URL": "redis://cache:6379/0",
    }.items():
        monkeypatch.setattr(ProductionConfig, name, value)

    assert ProductionConfig().RATELIMIT_ENABLED is True
    assert DevelopmentConfig().RATELIMIT_ENABLED is True


def test_a_fresh_token_does_not_reset_a_persons_budget(app_factory):
    scene = Scene(app_factory(RATELIMIT_ENABLED=True, RATELIMIT_POSTS="2 per minute"))
    for n in range(2):
        assert scene.call("alice", "POST", "/posts/", json={"text": f"p{n}"}).status_code == 201

    again = bearer(login(scene.client, "alice", REMOTE_ADDR="10.6.9.9")["access_token"])
    response = scene.client.post(f"{API}/posts/", json={"text": "p2"}, headers=again)

    assert_throttled(response)


def test_a_forged_forwarded_address_does_not_reset_an_addresses_budget(app_factory):
    """Without TRUST_PROXY_HOPS the address is the connection's, whatever X-Forwarded-For claims."""
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER="2 per minute").test_client()

    def register(n: int, forged: str):
        body = {"username": f"bot{n}", "email": f"bot{n}@example.com", "password": "p" * 12}
        return client.post(f"{API}/register/", json=body, headers={"X-Forwarded-For": forged, "X-Real-IP": forged})

    statuses = [register(n, f"203.0.113.{n}").status_code for n in range(2)]

    assert statuses == [201, 201]
    assert_throttled(register(2, "203.0.113.99"))


def test_password_resets_for_one_account_are_limited_whatever_the_address(app_factory, make_user):
    make_user(username="victim", email="victim@example.com")
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_PASSWORD_RESET="2 per minute").test_client()

    def ask(address: str, ip: str):
        return client.post(f"{API}/password-reset/", json={"email": address}, environ_base={"REMOTE_ADDR": ip})

    statuses = [ask("victim@example.com", f"10.6.1.{n}").status_code for n in range(2)]

    assert statuses == [202, 202]
    assert_throttled(ask("  VICTIM@example.com ", "10.6.1.9"))  # the same mailbox, however it is written


def test_a_reset_request_tells_nobody_whether_the_account_exists(app_factory, make_user, tmp_path):
    app = app_factory(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path))
    make_user(username="known", email="known@example.com")
    client = app.test_client()

    known = client.post(f"{API}/password-reset/", json={"email": "known@example.com"})
    unknown = client.post(f"{API}/password-reset/", json={"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json
    assert known.headers.get("Set-Cookie") == unknown.headers.get("Set-Cookie")
    written = [path.read_text() for path in tmp_path.glob("*.eml")]
    assert len(written) == 1 and "To: known@example.com" in written[0]  # only the real account got mail
