"""API9:2023 Improper Inventory Management.

Stride serves one version, /api/v1, and its OpenAPI document (built from the routes by app/openapi.py) is the
inventory: every route and method is in it, and nothing else answers: no other version prefix, no unversioned copy,
no undocumented method, no unlisted public operation. Also tested in tests/test_openapi.py,
tests/authz/test_route_coverage.py and by schemathesis (`make schemathesis`)."""

import re

import pytest

from app.blueprints import API_PREFIX, DOMAINS

API = "/api/v1"
METHODS = ("get", "put", "post", "patch", "delete")
# The routes outside /api/v1, each on purpose: probes for load balancers, the JWKS where verifiers look, the assets,
# and the metrics where Prometheus looks.
OUTSIDE_THE_VERSION = {
    ("/health", "GET"),
    ("/ready", "GET"),
    ("/metrics", "GET"),
    ("/.well-known/jwks.json", "GET"),
    ("/static/<path:filename>", "GET"),
}
# Routes that describe the API rather than being part of it (flask-smorest's document and docs pages).
DOCS_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "api-docs.openapi_redoc", "static"}
# Everything a caller without a token may call: each one reviewed (rate-limited, secret-guarded or harmless).
PUBLIC_OPERATIONS = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/metrics"),  # its own token (METRICS_TOKEN), else this machine only
    ("GET", "/.well-known/jwks.json"),
    ("POST", "/api/v1/register/"),
    ("POST", "/api/v1/login/"),
    ("POST", "/api/v1/login/mfa/"),
    ("POST", "/api/v1/login/mfa/telegram/"),
    ("POST", "/api/v1/token/refresh/"),
    ("POST", "/api/v1/password-reset/"),
    ("POST", "/api/v1/password-reset/confirm/"),
    ("POST", "/api/v1/verify-email/confirm/"),
    ("POST", "/api/v1/telegram/webhook/{secret}"),
}


@pytest.fixture
def document(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(document) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def as_openapi(rule: str) -> str:
    """`/goals/<int:goal_id>/` → `/goals/{goal_id}/`."""
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)


def served(app) -> set[tuple[str, str]]:
    """Every (path, method) the app routes, in the document's spelling, without HEAD, OPTIONS and the docs."""
    return {
        (as_openapi(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in DOCS_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def example_url(document, path: str) -> str:
    parameters = document["paths"][path].get("parameters", [])
    enums = {p["name"]: p["schema"]["enum"][0] for p in parameters if "enum" in p.get("schema", {})}
    return re.sub(r"\{([a-z_]+)\}", lambda match: str(enums.get(match[1], 1)), path)


def test_the_document_and_the_routes_list_the_same_operations(app, document):
    documented = {(path, method) for method, path, _ in operations(document)}

    assert sorted(served(app) - documented) == [], "served but not documented"
    assert sorted(documented - served(app)) == [], "documented but not served"


def test_the_docs_are_the_only_undocumented_routes(app):
    undocumented = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint in DOCS_ENDPOINTS}
    docs_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in DOCS_ENDPOINTS - {"static"}}

    assert undocumented == DOCS_ENDPOINTS
    assert docs_rules == {f"{API}/openapi.json", f"{API}/docs", f"{API}/redoc"}


def test_only_the_listed_routes_live_outside_the_version_prefix(app, document):
    outside = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(API_PREFIX + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert outside == OUTSIDE_THE_VERSION
    assert document["info"]["version"] == API_PREFIX.rpartition("/")[2] == "v1"
    assert {path for path in document["paths"] if not path.startswith(API_PREFIX + "/")} == {
        path for path, _ in OUTSIDE_THE_VERSION if not path.startswith("/static/")
    }


def test_every_operation_is_filed_under_one_declared_domain_with_a_summary_and_its_security(document):
    declared = [tag["name"] for tag in document["tags"]]
    schemes = set(document["components"]["securitySchemes"])

    assert set(declared) == {domain.name for domain in DOMAINS} | {"wellknown"}
    for method, path, operation in operations(document):
        assert len(operation.get("tags", [])) == 1 and operation["tags"][0] in declared, (method, path)
        assert operation.get("summary", "").strip(), (method, path)
        assert any(code.startswith("2") for code in operation["responses"]), (method, path)
        security = operation.get("security", document["security"])  # absent: the document's default, bearer
        assert security == [] or all(set(requirement) <= schemes for requirement in security), (method, path)
        assert not operation.get("deprecated"), (method, path)  # a retired operation is removed, not left running


def test_the_public_operations_are_exactly_the_reviewed_ones(document):
    public = {(method, path) for method, path, operation in operations(document) if operation.get("security") == []}

    assert public == PUBLIC_OPERATIONS


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/profile/"),
        ("GET", "/api/v0/profile/"),
        ("GET", "/api/profile/"),
        ("GET", "/v1/profile/"),
        ("GET", "/profile/"),
        ("GET", "/api/v1.1/profile/"),
        ("GET", "/api/V1/profile/"),
        ("GET", "/api/latest/profile/"),
        ("GET", "/api/v2/openapi.json"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/api/docs"),
        ("POST", "/api/v2/login/"),
        ("POST", "/api/login/"),
        ("POST", "/login/"),
        ("GET", "/api/v1/internal/"),
        ("GET", "/api/v1/debug/"),
        ("GET", "/api/v1/admin/debug/"),
        ("GET", "/api/v1/test/"),
        ("GET", "/socket.io.js"),
        ("GET", "/.env"),
        ("GET", "/.git/config"),
        ("GET", "/server-status"),
    ],
)
def test_nothing_answers_outside_the_inventory(client, auth_headers, method, path):
    response = client.open(path, method=method, headers=auth_headers, json={"username": "alice", "password": "x"})

    assert response.status_code == 404, (path, response.status_code)
    assert response.mimetype == "application/json" and response.json["code"] == 404


def test_no_path_answers_a_method_it_does_not_document(client, auth_headers, document):
    surprises = []
    for path, item in document["paths"].items():
        url = example_url(document, path)
        for method in METHODS:
            if method in item:
                continue
            response = client.open(url, method=method.upper(), headers=auth_headers, json={})
            if response.status_code != 405:
                surprises.append((method.upper(), path, response.status_code))
            elif method.upper() in response.headers["Allow"]:
                surprises.append((method.upper(), path, "in Allow"))

    assert surprises == []
