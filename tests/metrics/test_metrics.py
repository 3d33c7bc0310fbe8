"""Body metrics: recording, history, privacy, and the weight the profile records."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import BodyMetric
from tests.conftest import bearer, login
from tests.fixtures.metrics import NOW, at


def test_recording_metrics_with_named_measurements(record):
    entry = record(weight_kg=80.5, body_fat_pct=22, measurements={"biceps": {"value": 35.5, "unit": "cm"}})

    assert entry["weight_kg"] == 80.5 and entry["body_fat_pct"] == 22
    assert entry["measurements"] == {"biceps": {"value": 35.5, "unit": "cm"}}
    assert datetime.fromisoformat(entry["recorded_at"]) <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "weight_kg"),
        ({"weight_kg": 5}, "weight_kg"),
        ({"body_fat_pct": 90}, "body_fat_pct"),
        ({"weight_kg": 80, "recorded_at": (NOW + timedelta(days=1)).isoformat()}, "recorded_at"),
        ({"measurements": {"Bad Name": {"value": 1, "unit": "cm"}}}, "measurements"),
        ({"measurements": {"hips": {"value": 90}}}, "measurements"),
        ({"weight_kg": 80, "recorded_at": "0001-01-01T00:00:00+12:00"}, "recorded_at"),  # would overflow in UTC
        ({"weight_kg": 80, "recorded_at": "1899-12-31T23:59:59+00:00"}, "recorded_at"),
    ],
)
def test_metric_validation_names_the_field(client, auth_headers, body, field):
    response = client.post("/api/v1/metrics/", json=body, headers=auth_headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_history_is_newest_first_and_filtered_by_date_range(client, auth_headers, record):
    for days_ago, weight in [(10, 82), (5, 81), (1, 80)]:
        record(weight_kg=weight, recorded_at=at(days_ago))

    everything = client.get("/api/v1/metrics/", headers=auth_headers)
    window = client.get("/api/v1/metrics/", query_string={"from": at(7), "to": at(2)}, headers=auth_headers)
    wrong = client.get("/api/v1/metrics/", query_string={"from": at(1), "to": at(7)}, headers=auth_headers)

    assert [m["weight_kg"] for m in everything.json] == [80, 81, 82]
    assert json.loads(everything.headers["X-Pagination"])["total"] == 3
    assert [m["weight_kg"] for m in window.json] == [81]
    assert wrong.status_code == 422


@pytest.mark.parametrize("bound", ["from", "to"])
def test_history_bounds_beyond_the_supported_years_are_refused(client, auth_headers, bound):
    response = client.get("/api/v1/metrics/", query_string={bound: "9999-12-31T23:59:59-12:00"}, headers=auth_headers)

    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == [bound]


def test_metrics_are_private_and_deletable_by_their_owner_only(client, auth_headers, record, make_user):
    entry = record(weight_kg=80)
    make_user(username="eve")
    eve = bearer(login(client, "eve")["access_token"])

    assert client.get("/api/v1/metrics/", headers=eve).json == []
    assert client.delete(f"/api/v1/metrics/{entry['id']}/", headers=eve).status_code == 404
    assert client.delete(f"/api/v1/metrics/{entry['id']}/", headers=auth_headers).status_code == 204
    assert client.get("/api/v1/metrics/", headers=auth_headers).json == []


def test_changing_the_profile_weight_records_a_metric(app, client, auth_headers):
    client.patch("/api/v1/profile/", json={"weight_kg": 79.2}, headers=auth_headers)
    client.patch("/api/v1/profile/", json={"weight_kg": 79.2, "bio": "same weight"}, headers=auth_headers)
    client.patch("/api/v1/profile/", json={"weight_kg": 78.4}, headers=auth_headers)

    history = client.get("/api/v1/metrics/", headers=auth_headers).json

    assert [m["weight_kg"] for m in history] == [78.4, 79.2]


def test_metrics_need_authentication(client):
    assert client.get("/api/v1/metrics/").status_code == 401
    assert client.post("/api/v1/metrics/", json={"weight_kg": 80}).status_code == 401


def test_entries_are_stored_in_utc(app, record):
    record(weight_kg=80, recorded_at="2026-03-01T12:00:00+05:00")

    with app.app_context():
        stored = db.session.scalar(db.select(BodyMetric.recorded_at))
    assert stored == datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
