"""Progress toward a goal, measured by the owner's body metrics."""

from datetime import date, timedelta

from tests.fixtures.metrics import NOW, at


def goal(client, headers, **fields):
    body = {"goal_type": "weight_loss", "target_value": 70, "unit": "kg", **fields}
    response = client.post("/api/v1/fitness-goals/", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_progress_of_a_weight_loss_goal(client, auth_headers, record):
    record(weight_kg=82, recorded_at=at(40))
    record(weight_kg=80, recorded_at=at(20))  # the value at the start of the goal
    g = goal(client, auth_headers, start_date=(NOW - timedelta(days=15)).date().isoformat())
    record(weight_kg=78, recorded_at=at(8))
    record(weight_kg=76, recorded_at=at(1))

    progress = client.get(f"/api/v1/fitness-goals/{g['id']}/progress/", headers=auth_headers).json

    assert progress["is_measurable"] is True
    assert (progress["start"], progress["current"], progress["target"]) == (80, 76, 70)
    assert progress["percent"] == 40.0
    assert [p["average"] for p in progress["trend"]][-1] == 76
    weeks = [date.fromisoformat(p["week_start"]) for p in progress["trend"]]
    assert weeks == sorted(weeks) and all(w.weekday() == 0 for w in weeks)
    assert len(weeks) <= 8


def test_progress_of_a_muscle_gain_goal_counts_upward(client, auth_headers, record):
    record(weight_kg=70, recorded_at=at(30))
    g = goal(client, auth_headers, goal_type="muscle_gain", target_value=75, start_date=at(2)[:10])
    record(weight_kg=72.5, recorded_at=at(1))

    assert client.get(f"/api/v1/fitness-goals/{g['id']}/progress/", headers=auth_headers).json["percent"] == 50.0


def test_progress_by_body_fat(client, auth_headers, record):
    record(body_fat_pct=25, recorded_at=at(30))
    g = goal(
        client,
        auth_headers,
        goal_type="general",
        metric="body_fat_pct",
        target_value=20,
        unit="%",
        start_date=at(3)[:10],
    )
    record(body_fat_pct=30, recorded_at=at(1))  # moving away from the target

    progress = client.get(f"/api/v1/fitness-goals/{g['id']}/progress/", headers=auth_headers).json

    assert (progress["start"], progress["current"], progress["percent"]) == (25, 30, 0.0)


def test_progress_answers_clearly_when_there_is_nothing_to_measure(client, auth_headers):
    endurance = goal(client, auth_headers, goal_type="endurance", target_value=10, unit="km")
    weight = goal(client, auth_headers)

    unmeasured = client.get(f"/api/v1/fitness-goals/{endurance['id']}/progress/", headers=auth_headers).json
    no_data = client.get(f"/api/v1/fitness-goals/{weight['id']}/progress/", headers=auth_headers).json

    assert unmeasured["is_measurable"] is False and "not measured by body metrics" in unmeasured["reason"]
    assert no_data["is_measurable"] is True and no_data["current"] is None and "No weight_kg" in no_data["reason"]
