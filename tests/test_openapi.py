"""The OpenAPI document tells the truth about every operation: ids, summaries, security, error answers.

The live answers themselves are checked against it by schemathesis (`make schemathesis`, run in CI).
"""

import re

import pytest
from openapi_schema_validator import OAS30Validator

from tests.conftest import bearer, login
from tests.memberships.conftest import TIERS, tier_body

METHODS = ("get", "put", "post", "patch", "delete")
ERROR_REF = "#/components/schemas/Error"
# Needs a refresh token (in the body, or the refresh cookie): not the bearer access token, and not anonymous.
NEEDS_REFRESH_TOKEN = {"auth_postRefresh"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def operations(document):
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def example_url(document, path: str) -> str:
    """The path with its parameters filled in: an enumerated one with its first value, any other with 1."""
    parameters = document["paths"][path].get("parameters", [])
    enums = {p["name"]: p["schema"]["enum"][0] for p in parameters if "enum" in p.get("schema", {})}
    return re.sub(r"\{([a-z_]+)\}", lambda match: str(enums.get(match[1], 1)), path)


def resolve(document, response: dict) -> dict:
    while "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rpartition("/")[2]]
    return response


def test_every_operation_has_a_unique_readable_operation_id_and_a_summary(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]

    assert all(ids) and len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z_]+_(get|put|post|patch|delete)[A-Za-z]+", op_id) for op_id in ids)
    assert all(operation.get("summary") for _, _, operation in operations(document))


def test_every_error_answer_has_the_one_error_schema(document):
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if code != "default" and int(code) < 400:
                continue
            schema = resolve(document, response)["content"]["application/json"]["schema"]
            name = schema["$ref"].rpartition("/")[2]
            properties = document["components"]["schemas"][name]["properties"]
            assert {"code", "status", "message", "errors"} <= set(properties), (method, path, code)


def test_error_schema_requires_code_status_and_message(document):
    error = document["components"]["schemas"]["Error"]

    assert set(error["required"]) == {"code", "status", "message"}


def test_limits_and_outages_are_documented(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        if path not in ("/health", "/ready", "/metrics", "/api/v1/telegram/webhook/{secret}"):  # exempt from limits
            assert "429" in responses, (method, path)
        if path != "/health":  # the only operation that touches neither the database nor Redis
            assert "503" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)


def test_public_operations_say_so(document):
    public = {path for path, _, operation in operations(document) if operation.get("security") == []}

    assert document["security"] == [{"bearerAuth": []}]
    assert {
        "/health",
        "/ready",
        "/.well-known/jwks.json",
        "/api/v1/register/",
        "/api/v1/login/",
        "/api/v1/password-reset/",
        "/api/v1/password-reset/confirm/",
        "/api/v1/verify-email/confirm/",
        "/api/v1/telegram/webhook/{secret}",
    } <= public
    assert "/api/v1/profile/" not in public


def test_declared_security_matches_what_an_anonymous_caller_gets(client, document):
    """Bearer operations refuse an anonymous call with 401; public ones never do."""
    for path, method, operation in operations(document):
        url = example_url(document, path)
        response = client.open(url, method=method.upper(), json={} if method in ("post", "put", "patch") else None)
        if operation["operationId"] in NEEDS_REFRESH_TOKEN:
            continue
        if operation.get("security") == []:
            assert response.status_code != 401, (method, path, response.json)
        else:
            assert response.status_code == 401, (method, path, response.status_code)
            assert "401" in operation["responses"]


def test_downloads_describe_their_content_types(document):
    report = document["paths"]["/api/v1/reports/{report_id}/download"]["get"]["responses"]["200"]["content"]
    export = document["paths"]["/api/v1/export/{export_id}/download"]["get"]["responses"]["200"]["content"]

    assert set(report) == {"text/csv", "text/html", "application/pdf"}
    assert set(export) == {"application/zip"}


def test_a_tier_answer_conforms_to_its_documented_schema(client, make_user, document):
    """The price is an exact decimal string, and the document says so (it used to say number)."""
    make_user(username="root", role="admin")
    tier = client.post(TIERS, json=tier_body(price="19.9"), headers=bearer(login(client, "root")["access_token"])).json
    schema = {"components": document["components"], "$ref": "#/components/schemas/Tier"}

    OAS30Validator(schema).validate(tier)
    assert tier["price"] == "19.90"
    assert document["components"]["schemas"]["Tier"]["properties"]["price"]["type"] == "string"
