"""`Idempotency-Key` on creating POSTs (SPEC §0): a retry with the same key and body gets the first answer and
creates nothing; another body under the key is 422; keys are each caller's own and last 24 hours."""

import json
import threading
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.extensions import db
from app.models import BodyMetric, Goal, Habit, IdempotencyKey, Post, User
from app.models.base import utcnow
from app.services import maintenance
from tests.conftest import bearer, login

KEY = "0b8f3c1e-5d2a-4f6b-9c7d-1a2b3c4d5e6f"

# (path, body, model): creating POSTs of several domains, each with a body that creates one row.
CREATORS = [
    ("/api/v1/fitness-goals/", {"goal_type": "general", "description": "Run 5 km"}, Goal),
    ("/api/v1/metrics/", {"weight_kg": 80.5}, BodyMetric),
    ("/api/v1/habits/", {"time": "07:30", "action": "Drink water", "periodicity_days": 1}, Habit),
    ("/api/v1/posts/", {"text": "Leg day done"}, Post),
]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def keyed(headers: dict, key: str = KEY) -> dict:
    return {**headers, "Idempotency-Key": key}


@pytest.mark.parametrize(("path", "body", "model"), CREATORS, ids=[c[0] for c in CREATORS])
def test_a_retry_with_the_same_key_and_body_replays_the_first_answer_and_creates_nothing(
    app, client, auth_headers, path, body, model
):
    first = client.post(path, json=body, headers=keyed(auth_headers))
    # The same JSON with its keys in another order and other spacing is the same request.
    retry = client.post(
        path,
        data=json.dumps(dict(reversed(body.items())), indent=2),
        headers=keyed(auth_headers),
        content_type="application/json",
    )

    assert first.status_code == 201, first.json
    assert retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert retry.headers["Content-Type"] == "application/json"
    assert retry.headers["X-Request-ID"]  # the usual headers are added to a replay too
    assert count(app, model) == 1


def test_without_the_header_each_post_creates(app, client, auth_headers):
    for _ in range(2):
        assert client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=auth_headers).status_code == 201

    assert count(app, BodyMetric) == 2


def test_another_body_under_the_same_key_is_a_422_naming_the_header(app, client, auth_headers):
    client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    response = client.post("/api/v1/metrics/", json={"weight_kg": 81}, headers=keyed(auth_headers))

    assert response.status_code == 422
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert list(response.json["errors"]) == ["headers"]
    assert "Idempotency-Key" in response.json["errors"]["headers"]
    assert count(app, BodyMetric) == 1


def test_the_same_key_on_another_path_is_another_request(app, client, auth_headers):
    client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    response = client.post("/api/v1/posts/", json={"text": "hi"}, headers=keyed(auth_headers))

    assert response.status_code == 422
    assert count(app, Post) == 0


def test_keys_are_each_callers_own(app, client, auth_headers, make_user):
    make_user(username="bob")
    bob = bearer(login(client, "bob")["access_token"])

    alice_answer = client.post("/api/v1/posts/", json={"text": "same"}, headers=keyed(auth_headers))
    bob_answer = client.post("/api/v1/posts/", json={"text": "same"}, headers=keyed(bob))

    assert bob_answer.status_code == 201
    assert "Idempotent-Replayed" not in bob_answer.headers
    assert bob_answer.json["id"] != alice_answer.json["id"]
    assert bob_answer.json["author"]["username"] == "bob"
    assert count(app, Post) == 2


def test_a_failed_request_keeps_nothing_so_its_retry_runs_again(app, client, auth_headers):
    refused = client.post(
        "/api/v1/fitness-goals/",
        json={"goal_type": "general", "end_date": "1901-01-01", "start_date": "1902-01-01"},
        headers=keyed(auth_headers),
    )
    fixed = client.post("/api/v1/fitness-goals/", json={"goal_type": "general"}, headers=keyed(auth_headers))

    assert refused.status_code == 422
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_a_key_expires_after_24_hours(app, client, auth_headers):
    client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))
    with app.app_context():
        key = db.session.scalar(select(IdempotencyKey))
        assert timedelta(hours=23, minutes=59) < key.expires_at - key.created_at <= timedelta(hours=24)
        key.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    again = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert count(app, BodyMetric) == 2


