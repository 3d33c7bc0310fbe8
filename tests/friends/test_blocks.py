"""Blocks: idempotent, ending the pair's friendship and request, and hiding the two from each other in every
list and profile — without the blocked person ever being told (404 as for no such user)."""

import pytest

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from tests.factories.friends import BlockFactory, FriendRequestFactory


def test_blocking_answers_the_card_then_again_is_a_200_that_changes_nothing(social):
    first = social.block("ann", "bob")
    again = social.block("ann", "bob")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json["user"] == {"id": social.ids["bob"], "username": "bob", "avatar": None, "privacy": "public"}
    assert again.json == first.json
    assert social.names("ann", "/blocks/") == ["bob"]


def test_blocking_ends_the_friendship_and_any_pending_request_both_ways(social):
    social.befriend("ann", "bob")
    social.send("cat", "ann")
    social.send("ann", "dan")

    for other in ("bob", "cat", "dan"):
        assert social.block("ann", other).status_code == 201

    assert social.friends("ann") == [] and social.friends("bob") == []
    assert (
        social.names("ann", "/friend-requests/") == []
        and social.names("cat", "/friend-requests/?direction=outgoing") == []
    )
    assert social.names("dan", "/friend-requests/") == []
    assert social.call("ann", "GET", "/profile/").json["friends_count"] == 0


def test_unblocking_lifts_only_ones_own_block(social):
    social.block("ann", "bob")
    social.block("bob", "ann")  # someone blocked may block back

    assert social.unblock("bob", "ann").status_code == 204
    assert social.unblock("bob", "ann").status_code == 404  # no longer blocked by bob
    assert social.send("bob", "ann").status_code == 404  # ann's block still stands
    assert social.unblock("ann", "bob").status_code == 204
    assert social.send("bob", "ann").status_code == 201


def test_unblocking_someone_never_blocked_or_unknown_is_a_404(social):
    assert social.unblock("ann", "bob").status_code == 404
    assert social.call("ann", "DELETE", "/blocks/999999/").status_code == 404


def test_the_blocked_person_cannot_lift_the_block(social):
    social.block("ann", "bob")

    assert social.unblock("bob", "ann").status_code == 404
    assert social.names("ann", "/blocks/") == ["bob"]


def test_blocking_oneself_is_a_422_naming_user_id(social):
    response = social.block("ann", "ann")

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"user_id"}


@pytest.mark.parametrize("who", ["unknown", "deactivated"])
def test_blocking_no_such_active_user_is_a_404(app, social, who):
    target = 999_999
    if who == "deactivated":
        target = social.ids["bob"]
        with app.app_context():
            db.session.get(User, target).deactivated_at = utcnow()
            db.session.commit()

    assert social.call("ann", "POST", "/blocks/", {"user_id": target}).status_code == 404


def test_the_block_list_shows_only_the_callers_blocks_newest_first(social):
    social.block("ann", "bob")
    social.block("ann", "cat")
    social.block("dan", "ann")

    assert social.names("ann", "/blocks/") == ["cat", "bob"]
    assert social.names("dan", "/blocks/") == ["ann"]
    assert social.names("bob", "/blocks/") == []


@pytest.mark.parametrize("blocker", ["ann", "bob"])
def test_blocked_people_are_no_one_to_each_other_on_profiles_and_search(app, social, blocker):
    blocked = "bob" if blocker == "ann" else "ann"
    with app.app_context():
        BlockFactory(blocker_id=social.ids[blocker], blocked_id=social.ids[blocked])
    unknown = social.call("ann", "GET", "/users/999999/")

    for viewer, seen in (("ann", "bob"), ("bob", "ann")):
        profile = social.call(viewer, "GET", f"/users/{social.ids[seen]}/")
        assert profile.status_code == 404 and profile.json == unknown.json
        found = social.call(viewer, "GET", f"/users/?q={seen}").json
        assert found == []
    assert [u["username"] for u in social.call("cat", "GET", "/users/?q=bob").json] == ["bob"]


def test_an_admin_who_blocks_someone_no_longer_finds_them_either(social):
    social.block("root", "bob")

    assert social.call("root", "GET", f"/users/{social.ids['bob']}/").status_code == 404
    assert social.call("root", "GET", "/users/?q=bob").json == []


def test_a_blocked_person_disappears_from_other_peoples_friend_lists_as_the_blocker_sees_them(social):
    social.befriend("cat", "ann")
    social.befriend("cat", "bob")
    social.block("ann", "bob")

    assert social.friends("ann", "cat") == ["ann"]  # bob is not there for ann
    assert social.friends("bob", "cat") == ["bob"]  # nor ann for bob
    assert social.friends("dan", "cat") == ["ann", "bob"]


def test_someone_blocked_either_way_has_no_friends_list_for_the_other(social):
    social.befriend("bob", "cat")
    social.block("bob", "ann")

    assert social.call("ann", "GET", f"/friends/?user_id={social.ids['bob']}").status_code == 404
    assert social.call("bob", "GET", f"/friends/?user_id={social.ids['ann']}").status_code == 404


def test_a_request_that_slipped_in_beside_a_block_is_inert(app, social):
    """Sent in the instant of a block (so the block's clean-up missed it): nobody sees or answers it."""
    with app.app_context():
        request_id = FriendRequestFactory(sender_id=social.ids["bob"], recipient_id=social.ids["ann"]).id
        BlockFactory(blocker_id=social.ids["ann"], blocked_id=social.ids["bob"])

    assert social.names("ann", "/friend-requests/") == []
    assert social.names("bob", "/friend-requests/?direction=outgoing") == []
    assert social.answer("ann", request_id, "accept").status_code == 404
    assert social.cancel("bob", request_id).status_code == 404
