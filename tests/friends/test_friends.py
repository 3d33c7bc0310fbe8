"""Friend requests and friendships through HTTP: what each answer holds, who may do what (404 for a request
between others, 403 for the wrong side of one's own), notifications, lists and their pages."""

import json

import pytest

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from tests.factories.friends import BlockFactory


def test_a_request_shows_the_recipients_card_and_tells_them(social, emitted):
    response = social.send("ann", "bob")

    assert response.status_code == 201
    body = response.json
    assert body["status"] == "pending" and body["created_at"]
    assert (body["sender_id"], body["recipient_id"]) == (social.ids["ann"], social.ids["bob"])
    assert body["user"] == {"id": social.ids["bob"], "username": "bob", "avatar": None, "privacy": "public"}
    assert social.notifications("bob") == [("friend_request", social.ids["ann"])]
    pushed = [payload for user_id, event, payload in emitted if event == "notification"]
    assert [(p["recipient_id"], p["type"], p["target_type"], p["target_id"]) for p in pushed] == [
        (social.ids["bob"], "friend_request", "friend_request", body["id"])
    ]


def test_accepting_makes_both_friends_and_tells_the_sender(social):
    request_id = social.send("ann", "bob").json["id"]

    response = social.answer("bob", request_id, "accept")

    assert response.status_code == 200
    assert response.json["status"] == "accepted" and response.json["user"]["username"] == "ann"
    assert social.friends("ann") == ["bob"] and social.friends("bob") == ["ann"]
    assert social.notifications("ann") == [("friend_accepted", social.ids["bob"])]
    assert (
        social.names("bob", "/friend-requests/") == []
        and social.names("ann", "/friend-requests/?direction=outgoing") == []
    )


def test_a_request_to_someone_who_asked_you_accepts_theirs(social):
    social.send("ann", "bob")

    response = social.send("bob", "ann")

    assert response.status_code == 201
    assert response.json["status"] == "accepted"
    assert (response.json["sender_id"], response.json["user"]["username"]) == (social.ids["ann"], "ann")
    assert social.friends("bob") == ["ann"]
    assert social.notifications("ann") == [("friend_accepted", social.ids["bob"])]
    assert social.notifications("bob") == [("friend_request", social.ids["ann"])]


def test_declining_and_cancelling_end_the_request_without_telling_anyone(social):
    first = social.send("ann", "bob").json["id"]
    assert social.answer("bob", first, "decline").status_code == 204
    second = social.send("ann", "bob").json["id"]  # asking again after a decline is allowed
    assert social.cancel("ann", second).status_code == 204

    assert social.pair_state("ann", "bob") == {"pending": None, "friends": False, "blocks": frozenset()}
    assert social.notifications("ann") == []


def test_unfriending_ends_the_friendship_both_ways(social):
    social.befriend("ann", "bob")

    assert social.unfriend("bob", "ann").status_code == 204

    assert social.friends("ann") == [] and social.friends("bob") == []
    assert social.unfriend("ann", "bob").status_code == 404


def test_a_friend_request_to_oneself_is_a_422_naming_user_id(social):
    response = social.send("ann", "ann")

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"user_id"}


@pytest.mark.parametrize("setup", ["asked", "friends"])
def test_asking_twice_or_asking_a_friend_is_a_409_naming_user_id(social, setup):
    social.befriend("ann", "bob") if setup == "friends" else social.send("ann", "bob")

    response = social.send("ann", "bob")

    assert response.status_code == 409
    assert set(response.json["errors"]["json"]) == {"user_id"}


@pytest.mark.parametrize("who", ["blocked_by_sender", "blocked_the_sender", "deactivated", "deleted", "unknown"])
def test_a_request_to_someone_blocked_either_way_reads_exactly_like_no_such_user(app, social, who):
    target = social.ids["bob"]
    with app.app_context():
        if who == "blocked_by_sender":
            BlockFactory(blocker_id=social.ids["ann"], blocked_id=target)
        elif who == "blocked_the_sender":
            BlockFactory(blocker_id=target, blocked_id=social.ids["ann"])
        elif who == "unknown":
            target = 999_999
        else:
            setattr(db.session.get(User, target), f"{who}_at", utcnow())
            db.session.commit()
    unknown = social.call("ann", "POST", "/friend-requests/", {"user_id": 999_998})

    response = social.call("ann", "POST", "/friend-requests/", {"user_id": target})

    assert response.status_code == 404
    assert response.json == unknown.json


@pytest.mark.parametrize("verb", ["accept", "decline", "cancel"])
def test_a_request_between_other_people_does_not_exist_for_a_third(social, verb):
    request_id = social.send("ann", "bob").json["id"]

    response = social.cancel("cat", request_id) if verb == "cancel" else social.answer("cat", request_id, verb)

    assert response.status_code == 404
    assert social.pair_state("ann", "bob")["pending"] == ("ann", "bob")


def test_an_admin_cannot_answer_someone_elses_request_either(social):
    request_id = social.send("ann", "bob").json["id"]

    assert social.answer("root", request_id, "accept").status_code == 404


@pytest.mark.parametrize(("actor", "verb"), [("ann", "accept"), ("ann", "decline"), ("bob", "cancel")])
def test_the_wrong_side_of_ones_own_request_is_a_403(social, actor, verb):
    request_id = social.send("ann", "bob").json["id"]

    response = social.cancel(actor, request_id) if verb == "cancel" else social.answer(actor, request_id, verb)

    assert response.status_code == 403
    assert social.pair_state("ann", "bob")["pending"] == ("ann", "bob")