def test_prune_expired_deletes_keys_past_their_24_hours(app, client, auth_headers):
    client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))
    client.post("/api/v1/metrics/", json={"weight_kg": 81}, headers=keyed(auth_headers, "another-key"))
    with app.app_context():
        db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == KEY)).expires_at = utcnow()
        db.session.commit()

        removed = maintenance.prune_expired()

        assert removed["idempotency_keys"] == 1
        assert db.session.scalars(select(IdempotencyKey.key)).all() == ["another-key"]


def test_a_key_whose_first_request_is_still_running_is_a_409(app, client, auth_headers, user):
    with app.app_context():
        db.session.add(
            IdempotencyKey(scope=f"user:{user}", key=KEY, fingerprint="0" * 64, expires_at=utcnow() + timedelta(1))
        )
        db.session.commit()

    response = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    # Its fingerprint differs: another request. The same fingerprint, still running, is a 409:
    assert response.status_code == 422
    with app.app_context():
        db.session.execute(IdempotencyKey.__table__.delete())
        db.session.commit()
    first = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))
    with app.app_context():
        record = db.session.scalar(select(IdempotencyKey))
        record.status_code, record.response = None, None
        db.session.commit()

    running = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    assert first.status_code == 201
    assert running.status_code == 409
    assert "still being answered" in running.json["message"]
    assert count(app, BodyMetric) == 1


@pytest.mark.parametrize(
    "key", ["", "x" * 256, "two words", "tab\there", "é-accent", "new\\nline".replace("\\n", "\x7f")]
)
def test_a_malformed_key_is_a_422_and_creates_nothing(app, client, auth_headers, key):
    response = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers, key))

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]["headers"]
    assert count(app, BodyMetric) == 0


def test_a_key_of_255_visible_characters_is_accepted(client, auth_headers):
    response = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers, "~" * 255))

    assert response.status_code == 201


def test_invalid_input_is_refused_before_the_key_is_claimed(app, client, auth_headers):
    response = client.post("/api/v1/metrics/", json={"weight_kg": "heavy"}, headers=keyed(auth_headers))

    assert response.status_code == 422
    assert list(response.json["errors"]) == ["json"]
    assert count(app, IdempotencyKey) == 0


def test_registration_replays_the_account_and_its_tokens(app, client):
    body = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"}

    first = client.post("/api/v1/register/", json=body, headers={"Idempotency-Key": KEY})
    retry = client.post("/api/v1/register/", json=body, headers={"Idempotency-Key": KEY})

    assert first.status_code == 201, first.json
    assert retry.status_code == 201
    assert retry.json == first.json
    assert count(app, User) == 1
    assert client.get("/api/v1/profile/", headers=bearer(retry.json["access_token"])).json["username"] == "carol"


def test_a_kept_answer_is_stored_encrypted(app, client):
    body = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"}
    answer = client.post("/api/v1/register/", json=body, headers={"Idempotency-Key": KEY}).json

    with app.app_context():
        stored = db.session.scalar(select(IdempotencyKey.response))

    assert answer["refresh_token"].encode() not in stored
    assert b"carol" not in stored


def test_registration_in_cookie_mode_replays_its_cookies(app_factory):
    client = app_factory(AUTH_COOKIE_MODE=True).test_client()
    body = {"username": "carol", "email": "carol@example.com", "password": "a long enough passphrase"}

    first = client.post("/api/v1/register/", json=body, headers={"Idempotency-Key": KEY})
    retry = client.post("/api/v1/register/", json=body, headers={"Idempotency-Key": KEY})

    assert first.status_code == retry.status_code == 201
    assert sorted(retry.headers.getlist("Set-Cookie")) == sorted(first.headers.getlist("Set-Cookie"))
    assert any(cookie.startswith("access_token_cookie=") for cookie in retry.headers.getlist("Set-Cookie"))


