"""Fitness goals through the HTTP API: the date rules, activity as of today, and ownership."""

import json
from datetime import date, timedelta

import pytest

from tests.conftest import bearer, login

TODAY = date.today()


def iso(day: date) -> str:
    return day.isoformat()


@pytest.fixture
def create(client, auth_headers):
    def creator(headers=None, **fields):
        body = {"goal_type": "weight_loss", "target_value": 70, "unit": "kg", **fields}
        return client.post("/api/v1/fitness-goals/", json=body, headers=headers or auth_headers)

    return creator


def test_create_defaults_start_to_today_and_measures_weight_goals_by_weight(create):
    response = create(end_date=iso(TODAY + timedelta(days=30)), description="Summer")

    assert response.status_code == 201, response.json
    goal = response.json
    assert goal["start_date"] == iso(TODAY)
    assert goal["is_active"] is True
    assert goal["metric"] == "weight_kg"
    assert goal["description"] == "Summer"


def test_a_goal_without_end_date_stays_active(create):
    assert create(goal_type="general", target_value=None).json["is_active"] is True


@pytest.mark.parametrize("end_offset", [0, -1])
def test_end_date_must_be_after_start_date(create, end_offset):
    response = create(start_date=iso(TODAY), end_date=iso(TODAY + timedelta(days=end_offset)))

    assert response.status_code == 422
    assert "end_date" in response.json["errors"]["json"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("goal_type", "fame"), ("target_value", -1), ("metric", "iq"), ("end_date", "tomorrow"), ("is_active", False)],
)
def test_create_validation_names_the_field(create, field, value):
    response = create(**{field: value})

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_a_goal_whose_end_date_is_today_reads_as_inactive(create, client, auth_headers):
    goal = create(start_date=iso(TODAY - timedelta(days=10)), end_date=iso(TODAY)).json

    assert goal["is_active"] is False
    assert client.get(f"/api/v1/fitness-goals/{goal['id']}/", headers=auth_headers).json["is_active"] is False
    assert client.get("/api/v1/fitness-goals/", headers=auth_headers).json[0]["is_active"] is False


def test_reads_judge_the_end_date_in_the_owners_timezone(client, auth_headers, create):
    # Pick the zone where it is already "tomorrow" relative to UTC when possible (Kiritimati, UTC+14),
    # and the one where it is still "yesterday" (Pago Pago, UTC-11).
    from datetime import datetime
    from zoneinfo import ZoneInfo

    ahead = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    behind = datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    assert ahead > behind  # the two zones are 25 hours apart: always on different dates
    client.patch("/api/v1/profile/", json={"timezone": "Pacific/Pago_Pago"}, headers=auth_headers)
    goal = create(start_date=iso(behind - timedelta(days=5)), end_date=iso(ahead)).json
    assert goal["is_active"] is True  # in Pago Pago the end date has not come

    client.patch("/api/v1/profile/", json={"timezone": "Pacific/Kiritimati"}, headers=auth_headers)

    assert client.get(f"/api/v1/fitness-goals/{goal['id']}/", headers=auth_headers).json["is_active"] is False


def test_list_filters_by_active_and_type_and_paginates(client, auth_headers, create):
    live = create(end_date=iso(TODAY + timedelta(days=9))).json
    ended = create(start_date=iso(TODAY - timedelta(days=9)), end_date=iso(TODAY)).json
    strength = create(goal_type="strength", target_value=100).json
    client.patch(f"/api/v1/fitness-goals/{strength['id']}/deactivate/", headers=auth_headers)

    def ids(query):
        response = client.get(f"/api/v1/fitness-goals/?{query}", headers=auth_headers)
        assert response.status_code == 200, response.json
        return [g["id"] for g in response.json]

    assert ids("active=true") == [live["id"]]
    assert ids("active=false") == [strength["id"], ended["id"]]
    assert ids("goal_type=strength") == [strength["id"]]
    paged = client.get("/api/v1/fitness-goals/?page_size=2&page=2", headers=auth_headers)
    assert [g["id"] for g in paged.json] == [live["id"]]
    assert json.loads(paged.headers["X-Pagination"])["total"] == 3