def test_a_request_from_someone_who_then_left_disappears(app, social):
    request_id = social.send("ann", "bob").json["id"]
    with app.app_context():
        db.session.get(User, social.ids["ann"]).deactivated_at = utcnow()
        db.session.commit()

    assert social.names("bob", "/friend-requests/") == []
    assert social.answer("bob", request_id, "accept").status_code == 404


def test_pending_lists_show_each_direction_newest_first_with_the_other_persons_card(social):
    social.send("bob", "ann")
    social.send("cat", "ann")
    social.send("ann", "dan")

    incoming = social.call("ann", "GET", "/friend-requests/?direction=incoming").json
    outgoing = social.call("ann", "GET", "/friend-requests/?direction=outgoing").json

    assert [item["user"]["username"] for item in incoming] == ["cat", "bob"]
    assert {item["status"] for item in incoming} == {"pending"}
    assert all(item["recipient_id"] == social.ids["ann"] for item in incoming)
    assert [item["user"]["username"] for item in outgoing] == ["dan"]
    assert social.names("ann", "/friend-requests/") == ["cat", "bob"]  # incoming by default


def test_a_bad_direction_is_a_422_naming_it(social):
    response = social.call("ann", "GET", "/friend-requests/?direction=sideways")

    assert response.status_code == 422
    assert set(response.json["errors"]["query"]) == {"direction"}


def test_the_friends_list_is_in_username_order_with_since_when_and_paginated(social):
    for name in ("dan", "bob", "cat"):
        social.befriend("ann", name)

    response = social.call("ann", "GET", "/friends/?page_size=2")

    assert [item["user"]["username"] for item in response.json] == ["bob", "cat"]
    assert all(item["created_at"] for item in response.json)
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert social.names("ann", "/friends/?page=2&page_size=2") == ["dan"]


def test_a_friend_who_leaves_disappears_from_lists_and_counts(app, social):
    social.befriend("ann", "bob")
    social.befriend("ann", "cat")
    with app.app_context():
        db.session.get(User, social.ids["bob"]).deleted_at = utcnow()
        db.session.commit()

    assert social.friends("ann") == ["cat"]
    assert social.call("ann", "GET", "/profile/").json["friends_count"] == 1


@pytest.mark.parametrize(
    ("privacy", "viewer", "sees"),
    [
        ("public", "cat", True),
        ("friends", "cat", False),  # a stranger
        ("friends", "bob", True),  # a friend
        ("friends", "dan", False),  # a friend of a friend
        ("private", "bob", False),
        ("private", "root", True),  # an admin
        ("private", "ann", True),  # oneself
    ],
)
def test_someone_elses_friends_are_listed_when_their_profile_is_visible(app, social, privacy, viewer, sees):
    social.befriend("ann", "bob")
    social.befriend("bob", "dan")
    with app.app_context():
        db.session.get(User, social.ids["ann"]).privacy = privacy
        db.session.commit()

    response = social.call(viewer, "GET", f"/friends/?user_id={social.ids['ann']}")

    assert response.status_code == (200 if sees else 404)
    if sees:
        assert [item["user"]["username"] for item in response.json] == ["bob"]


def test_in_someone_elses_friends_list_private_profiles_are_not_listed(app, social):
    social.befriend("ann", "bob")
    social.befriend("ann", "dan")
    with app.app_context():
        db.session.get(User, social.ids["dan"]).privacy = "private"
        db.session.commit()

    assert social.friends("cat", "ann") == ["bob"]
    assert social.friends("ann") == ["bob", "dan"]  # one's own friends are all there


def test_an_unknown_user_ids_friends_are_a_404(social):
    assert social.call("ann", "GET", "/friends/?user_id=999999").status_code == 404
    assert social.call("ann", "GET", f"/friends/?user_id={2**40}").status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/friend-requests/", None),
        ("POST", "/friend-requests/", {"user_id": 1}),
        ("POST", "/friend-requests/1/accept/", None),
        ("POST", "/friend-requests/1/decline/", None),
        ("DELETE", "/friend-requests/1/", None),
        ("GET", "/friends/", None),
        ("DELETE", "/friends/1/", None),
        ("GET", "/blocks/", None),
        ("POST", "/blocks/", {"user_id": 1}),
        ("DELETE", "/blocks/1/", None),
    ],
)
def test_every_friends_route_needs_a_login(client, method, path, body):
    response = client.open("/api/v1" + path, method=method, json=body)

    assert response.status_code == 401 and response.json["code"] == 401


@pytest.mark.parametrize("path", ["/friend-requests/", "/blocks/"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "user_id"),
        ({"user_id": "two"}, "user_id"),
        ({"user_id": 2**31}, "user_id"),
        ({"user_id": 10**40}, "user_id"),
        ({"user_id": None}, "user_id"),
        ({"user_id": [2]}, "user_id"),
        ({"user_id": 0}, "user_id"),
        ({"user_id": 2, "note": "hi"}, "note"),
    ],
)
def test_bad_bodies_are_a_422_naming_the_field(social, path, body, field):
    response = social.call("ann", "POST", path, body)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


@pytest.mark.parametrize(
    "path", ["/friend-requests/{n}/accept/", "/friend-requests/{n}/", "/friends/{n}/", "/blocks/{n}/"]
)
def test_impossible_ids_in_paths_are_404s(social, path):
    method = "POST" if path.endswith("accept/") else "DELETE"
    for n in (0, 2**31, 10**30):
        assert social.call("ann", method, path.format(n=n)).status_code == 404


def test_a_body_that_is_not_an_object_is_a_422(social):
    response = social.client.post(
        "/api/v1/friend-requests/", data="[1]", content_type="application/json", headers=social.headers_of("ann")
    )

    assert response.status_code == 422