def test_a_media_upload_is_the_same_request_whatever_its_multipart_boundary(app_factory, tmp_path, make_user):
    app = app_factory(MEDIA_STORAGE_URL=str(tmp_path / "media"))
    client = app.test_client()
    make_user(username="alice")
    headers = keyed(bearer(login(client, "alice")["access_token"]))
    from tests.media.conftest import image_bytes

    picture = image_bytes()
    answers = [
        client.post(
            "/api/v1/media/",
            data={"file": (BytesIO(picture), "leg-day.jpg")},
            headers=headers,
            content_type="multipart/form-data",
        )
        for _ in range(2)
    ]
    other = client.post(
        "/api/v1/media/",
        data={"file": (BytesIO(image_bytes(color="blue")), "leg-day.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )

    assert answers[0].status_code == answers[1].status_code == 202
    assert answers[1].json["id"] == answers[0].json["id"]
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422


def test_concurrent_retries_create_one_thing(app, client, auth_headers):
    """Two retries at once: one creates, the other replays its answer or is told the first is still running."""
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        local = app.test_client()
        barrier.wait()
        statuses.append(local.post("/api/v1/posts/", json={"text": "once"}, headers=keyed(auth_headers)).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert count(app, Post) == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}


def test_every_creating_post_documents_the_header(client):
    spec = client.get("/api/v1/openapi.json").json
    creating = {
        path
        for path, item in spec["paths"].items()
        if "post" in item
        and ("201" in item["post"]["responses"] or path.endswith(("/media/", "/reports/", "/export/")))
    }

    documented = {
        path
        for path, item in spec["paths"].items()
        if "post" in item and any(p.get("name") == "Idempotency-Key" for p in item["post"].get("parameters", []))
    }

    assert creating <= documented
    assert "/api/v1/training-plans/{plan_id}/workouts/" in documented
    for path in documented:
        assert "409" in spec["paths"][path]["post"]["responses"]
        assert "422" in spec["paths"][path]["post"]["responses"]


def test_the_answer_is_kept_even_if_the_database_blinks_after_the_use_case_committed(
    app, client, auth_headers, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from app import idempotency as http_idempotency
    from app.services import idempotency as service

    real_keep, failures = service.keep, [OperationalError("UPDATE", None, Exception("server closed the connection"))]

    def keep_after_a_blink(claim, answer):
        if failures:
            raise failures.pop()
        real_keep(claim, answer)

    monkeypatch.setattr(service, "keep", keep_after_a_blink)
    monkeypatch.setattr(http_idempotency, "KEEP_PAUSE", 0)

    first = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))
    retry = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    assert not failures  # the first keep did fail
    assert first.status_code == 201
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert count(app, BodyMetric) == 1


def test_a_request_that_failed_after_its_commit_is_not_done_again_by_its_retry(app, client, auth_headers, monkeypatch):
    """A 5xx may come after the commit (the database went away as it acknowledged): the key's claim committed with
    the thing, so a retry is told so (409), and nothing is created twice."""
    from app.errors import ServiceUnavailable
    from app.services import metrics

    real = metrics.record

    def commits_then_fails(*args, **kwargs):
        real(*args, **kwargs)
        raise ServiceUnavailable("The database is unavailable.")

    monkeypatch.setattr(metrics, "record", commits_then_fails)
    first = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))
    monkeypatch.setattr(metrics, "record", real)
    retry = client.post("/api/v1/metrics/", json={"weight_kg": 80}, headers=keyed(auth_headers))

    assert first.status_code == 503
    assert retry.status_code == 409
    assert count(app, BodyMetric) == 1


def test_a_claim_left_without_an_answer_says_its_answer_was_lost(app, client, auth_headers, user):
    with app.app_context():
        created = utcnow() - timedelta(minutes=5)
        fingerprint = "f" * 64
        db.session.add(
            IdempotencyKey(
                scope=f"user:{user}",
                key=KEY,
                fingerprint=fingerprint,
                created_at=created,
                expires_at=utcnow() + timedelta(1),
            )
        )
        db.session.commit()
    from app.services import idempotency as service

    with app.test_request_context(), pytest.raises(Conflict) as refused:
        service.claim(service.Claim(f"user:{user}", KEY, fingerprint))

    assert "answer was lost" in refused.value.message
