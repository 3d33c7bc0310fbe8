"""Trainer analytics: who may see them, the date range rules, and every figure against a hand-computed fixture.

The fixture spans two Monday-based weeks, 2025-03-03 .. 2025-03-16. alice is coach's client; mallory is nobody's.
"""

from datetime import UTC, date, datetime, time

import pytest

from app.models import AuditType
from tests.factories import (
    AuditEventFactory,
    GoalFactory,
    HabitCompletionFactory,
    HabitFactory,
    WorkoutFactory,
)

RANGE = "date_from=2025-03-03&date_to=2025-03-16"
WEEK1, WEEK2 = "2025-03-03", "2025-03-10"
ENDPOINTS = ["active-users", "workouts", "goals", "habits"]


def d(day: int, month: int = 3) -> date:
    return date(2025, month, day)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def workout(user_id: int, day: date, minutes: int) -> None:
    WorkoutFactory(user_id=user_id, title="Session", date=day, duration_min=minutes)


def habit(user_id: int, start: date, every: int, done: list[date]) -> None:
    habit_id = HabitFactory(
        user_id=user_id, time=time(7), action="Stretch", periodicity_days=every, start_date=start
    ).id
    for day in done:
        HabitCompletionFactory(habit_id=habit_id, done_on=day)


def goal(user_id: int, end: date | None, *, active: bool, updated: datetime | None = None) -> None:
    GoalFactory(user_id=user_id, start_date=d(1), end_date=end, is_active=active, updated_at=updated or at(1, 9))


def login_event(user_id: int, created_at: datetime, type: AuditType = AuditType.LOGIN_SUCCEEDED) -> None:
    AuditEventFactory(type=type, user_id=user_id, created_at=created_at)


@pytest.fixture
def data(app, cast):
    alice, mallory = cast["alice"], cast["mallory"]
    with app.app_context():
        workout(alice, d(3), 30)
        workout(alice, d(5), 60)
        workout(alice, d(12), 45)
        workout(mallory, d(4), 95)
        workout(mallory, d(20), 10)  # after the range
        # Goals: kept to the end (expired by the job, or not yet), abandoned early, or not due in range.
        goal(alice, d(10), active=False, updated=at(10, 12))
        goal(alice, d(12), active=False, updated=at(8, 12))
        goal(alice, d(15), active=True)
        goal(alice, d(1, 4), active=True)
        goal(alice, None, active=True)
        goal(mallory, d(11), active=False, updated=at(5, 12))
        login_event(alice, at(14, 23, 30))
        login_event(mallory, at(3, 10))
        login_event(alice, at(15, 10), AuditType.LOGIN_FAILED)  # not activity
        habit(alice, d(1), 2, [d(1), d(3), d(5), d(9)])  # due 3,5,7,9,11,13,15 in range: 7; done 3 in range
        habit(alice, d(20), 1, [])  # starts after the range
        habit(mallory, d(10), 1, [d(10), d(11), d(12)])  # due 10..16: 7; done 3
        habit(mallory, date(2025, 2, 24), 7, [])  # due 3 and 10: 2; done 0


def get(client, headers, endpoint: str, query: str = RANGE):
    response = client.get(f"/api/v1/analytics/{endpoint}/?{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_regular_users_get_403_and_anonymous_401(client, cast, headers_of, endpoint):
    assert client.get(f"/api/v1/analytics/{endpoint}/", headers=headers_of("alice")).status_code == 403
    assert client.get(f"/api/v1/analytics/{endpoint}/").status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2025-03-10&date_to=2025-03-09",
        "date_from=2024-01-01&date_to=2025-01-01",  # 367 days
        "date_from=2025-02-30",
        "date_to=yesterday",
    ],
)
def test_date_ranges_are_validated(client, cast, headers_of, query):
    response = client.get(f"/api/v1/analytics/workouts/?{query}", headers=headers_of("coach"))

    assert response.status_code == 422
    assert response.json["errors"]["query"]


def test_a_range_of_366_days_is_allowed_and_the_default_is_the_last_30_days(client, cast, headers_of):
    assert get(client, headers_of("coach"), "workouts", "date_from=2024-01-01&date_to=2024-12-31")["users"] == 1
    default = get(client, headers_of("coach"), "active-users", "")
    assert len(default["days"]) == 30
    assert default["date_to"] == datetime.now(UTC).date().isoformat()


