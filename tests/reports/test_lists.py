"""GET /reports/ and GET /export/: an SPA finds its files again without remembering ids."""

import json

import pytest

from tests.reports.conftest import request_report


def pagination(response) -> dict:
    return json.loads(response.headers["X-Pagination"])


def test_reports_lists_the_callers_reports_newest_first_and_nobody_elses(client, headers_of, cast):
    alice, mallory = headers_of("alice"), headers_of("mallory")
    mine = [request_report(client, alice, format=fmt).json["id"] for fmt in ("csv", "pdf", "html")]
    theirs = request_report(client, mallory).json["id"]

    response = client.get("/api/v1/reports/", headers=alice)

    assert response.status_code == 200
    assert [r["id"] for r in response.json] == mine[::-1]
    assert theirs not in [r["id"] for r in response.json]
    assert {"id", "status", "format", "date_from", "date_to", "user_id", "requested_by_id"} <= response.json[0].keys()
    assert pagination(response)["total"] == 3
    assert [r["id"] for r in client.get("/api/v1/reports/", headers=mallory).json] == [theirs]


def test_a_trainers_report_on_a_client_is_listed_for_both_and_for_nobody_else(client, headers_of, cast):
    report_id = request_report(client, headers_of("coach"), user_id=cast["alice"]).json["id"]

    for who in ("coach", "alice"):
        assert [r["id"] for r in client.get("/api/v1/reports/", headers=headers_of(who)).json] == [report_id]
    for who in ("stranger", "mallory", "root"):
        assert client.get("/api/v1/reports/", headers=headers_of(who)).json == []


def test_reports_are_paginated_with_x_pagination(client, headers_of, cast):
    alice = headers_of("alice")
    ids = [request_report(client, alice).json["id"] for _ in range(5)]

    first = client.get("/api/v1/reports/?page=1&page_size=2", headers=alice)
    last = client.get("/api/v1/reports/?page=3&page_size=2", headers=alice)

    assert [r["id"] for r in first.json] == ids[::-1][:2]
    assert [r["id"] for r in last.json] == ids[:1]
    assert pagination(first) == {
        "total": 5,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 1,
        "next_page": 2,
        "total_is_exact": True,
    }


def test_exports_lists_only_the_callers_exports_newest_first(client, headers_of, cast):
    alice, mallory = headers_of("alice"), headers_of("mallory")
    mine = [client.post("/api/v1/export/", headers=alice).json["id"] for _ in range(3)]
    theirs = client.post("/api/v1/export/", headers=mallory).json["id"]

    response = client.get("/api/v1/export/", headers=alice)

    assert response.status_code == 200
    assert [e["id"] for e in response.json] == mine[::-1]
    assert response.json[0]["status"] == "queued"
    assert pagination(response)["total"] == 3
    assert [e["id"] for e in client.get("/api/v1/export/", headers=mallory).json] == [theirs]
    assert [e["id"] for e in client.get("/api/v1/export/?page=2&page_size=2", headers=alice).json] == mine[:1]


@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/export/"])
def test_the_lists_need_a_login(client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json["code"] == 401


@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/export/"])
def test_a_bad_page_is_422(client, headers_of, cast, path):
    response = client.get(f"{path}?page=0", headers=headers_of("alice"))

    assert response.status_code == 422
    assert "page" in response.json["errors"]["query"]
