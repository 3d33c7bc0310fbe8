"""The shared request schema base (`app/blueprints/common.py`): every schema a route reads input with derives from
`BaseSchema`, so an unknown body field is a 422 naming it, while an unknown query argument is ignored (webargs loads
query strings with EXCLUDE); every date range says the same thing about its end bound."""

import marshmallow as ma
import pytest

from app.blueprints.common import BaseSchema


def _schemas_within(schema) -> list:
    """The schema and every schema nested in it (directly, or as a list's items)."""
    schema = schema if isinstance(schema, ma.Schema) else schema()
    found = [schema]
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if isinstance(inner, ma.fields.Nested):
            found += _schemas_within(inner.schema)
        if isinstance(field, ma.fields.Dict) and isinstance(field.value_field, ma.fields.Nested):
            found += _schemas_within(field.value_field.schema)
    return found


def request_schemas(app) -> list[tuple[str, str, ma.Schema]]:
    """(endpoint, method, schema) for every schema a route loads input with, nested ones included."""
    found = []
    for endpoint, view in app.view_functions.items():
        view_class = getattr(view, "view_class", None)
        for method in getattr(view_class, "methods", None) or ():
            handler = getattr(view_class, method.lower())
            for parameter in getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", []):
                found += [(endpoint, method, schema) for schema in _schemas_within(parameter["schema"])]
    return found


def test_every_request_schema_derives_from_the_shared_base(app):
    schemas = request_schemas(app)

    assert len({type(schema) for _, _, schema in schemas}) > 40  # the walk really covers the API
    assert [(e, m, type(s).__name__) for e, m, s in schemas if not isinstance(s, BaseSchema)] == []


def test_an_unknown_body_field_is_a_422_naming_it(client, auth_headers):
    response = client.post(
        "/api/v1/fitness-goals/", json={"goal_type": "general", "colour": "red"}, headers=auth_headers
    )

    assert response.status_code == 422
    assert response.json["errors"] == {"json": {"colour": ["Unknown field."]}}


def test_an_unknown_nested_field_is_a_422_naming_its_path(client, auth_headers):
    body = {"title": "Legs", "exercises": [{"exercise_id": 1, "tempo": "slow"}]}

    response = client.post("/api/v1/workouts/", json=body, headers=auth_headers)

    assert response.status_code == 422
    assert response.json["errors"]["json"]["exercises"] == {"0": {"tempo": ["Unknown field."]}}


def test_an_unknown_query_argument_is_ignored(client, auth_headers):
    response = client.get("/api/v1/fitness-goals/?utm_source=newsletter", headers=auth_headers)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "location", "end"),
    [
        ("/api/v1/metrics/?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z", "query", "to"),
        ("/api/v1/workouts/?date_from=2026-05-02&date_to=2026-05-01", "query", "date_to"),
    ],
)
def test_a_range_ending_before_it_starts_names_its_end(client, auth_headers, url, location, end):
    response = client.get(url, headers=auth_headers)

    assert response.status_code == 422
    start = "from" if end == "to" else "date_from"
    assert response.json["errors"] == {location: {end: [f"Must not be before {start}."]}}


def test_a_report_range_too_long_names_its_end(client, auth_headers):
    body = {"date_from": "2025-01-01", "date_to": "2026-01-03", "format": "csv"}

    response = client.post("/api/v1/reports/", json=body, headers=auth_headers)

    assert response.status_code == 422
    assert response.json["errors"] == {"json": {"date_to": ["Must be at most 366 days after date_from."]}}