@pytest.mark.parametrize("query", ["active=perhaps", "goal_type=fame", "page_size=101"])
def test_list_arguments_are_validated(client, auth_headers, query):
    assert client.get(f"/api/v1/fitness-goals/?{query}", headers=auth_headers).status_code == 422


def test_patch_moving_one_date_is_checked_against_the_other(client, auth_headers, create):
    goal = create(start_date=iso(TODAY), end_date=iso(TODAY + timedelta(days=10))).json
    url = f"/api/v1/fitness-goals/{goal['id']}/"

    late_start = client.patch(url, json={"start_date": iso(TODAY + timedelta(days=10))}, headers=auth_headers)
    early_end = client.patch(url, json={"end_date": iso(TODAY - timedelta(days=1))}, headers=auth_headers)
    fine = client.patch(url, json={"end_date": iso(TODAY + timedelta(days=20))}, headers=auth_headers)

    assert late_start.status_code == 422 and "end_date" in late_start.json["errors"]["json"]
    assert early_end.status_code == 422
    assert fine.status_code == 200 and fine.json["end_date"] == iso(TODAY + timedelta(days=20))


def test_patch_can_remove_the_end_date(client, auth_headers, create):
    goal = create(start_date=iso(TODAY - timedelta(days=3)), end_date=iso(TODAY)).json

    response = client.patch(f"/api/v1/fitness-goals/{goal['id']}/", json={"end_date": None}, headers=auth_headers)

    assert response.json["end_date"] is None and response.json["is_active"] is True


def test_put_replaces_the_goal_and_needs_its_required_fields(client, auth_headers, create):
    goal = create(end_date=iso(TODAY + timedelta(days=5))).json
    url = f"/api/v1/fitness-goals/{goal['id']}/"

    missing = client.put(url, json={"description": "x"}, headers=auth_headers)
    replaced = client.put(
        url, json={"goal_type": "endurance", "start_date": iso(TODAY), "description": "Run 10k"}, headers=auth_headers
    )

    assert missing.status_code == 422 and {"goal_type", "start_date"} <= set(missing.json["errors"]["json"])
    assert replaced.status_code == 200
    assert (replaced.json["goal_type"], replaced.json["description"]) == ("endurance", "Run 10k")


def test_deactivate_and_reactivate(client, auth_headers, create):
    goal = create().json
    url = f"/api/v1/fitness-goals/{goal['id']}/"

    assert client.patch(url + "deactivate/", headers=auth_headers).json["is_active"] is False
    assert client.patch(url, json={"is_active": True}, headers=auth_headers).json["is_active"] is True


def test_delete_removes_the_goal(client, auth_headers, create):
    goal = create().json
    url = f"/api/v1/fitness-goals/{goal['id']}/"

    assert client.delete(url, headers=auth_headers).status_code == 204
    assert client.get(url, headers=auth_headers).status_code == 404


def test_another_persons_goal_is_404_for_every_method(client, create, make_user):
    goal = create().json
    make_user(username="mallory")
    mallory = bearer(login(client, "mallory")["access_token"])
    url = f"/api/v1/fitness-goals/{goal['id']}/"

    assert client.get(url, headers=mallory).status_code == 404
    assert client.put(url, json={"goal_type": "general", "start_date": iso(TODAY)}, headers=mallory).status_code == 404
    assert client.patch(url, json={"description": "mine"}, headers=mallory).status_code == 404
    assert client.patch(url + "deactivate/", headers=mallory).status_code == 404
    assert client.get(url + "progress/", headers=mallory).status_code == 404
    assert client.delete(url, headers=mallory).status_code == 404
    assert client.get("/api/v1/fitness-goals/", headers=mallory).json == []


def test_goals_need_authentication(client):
    assert client.get("/api/v1/fitness-goals/").status_code == 401
    assert client.post("/api/v1/fitness-goals/", json={"goal_type": "general"}).status_code == 401


def test_the_goal_list_costs_the_same_queries_for_1_or_50_goals(client, auth_headers, create, count_queries):
    create()
    with count_queries() as one:
        client.get("/api/v1/fitness-goals/?page_size=100", headers=auth_headers)
    for _ in range(49):
        create()
    with count_queries() as fifty:
        response = client.get("/api/v1/fitness-goals/?page_size=100", headers=auth_headers)

    assert len(response.json) == 50
    assert one.count == fifty.count <= 3
