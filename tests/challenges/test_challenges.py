"""Challenges through HTTP: who creates, sees, changes, joins and leaves them."""

import pytest

from tests.challenges.conftest import day
from tests.factories.groups import make_group


def test_a_trainer_creates_a_challenge_with_the_documented_shape(act, api):
    created = act.challenge(metric="minutes", description="Move more")

    assert created | {"id": 0, "created_at": None} == {
        "id": 0,
        "title": "minutes challenge",
        "description": "Move more",
        "metric": "minutes",
        "start_date": day(-3),
        "end_date": day(3),
        "group_id": None,
        "participants_count": 0,
        "is_joined": False,
        "my_value": None,
        "status": "running",
        "created_at": None,
    }
    assert act.challenge("admin", start=1, end=5)["status"] == "upcoming"


def test_a_regular_user_cannot_create_a_challenge(api, social):
    body = {"title": "Mine", "metric": "workouts", "start_date": day(), "end_date": day(1)}

    assert api("author", "POST", "/challenges/", body).status_code == 403


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"metric": "pushups"}, "metric"),
        ({"metric": 3}, "metric"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"end_date": day(-10), "start_date": day(-12)}, "end_date"),
        ({"end_date": day(-5)}, "end_date"),
        ({"title": ""}, "title"),
        ({"title": "a\u0000b"}, "title"),
        ({"group_id": 10**30}, "group_id"),
        ({"group_id": 999999}, "group_id"),
        ({"value": 100}, "value"),
    ],
)
def test_bad_challenges_are_refused_naming_the_field(api, social, fields, field):
    body = {"title": "Week", "metric": "workouts", "start_date": day(-1), "end_date": day(1)} | fields

    response = api("moderator", "POST", "/challenges/", body)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_only_the_creator_or_an_admin_changes_or_deletes_it_and_the_window_is_fixed(act, api):
    challenge = act.challenge()
    path = f"/challenges/{challenge['id']}/"

    assert api("author", "PATCH", path, {"title": "Mine"}).status_code == 403
    assert api("moderator", "PATCH", path, {"end_date": day(9)}).status_code == 422
    assert api("moderator", "PATCH", path, {"title": "Renamed"}).json["title"] == "Renamed"
    assert api("admin", "PATCH", path, {"description": "By an admin"}).status_code == 200
    assert api("author", "DELETE", path).status_code == 403
    assert api("moderator", "DELETE", path).status_code == 204
    assert api("author", "GET", path).status_code == 404


def test_joining_and_leaving(act, api):
    challenge = act.challenge()
    path = f"/challenges/{challenge['id']}/join/"

    joined = act.join("author", challenge["id"])
    again = act.join("author", challenge["id"])

    assert (joined["is_joined"], joined["participants_count"], joined["my_value"]) == (True, 1, 0)
    assert again["participants_count"] == 1
    assert api("author", "DELETE", path).status_code == 204
    assert api("author", "DELETE", path).status_code == 404
    assert api("author", "GET", f"/challenges/{challenge['id']}/").json["is_joined"] is False


def test_an_ended_challenge_takes_no_joins_or_leaves(app, act, api):
    challenge = act.challenge()
    act.join("author", challenge["id"])
    with app.app_context():
        from app.extensions import db
        from app.models import Challenge

        row = db.session.get(Challenge, challenge["id"])
        row.start_date, row.end_date = row.start_date.replace(year=2020), row.end_date.replace(year=2020)
        db.session.commit()

    assert api("friend", "POST", f"/challenges/{challenge['id']}/join/").status_code == 422
    assert api("author", "DELETE", f"/challenges/{challenge['id']}/join/").status_code == 422
    assert api("author", "GET", f"/challenges/{challenge['id']}/").json["status"] == "ended"


def test_a_groups_challenge_is_its_members_and_a_private_groups_is_hidden(app, act, api, social):
    with app.app_context():
        public = make_group(social["moderator"], members=(social["author"],))
        private = make_group(social["moderator"], members=(social["author"],), visibility="private")
    open_one = act.challenge(group_id=public)
    hidden = act.challenge(group_id=private)

    assert act.join("author", open_one["id"])["group_id"] == public
    assert api("stranger", "POST", f"/challenges/{open_one['id']}/join/").status_code == 403
    assert api("stranger", "GET", f"/challenges/{hidden['id']}/").status_code == 404
    assert api("stranger", "GET", f"/challenges/{hidden['id']}/leaderboard/").status_code == 404
    listed = [c["id"] for c in api("stranger", "GET", "/challenges/").json["items"]]
    assert open_one["id"] in listed and hidden["id"] not in listed
    assert act.join("author", hidden["id"])["is_joined"] is True
    refused = api(
        "admin",
        "POST",
        "/challenges/",
        {"title": "X", "metric": "workouts", "start_date": day(), "end_date": day(1), "group_id": private},
    )
    assert refused.status_code == 403  # not a member of that group


def test_the_list_filters_joined_and_status(act, api):
    running = act.challenge()
    upcoming = act.challenge(start=2, end=4)
    act.join("author", running["id"])

    def ids(query):
        return [c["id"] for c in api("author", "GET", f"/challenges/{query}").json["items"]]

    assert ids("") == [upcoming["id"], running["id"]]
    assert ids("?joined=true") == [running["id"]]
    assert ids("?status=upcoming") == [upcoming["id"]]
    assert ids("?status=running") == [running["id"]]
    assert api("author", "GET", "/challenges/?status=later").status_code == 422
