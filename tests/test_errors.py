"""Every failure answers the one JSON error format `{code, status, message, errors?}`, never HTML."""

import marshmallow as ma
import pytest
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import api

probe = Blueprint("probe", __name__, url_prefix="/api/v1/probe")


class ProbeSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=10))
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=1000))


@probe.route("/")
class ProbeView(MethodView):
    @probe.arguments(ProbeSchema)
    @probe.response(201, ProbeSchema)
    def post(self, data):
        """Echo the body."""
        return data


DOMAIN_ERRORS = {
    "not-found": NotFound("No such goal."),
    "forbidden": Forbidden("You may not change this goal."),
    "conflict": Conflict("That username is taken."),
    "rule": RuleViolation("end_date must be after start_date.", field="end_date"),
}


@probe.route("/fail/<kind>")
class FailView(MethodView):
    def get(self, kind):
        """Fail in the named way."""
        if kind in DOMAIN_ERRORS:
            raise DOMAIN_ERRORS[kind]
        if kind == "integrity":
            raise IntegrityError("INSERT ...", {}, Exception("duplicate key value violates unique constraint"))
        raise RuntimeError("secret internal detail /etc/passwd")


@pytest.fixture
def probe_client(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024, PROPAGATE_EXCEPTIONS=False)
    api.register_blueprint(probe)
    return app.test_client()


def assert_error_format(response, code):
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.json
    assert body["code"] == code
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


def test_unknown_route_is_a_json_404(client):
    assert_error_format(client.get("/api/v1/nothing-here"), 404)
    assert_error_format(client.get("/not-even-api"), 404)


def test_wrong_method_is_a_json_405_keeping_allow(client):
    response = client.delete("/health")

    assert_error_format(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_a_json_400(probe_client):
    response = probe_client.post("/api/v1/probe/", data="{not json", content_type="application/json")

    assert_error_format(response, 400)


def test_validation_failure_is_422_naming_every_bad_field(probe_client):
    response = probe_client.post("/api/v1/probe/", json={"name": "x" * 50, "count": -1, "extra": 1})

    body = assert_error_format(response, 422)
    assert set(body["errors"]["json"]) == {"name", "count", "extra"}


def test_valid_body_passes(probe_client):
    response = probe_client.post("/api/v1/probe", json={"name": "ok", "count": 3})

    assert response.status_code == 201
    assert response.json == {"name": "ok", "count": 3}


def test_oversized_body_is_a_json_413(probe_client):
    response = probe_client.post("/api/v1/probe/", data="x" * 5000, content_type="application/json")

    assert_error_format(response, 413)


def test_unexpected_error_is_a_500_that_reveals_nothing(probe_client):
    response = probe_client.get("/api/v1/probe/fail/boom")

    body = assert_error_format(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in body["message"]


@pytest.mark.parametrize(
    ("kind", "code"), [("not-found", 404), ("forbidden", 403), ("conflict", 409), ("rule", 422), ("integrity", 409)]
)
def test_domain_errors_map_to_their_status(probe_client, kind, code):
    body = assert_error_format(probe_client.get(f"/api/v1/probe/fail/{kind}"), code)

    if kind == "rule":
        assert body["errors"] == {"json": {"end_date": ["end_date must be after start_date."]}}
    if kind == "integrity":
        assert "duplicate key" not in body["message"]


def test_rate_limit_is_a_json_429_with_retry_after(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute").test_client()

    statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(3)]
    response = client.get("/api/v1/openapi.json")

    assert statuses == [200, 200, 429]
    assert_error_format(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["RateLimit-Limit"] == "2"
    assert response.headers["RateLimit-Remaining"] == "0"


def test_health_probes_are_never_rate_limited(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute").test_client()

    assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 200]


def test_only_429_carries_retry_after(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True).test_client()

    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert "Retry-After" not in response.headers
    assert "RateLimit-Remaining" in response.headers