def test_a_trainer_sees_active_users_of_their_clients(client, data, headers_of):
    result = get(client, headers_of("coach"), "active-users")

    assert result["users"] == 1
    active_days = {row["date"]: row["active_users"] for row in result["days"] if row["active_users"]}
    assert active_days == {"2025-03-03": 1, "2025-03-05": 1, "2025-03-09": 1, "2025-03-12": 1, "2025-03-14": 1}
    assert len(result["days"]) == 14
    assert result["weeks"] == [{"week_start": WEEK1, "active_users": 1}, {"week_start": WEEK2, "active_users": 1}]


def test_an_admin_sees_active_users_of_everyone(client, data, headers_of):
    result = get(client, headers_of("root"), "active-users")

    assert result["users"] == 5
    active_days = {row["date"]: row["active_users"] for row in result["days"] if row["active_users"]}
    assert active_days == {
        "2025-03-03": 2,  # alice's workout and habit, mallory's login
        "2025-03-04": 1,
        "2025-03-05": 1,
        "2025-03-09": 1,
        "2025-03-10": 1,
        "2025-03-11": 1,
        "2025-03-12": 2,
        "2025-03-14": 1,
    }
    assert result["weeks"] == [{"week_start": WEEK1, "active_users": 2}, {"week_start": WEEK2, "active_users": 2}]


def test_workouts_per_week_and_average_session(client, data, headers_of):
    coach = get(client, headers_of("coach"), "workouts")
    root = get(client, headers_of("root"), "workouts")

    assert (coach["total_workouts"], coach["total_minutes"], coach["average_duration_min"]) == (3, 135, 45.0)
    assert [(w["week_start"], w["workouts"], w["total_minutes"]) for w in coach["weeks"]] == [
        (WEEK1, 2, 90),
        (WEEK2, 1, 45),
    ]
    assert (root["total_workouts"], root["total_minutes"], root["average_duration_min"]) == (4, 230, 57.5)
    assert [w["average_duration_min"] for w in root["weeks"]] == [61.7, 45.0]


def test_goal_completion_rate(client, data, headers_of):
    coach = get(client, headers_of("coach"), "goals")
    root = get(client, headers_of("root"), "goals")

    assert (coach["goals_due"], coach["goals_completed"], coach["completion_rate"]) == (3, 2, 0.6667)
    assert (root["goals_due"], root["goals_completed"], root["completion_rate"]) == (4, 2, 0.5)


def test_habit_adherence(client, data, headers_of):
    coach = get(client, headers_of("coach"), "habits")
    root = get(client, headers_of("root"), "habits")

    assert (coach["habits"], coach["expected_completions"], coach["completions"], coach["adherence"]) == (
        1,
        7,
        3,
        0.4286,
    )
    assert (root["habits"], root["expected_completions"], root["completions"], root["adherence"]) == (3, 16, 6, 0.375)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_trainer_without_clients_sees_nothing(client, data, headers_of, endpoint):
    result = get(client, headers_of("stranger"), endpoint)

    assert result["users"] == 0
    assert result.get("total_workouts", 0) == 0
    assert result.get("goals_due", 0) == 0
    assert result.get("expected_completions", 0) == 0
    assert all(row["active_users"] == 0 for row in result.get("days", []))


def test_an_ended_assignment_removes_the_client_from_the_trainers_figures(client, cast, data, headers_of):
    client.delete(f"/api/v1/trainers/me/clients/{cast['alice']}/", headers=headers_of("coach"))

    assert get(client, headers_of("coach"), "workouts")["total_workouts"] == 0


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "query",
    ["date_to=9999-12-31", "date_from=9999-12-25&date_to=9999-12-31", "date_to=0001-01-01", "date_from=1899-12-31"],
)
def test_dates_beyond_the_supported_years_are_a_422_naming_the_field(client, cast, headers_of, endpoint, query):
    response = client.get(f"/api/v1/analytics/{endpoint}/?{query}", headers=headers_of("coach"))

    assert response.status_code == 422, response.json
    assert set(response.json["errors"]["query"]) <= {"date_from", "date_to"}


def test_the_last_supported_year_is_answered(client, cast, headers_of):
    response = client.get(
        "/api/v1/analytics/active-users/?date_from=2999-12-01&date_to=2999-12-31", headers=headers_of("coach")
    )

    assert response.status_code == 200, response.json
