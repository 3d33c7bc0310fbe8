import pytest

from tests.servers import throwaway_redis


def test_health_answers_ok_with_a_request_id_and_security_headers(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert len(response.headers["X-Request-ID"]) >= 16
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_sane_client_request_id_is_echoed(client):
    response = client.get("/health", headers={"X-Request-ID": "spa-42.abc"})

    assert response.headers["X-Request-ID"] == "spa-42.abc"


def test_an_unsafe_client_request_id_is_replaced(client):
    for unsafe in ("<script>alert(1)</script>", "spaces are not ids", "x" * 300):
        response = client.get("/health", headers={"X-Request-ID": unsafe})

        assert response.headers["X-Request-ID"] != unsafe
        assert len(response.headers["X-Request-ID"]) == 32


def test_ready_reports_database_and_redis(client):
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"] == "ok"
    at_risk = response.json["checks"]["redis_persistence"] in ("off", "in-process")
    assert response.json["status"] == ("degraded" if at_risk else "ready")


def test_ready_is_degraded_in_the_embedded_mode_whose_redis_forgets_revocations(app_factory):
    response = app_factory(REDIS_URL="").test_client().get("/ready")

    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "redis_persistence": "in-process"}
    assert "revoked tokens" in response.json["warnings"][0]


@pytest.mark.parametrize(
    ("args", "persistence", "status"),
    [
        (("--save", "", "--appendonly", "no"), "off", "degraded"),
        (("--save", "", "--appendonly", "yes"), "aof", "ready"),
        (("--save", "3600 1", "--appendonly", "no"), "rdb", "ready"),
        (("--save", "3600 1", "--appendonly", "yes"), "aof+rdb", "ready"),
        # CONFIG renamed away, as managed services do: INFO tells AOF, and nothing about snapshots.
        (("--save", "", "--appendonly", "no", "--rename-command", "CONFIG", "config-renamed"), "unknown", "ready"),
        (("--save", "", "--appendonly", "yes", "--rename-command", "CONFIG", "config-renamed"), "aof", "ready"),
    ],
)
def test_ready_tells_whether_redis_keeps_revocations_across_a_restart(app_factory, tmp_path, args, persistence, status):
    with throwaway_redis(*args, folder=tmp_path) as redis_server:
        response = app_factory(REDIS_URL=redis_server.url).test_client().get("/ready")

    assert response.status_code == 200
    assert response.json["status"] == status
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "redis_persistence": persistence}
    if status == "degraded":
        assert response.json["warnings"] == [
            "Redis keeps nothing on disk (neither AOF nor RDB snapshots): a restart would forget revoked tokens, "
            "which would then be accepted again. Turn on `appendonly yes` (or a `save` schedule) on the Redis server."
        ]
    else:
        assert "warnings" not in response.json


def test_ready_answers_503_naming_redis_when_redis_is_down(app_factory):
    app = app_factory(REDIS_URL="redis://127.0.0.1:1/0")

    response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert response.json["code"] == 503
    assert response.json["status"] == "Service Unavailable"
    assert "redis" in response.json["message"]
    assert response.json["checks"] == {"database": "ok", "redis": "down"}


def test_ready_answers_503_naming_the_database_when_it_is_down(app_factory, tmp_path):
    app = app_factory(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")

    response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert "database" in response.json["message"]
    assert response.json["checks"]["database"] == "down"


def test_paths_answer_without_their_trailing_slash_and_without_redirect(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_cors_allows_a_configured_spa_origin_only(app_factory):
    client = app_factory(CORS_ORIGINS=["https://app.example"]).test_client()

    allowed = client.get("/api/v1/openapi.json", headers={"Origin": "https://app.example"})
    refused = client.get("/api/v1/openapi.json", headers={"Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Origin" not in refused.headers
