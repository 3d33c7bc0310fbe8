"""Habits through the HTTP API: the five rules (create and partial update), visibility, completions, streaks."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.models import HabitCompletion
from tests.conftest import bearer, login
from tests.factories import HabitCompletionFactory, HabitFactory


@pytest.fixture
def create(client, auth_headers):
    def creator(headers=None, **fields):
        body = {"time": "07:30", "action": "drink a glass of water", **fields}
        return client.post("/api/v1/habits/", json=body, headers=headers or auth_headers)

    return creator


@pytest.fixture
def pleasant(create):
    return create(action="take a warm bath", is_pleasant=True).json


def errors_of(response) -> dict:
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"]


def test_create_with_defaults(create):
    response = create(place="kitchen")

    assert response.status_code == 201, response.json
    habit = response.json
    assert (habit["time"], habit["periodicity_days"], habit["is_pleasant"], habit["is_public"]) == (
        "07:30",
        1,
        False,
        False,
    )
    assert habit["start_date"] == date.today().isoformat()


# Rule 1: a reward and a related habit together
def test_rule_1_reward_and_related_habit_together(create, pleasant):
    assert "related_habit_id" in errors_of(create(reward="a cookie", related_habit_id=pleasant["id"]))


# Rule 2: duration at most 120 seconds
@pytest.mark.parametrize("duration", [121, 0, -5])
def test_rule_2_duration_is_at_most_120_seconds(create, duration):
    assert "duration_sec" in errors_of(create(duration_sec=duration))


def test_rule_2_120_seconds_is_allowed(create):
    assert create(duration_sec=120).status_code == 201


# Rule 3: the related habit is pleasant, and the owner's own or public
def test_rule_3_related_habit_must_be_pleasant(create):
    plain = create(action="stretch").json

    assert "related_habit_id" in errors_of(create(related_habit_id=plain["id"]))


def test_rule_3_related_habit_must_be_own_or_public(client, create, make_user):
    make_user(username="bob")
    bob = bearer(login(client, "bob")["access_token"])
    private = create(headers=bob, action="nap", is_pleasant=True).json
    public = create(headers=bob, action="music", is_pleasant=True, is_public=True).json

    assert "related_habit_id" in errors_of(create(related_habit_id=private["id"]))
    assert create(related_habit_id=public["id"]).status_code == 201
    assert "related_habit_id" in errors_of(create(related_habit_id=999_999))


# Rule 4: a pleasant habit has neither a reward nor a related habit
def test_rule_4_pleasant_habit_has_no_reward_or_related(create, pleasant):
    assert "reward" in errors_of(create(is_pleasant=True, reward="cake"))
    assert "related_habit_id" in errors_of(create(is_pleasant=True, related_habit_id=pleasant["id"]))


# Rule 5: periodicity between 1 and 7 days
@pytest.mark.parametrize("days", [0, 8, -1])
def test_rule_5_periodicity_between_1_and_7(create, days):
    assert "periodicity_days" in errors_of(create(periodicity_days=days))


def test_the_rules_hold_on_partial_updates(client, auth_headers, create, pleasant):
    rewarded = create(reward="a cookie").json
    related = create(related_habit_id=pleasant["id"]).json
    url = "/api/v1/habits/{}/"

    assert "related_habit_id" in errors_of(
        client.patch(url.format(rewarded["id"]), json={"related_habit_id": pleasant["id"]}, headers=auth_headers)
    )
    assert "reward" in errors_of(client.patch(url.format(related["id"]), json={"reward": "x"}, headers=auth_headers))
    assert "reward" in errors_of(
        client.patch(url.format(rewarded["id"]), json={"is_pleasant": True}, headers=auth_headers)
    )
    assert "duration_sec" in errors_of(
        client.patch(url.format(rewarded["id"]), json={"duration_sec": 500}, headers=auth_headers)
    )
    assert "periodicity_days" in errors_of(
        client.patch(url.format(rewarded["id"]), json={"periodicity_days": 0}, headers=auth_headers)
    )
    assert "is_pleasant" in errors_of(
        client.patch(url.format(pleasant["id"]), json={"is_pleasant": False}, headers=auth_headers)
    )
    swapped = client.patch(
        url.format(rewarded["id"]), json={"reward": None, "related_habit_id": pleasant["id"]}, headers=auth_headers
    )
    assert swapped.status_code == 200 and swapped.json["related_habit_id"] == pleasant["id"]


def test_put_replaces_and_needs_the_required_fields(client, auth_headers, create):
    habit = create(place="gym", reward="smoothie").json
    url = f"/api/v1/habits/{habit['id']}/"

    assert {"time", "action"} <= set(errors_of(client.put(url, json={"place": "x"}, headers=auth_headers)))
    replaced = client.put(url, json={"time": "21:00", "action": "read"}, headers=auth_headers).json
    assert (replaced["time"], replaced["action"], replaced["periodicity_days"]) == ("21:00", "read", 1)


def test_list_is_paginated_and_filtered(client, auth_headers, create, pleasant):
    create(is_public=True)
    create()

    everything = client.get("/api/v1/habits/?page_size=2", headers=auth_headers)
    pleasant_only = client.get("/api/v1/habits/?is_pleasant=true", headers=auth_headers).json
    public_only = client.get("/api/v1/habits/?is_public=true", headers=auth_headers).json

    assert len(everything.json) == 2 and json.loads(everything.headers["X-Pagination"])["total"] == 3
    assert [h["id"] for h in pleasant_only] == [pleasant["id"]]
    assert len(public_only) == 1


def test_public_habits_are_everyones_and_read_only(client, auth_headers, create, make_user):
    mine = create(is_public=True, action="walk the dog").json
    create(action="secret")
    make_user(username="bob")
    bob = bearer(login(client, "bob")["access_token"])

    listed = client.get("/api/v1/habits/public/", headers=bob).json
    url = f"/api/v1/habits/{mine['id']}/"

    assert [h["action"] for h in listed] == ["walk the dog"]
    assert client.get(url, headers=bob).status_code == 200
    assert client.patch(url, json={"action": "mine now"}, headers=bob).status_code == 403
    assert client.delete(url, headers=bob).status_code == 403
    assert client.post(url + "done/", headers=bob).status_code == 403


def test_private_habits_do_not_exist_for_others(client, create, make_user):
    habit = create().json
    make_user(username="bob")
    bob = bearer(login(client, "bob")["access_token"])
    url = f"/api/v1/habits/{habit['id']}/"

    for method in ("get", "patch", "put", "delete"):
        assert getattr(client, method)(url, json={"time": "08:00", "action": "x"}, headers=bob).status_code == 404
    assert client.post(url + "done/", headers=bob).status_code == 404
    assert client.get(url + "completions/", headers=bob).status_code == 404
    assert client.get(url + "streaks/", headers=bob).status_code == 404


def test_done_logs_once_a_day_and_answers_the_streaks(client, auth_headers, create):
    habit = create().json
    url = f"/api/v1/habits/{habit['id']}/done/"

    first = client.post(url, headers=auth_headers)
    again = client.post(url, headers=auth_headers)

    assert first.status_code == 201 and again.status_code == 200
    assert first.json["streaks"] == {"current_streak": 1, "longest_streak": 1, "total_completions": 1}
    assert again.json["completion"]["id"] == first.json["completion"]["id"]
    history = client.get(f"/api/v1/habits/{habit['id']}/completions/", headers=auth_headers).json
    assert [c["done_on"] for c in history] == [date.today().isoformat()]


def seed_completions(app, habit_id: int, days_ago: list[int]) -> None:
    with app.app_context():
        for n in days_ago:
            HabitCompletionFactory(habit_id=habit_id, done_on=date.today() - timedelta(days=n))


@pytest.mark.parametrize(
    ("periodicity", "days_ago", "current", "longest"),
    [
        (1, [0, 1, 2, 4, 5], 3, 3),  # a gap two days before yesterday
        (1, [1, 2, 3], 3, 3),  # today not done yet: the streak still counts up to yesterday
        (1, [2, 3, 4, 5], 0, 4),  # yesterday missed: the current streak is broken
        (3, [0, 2, 4, 12], 3, 3),  # one completion per 3-day period is enough (any day of it)
        (3, [0, 7, 13], 1, 1),  # a 3-day period with none breaks the streak
        (7, [0, 14], 1, 1),  # a week with none in between breaks a weekly streak
    ],
)
def test_streaks_count_periods_with_gaps(app, client, auth_headers, create, periodicity, days_ago, current, longest):
    start = date.today() - timedelta(days=20)
    # Align the periods so that today starts a period.
    start += timedelta(days=(date.today() - start).days % periodicity)
    habit = create(periodicity_days=periodicity, start_date=start.isoformat()).json
    seed_completions(app, habit["id"], days_ago)

    streaks = client.get(f"/api/v1/habits/{habit['id']}/streaks/", headers=auth_headers).json

    assert (streaks["current_streak"], streaks["longest_streak"]) == (current, longest)


def test_deleting_a_habit_takes_its_history_and_unlinks_it_elsewhere(app, client, auth_headers, create, pleasant):
    linked = create(related_habit_id=pleasant["id"]).json
    client.post(f"/api/v1/habits/{pleasant['id']}/done/", headers=auth_headers)

    assert client.delete(f"/api/v1/habits/{pleasant['id']}/", headers=auth_headers).status_code == 204

    assert client.get(f"/api/v1/habits/{linked['id']}/", headers=auth_headers).json["related_habit_id"] is None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(HabitCompletion)) == 0


def test_habits_need_authentication(client):
    assert client.get("/api/v1/habits/").status_code == 401
    assert client.get("/api/v1/habits/public/").status_code == 401


def test_the_habit_list_costs_a_constant_number_of_queries(client, auth_headers, create, count_queries):
    create()
    with count_queries() as one:
        client.get("/api/v1/habits/?page_size=100", headers=auth_headers)
    for _ in range(30):
        create()
    with count_queries() as many:
        assert len(client.get("/api/v1/habits/?page_size=100", headers=auth_headers).json) == 31

    assert one.count == many.count <= 3


@pytest.mark.parametrize("time", ["07:30+02:00", "07:30+20:00", "07:30-23:59", "07:30Z"])
def test_a_time_with_a_utc_offset_is_refused_naming_time(client, auth_headers, create, time):
    created = create(time=time)
    habit = create().json
    patched = client.patch(f"/api/v1/habits/{habit['id']}/", json={"time": time}, headers=auth_headers)

    assert list(errors_of(created)) == ["time"]
    assert list(errors_of(patched)) == ["time"]


def test_a_start_date_beyond_the_supported_years_is_refused(create):
    assert list(errors_of(create(start_date="9999-12-31"))) == ["start_date"]


def test_public_habits_of_deleted_or_deactivated_owners_are_not_listed(app, client, auth_headers, make_user):
    owners = {
        "active": make_user(),
        "deactivated": make_user(deactivated_at=datetime(2026, 1, 1, tzinfo=UTC)),
        "deleted": make_user(deleted_at=datetime(2026, 1, 1, tzinfo=UTC)),
    }
    with app.app_context():
        ids = {name: HabitFactory(user_id=owner, is_public=True, action=name).id for name, owner in owners.items()}

    listed = client.get("/api/v1/habits/public/", headers=auth_headers)

    assert [h["id"] for h in listed.json] == [ids["active"]]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1


def test_public_habits_of_people_blocked_either_way_are_neither_listed_nor_readable(
    app, client, auth_headers, user, make_user
):
    from tests.factories.friends import block

    owners = {"blocked": make_user(), "blocker": make_user(), "other": make_user()}
    with app.app_context():
        ids = {name: HabitFactory(user_id=owner, is_public=True, action=name).id for name, owner in owners.items()}
        block(user, owners["blocked"])  # alice blocked them
        block(owners["blocker"], user)  # they blocked alice

    listed = client.get("/api/v1/habits/public/", headers=auth_headers)
    read = {name: client.get(f"/api/v1/habits/{ids[name]}/", headers=auth_headers).status_code for name in ids}

    assert [h["id"] for h in listed.json] == [ids["other"]]
    assert read == {"blocked": 404, "blocker": 404, "other": 200}
