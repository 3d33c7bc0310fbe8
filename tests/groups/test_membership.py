"""Groups through HTTP: creating and changing them, joining and leaving, requests, roles and the last admin."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import GroupMember, Notification, User
from app.models.base import utcnow


def create(api, viewer="author", **fields):
    response = api(viewer, "POST", "/groups/", {"name": "Morning runners"} | fields)
    assert response.status_code == 201, response.json
    return response.json


def members(api, viewer, group_id) -> dict[str, str]:
    response = api(viewer, "GET", f"/groups/{group_id}/members/?limit=100")
    assert response.status_code == 200, response.json
    return {item["user"]["username"]: item["role"] for item in response.json["items"]}


def notifications_of(app, user_id) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(select(Notification).where(Notification.recipient_id == user_id)))


def test_a_new_group_has_its_creator_as_admin_and_the_documented_shape(api, social):
    group = create(api, description="6 am, every day")

    assert group | {"id": 0, "created_at": None} == {
        "id": 0,
        "name": "Morning runners",
        "description": "6 am, every day",
        "visibility": "public",
        "members_count": 1,
        "is_member": True,
        "is_admin": True,
        "has_requested": False,
        "created_at": None,
    }
    seen = api("stranger", "GET", f"/groups/{group['id']}/").json
    assert seen | {"is_member": None} == group | {"is_member": None, "is_admin": False}
    assert seen["is_member"] is False
    assert members(api, "stranger", group["id"]) == {"alice": "admin"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Ok", "visibility": "secret"}, "visibility"),
        ({"name": "Ok", "visibility": 1}, "visibility"),
        ({"name": "Ok\u0000"}, "name"),
        ({"name": "Ok", "members_count": 5}, "members_count"),
    ],
)
def test_bad_groups_are_refused_naming_the_field(api, social, body, field):
    response = api("author", "POST", "/groups/", body)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_a_public_group_is_joined_at_once_and_joining_again_changes_nothing(api, social):
    group = create(api)

    first = api("stranger", "POST", f"/groups/{group['id']}/join/")
    again = api("stranger", "POST", f"/groups/{group['id']}/join/")

    assert (first.status_code, first.json) == (200, {"status": "member"})
    assert (again.status_code, again.json) == (200, {"status": "member"})
    assert members(api, "author", group["id"]) == {"alice": "admin", "dave": "member"}
    assert api("stranger", "GET", f"/groups/{group['id']}/").json["members_count"] == 2


def test_a_private_group_takes_requests_that_admins_accept_and_the_requester_is_told(app, api, social):
    group = create(api, visibility="private")

    asked = api("stranger", "POST", f"/groups/{group['id']}/join/")
    asked_again = api("stranger", "POST", f"/groups/{group['id']}/join/")

    assert (asked.status_code, asked.json) == (202, {"status": "requested"})
    assert asked_again.status_code == 202
    assert api("stranger", "GET", f"/groups/{group['id']}/").json["has_requested"] is True
    told_admin = [n for n in notifications_of(app, social["author"]) if n.data.get("kind") == "group_join_request"]
    assert len(told_admin) == 1  # asking twice tells the admins once
    assert api("stranger", "GET", f"/groups/{group['id']}/members/").status_code == 403

    waiting = api("author", "GET", f"/groups/{group['id']}/requests/").json["items"]
    assert [(r["user"]["username"], set(r)) for r in waiting] == [("dave", {"id", "user", "created_at"})]
    answered = api("author", "POST", f"/groups/{group['id']}/requests/{waiting[0]['id']}/accept/")

    assert (answered.status_code, answered.json) == (200, {"status": "member"})
    assert members(api, "stranger", group["id"]) == {"alice": "admin", "dave": "member"}
    assert api("author", "GET", f"/groups/{group['id']}/requests/").json["items"] == []
    kinds = [n.data.get("kind") for n in notifications_of(app, social["stranger"])]
    assert "group_request_accepted" in kinds


def test_a_declined_requester_is_told_and_not_a_member(app, api, social):
    group = create(api, visibility="private")
    api("stranger", "POST", f"/groups/{group['id']}/join/")
    request_id = api("author", "GET", f"/groups/{group['id']}/requests/").json["items"][0]["id"]

    declined = api("author", "POST", f"/groups/{group['id']}/requests/{request_id}/decline/")

    assert (declined.status_code, declined.json) == (200, {"status": "declined"})
    assert "group_request_declined" in [n.data.get("kind") for n in notifications_of(app, social["stranger"])]
    assert api("stranger", "GET", f"/groups/{group['id']}/").json["is_member"] is False
    again = api("author", "POST", f"/groups/{group['id']}/requests/{request_id}/accept/")
    assert again.status_code == 404  # answered already


def test_only_admins_see_and_answer_requests(api, social):
    group = create(api, visibility="private")
    api("friend", "POST", f"/groups/{group['id']}/join/")
    request_id = api("author", "GET", f"/groups/{group['id']}/requests/").json["items"][0]["id"]
    api("stranger", "POST", f"/groups/{group['id']}/join/")

    assert api("friend", "GET", f"/groups/{group['id']}/requests/").status_code == 403
    assert api("stranger", "POST", f"/groups/{group['id']}/requests/{request_id}/accept/").status_code == 403
    other = create(api, "stranger", name="Other")
    # A request of another group is not this group's.
    assert api("stranger", "POST", f"/groups/{other['id']}/requests/{request_id}/accept/").status_code == 404


def test_a_request_is_withdrawn_by_leaving(api, social):
    group = create(api, visibility="private")
    api("stranger", "POST", f"/groups/{group['id']}/join/")

    assert api("stranger", "DELETE", f"/groups/{group['id']}/join/").status_code == 204
    assert api("author", "GET", f"/groups/{group['id']}/requests/").json["items"] == []
    assert api("stranger", "DELETE", f"/groups/{group['id']}/join/").status_code == 404


def test_members_leave_but_the_last_admin_cannot_until_another_is_promoted(api, social):
    group = create(api)
    api("friend", "POST", f"/groups/{group['id']}/join/")

    refused = api("author", "DELETE", f"/groups/{group['id']}/join/")
    assert refused.status_code == 422
    assert "last admin" in refused.json["message"]

    promoted = api("author", "PATCH", f"/groups/{group['id']}/members/{social['friend']}/", {"role": "admin"})
    assert promoted.status_code == 200
    assert promoted.json["role"] == "admin"
    assert api("author", "DELETE", f"/groups/{group['id']}/join/").status_code == 204
    assert members(api, "friend", group["id"]) == {"bob": "admin"}


def test_the_last_admin_cannot_be_demoted_or_removed(api, social):
    group = create(api)
    api("friend", "POST", f"/groups/{group['id']}/join/")

    demoted = api("author", "PATCH", f"/groups/{group['id']}/members/{social['author']}/", {"role": "member"})
    removed = api("author", "DELETE", f"/groups/{group['id']}/members/{social['author']}/")

    assert demoted.status_code == 422
    assert removed.status_code == 422
    assert members(api, "author", group["id"]) == {"alice": "admin", "bob": "member"}


def test_an_admin_demotes_another_admin_and_removes_members(api, social):
    group = create(api)
    for viewer in ("friend", "stranger"):
        api(viewer, "POST", f"/groups/{group['id']}/join/")
    api("author", "PATCH", f"/groups/{group['id']}/members/{social['friend']}/", {"role": "admin"})

    demoted = api("friend", "PATCH", f"/groups/{group['id']}/members/{social['author']}/", {"role": "member"})
    removed = api("friend", "DELETE", f"/groups/{group['id']}/members/{social['stranger']}/")

    assert demoted.status_code == 200
    assert removed.status_code == 204
    assert members(api, "friend", group["id"]) == {"alice": "member", "bob": "admin"}
    assert api("friend", "DELETE", f"/groups/{group['id']}/members/{social['stranger']}/").status_code == 404


def test_members_who_are_not_admins_cannot_manage_the_group(api, social):
    group = create(api)
    api("friend", "POST", f"/groups/{group['id']}/join/")
    path = f"/groups/{group['id']}/"

    assert api("friend", "PATCH", path, {"name": "Mine now"}).status_code == 403
    assert api("friend", "DELETE", path).status_code == 403
    assert api("friend", "PATCH", f"{path}members/{social['friend']}/", {"role": "admin"}).status_code == 403
    assert api("friend", "DELETE", f"{path}members/{social['author']}/").status_code == 403
    assert api("stranger", "PATCH", path, {"name": "Mine now"}).status_code == 403
    assert api("author", "GET", path).json["name"] == "Morning runners"


def test_role_changes_are_validated(api, social):
    group = create(api)
    path = f"/groups/{group['id']}/members/{social['friend']}/"

    assert api("author", "PATCH", path, {"role": "owner"}).status_code == 422
    assert api("author", "PATCH", path, {"role": "admin"}).status_code == 404  # not a member


def test_admins_change_and_delete_a_group(app, api, social):
    group = create(api)
    changed = api("author", "PATCH", f"/groups/{group['id']}/", {"name": "Evening runners", "visibility": "private"})

    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["visibility"]) == ("Evening runners", "private")
    assert api("author", "DELETE", f"/groups/{group['id']}/").status_code == 204
    assert api("author", "GET", f"/groups/{group['id']}/").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(GroupMember).where(GroupMember.group_id == group["id"])) is None


def test_unknown_groups_are_404_everywhere(api, social):
    for method, path in [
        ("GET", "/groups/999999/"),
        ("PATCH", "/groups/999999/"),
        ("DELETE", "/groups/999999/"),
        ("POST", "/groups/999999/join/"),
        ("DELETE", "/groups/999999/join/"),
        ("GET", "/groups/999999/members/"),
        ("GET", "/groups/999999/requests/"),
        ("GET", "/groups/999999/posts/"),
        ("GET", "/groups/99999999999999999999/"),
    ]:
        response = api("author", method, path, {} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.json)


def test_the_groups_list_pages_newest_first_and_filters_ones_own(api, social):
    mine = [create(api, name=f"Mine {n}")["id"] for n in range(3)]
    theirs = create(api, "stranger", name="Theirs")["id"]

    first = api("author", "GET", "/groups/?limit=2").json
    rest = api("author", "GET", f"/groups/?limit=2&cursor={first['next_cursor']}").json
    own = api("author", "GET", "/groups/?member=true").json

    assert [g["id"] for g in first["items"] + rest["items"]] == [theirs, *reversed(mine)]
    assert rest["next_cursor"] is None
    assert [g["id"] for g in own["items"]] == list(reversed(mine))
    assert api("author", "GET", "/groups/?cursor=forged").status_code == 422


def test_a_deactivated_member_is_not_counted_or_listed(app, api, social):
    group = create(api)
    api("friend", "POST", f"/groups/{group['id']}/join/")
    with app.app_context():
        db.session.get(User, social["friend"]).deleted_at = utcnow()
        db.session.commit()

    assert api("author", "GET", f"/groups/{group['id']}/").json["members_count"] == 1
    assert members(api, "author", group["id"]) == {"alice": "admin"}
