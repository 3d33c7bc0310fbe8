"""Group posts: members post with `group_id`; a public group's posts are everyone's to read, a private group's are
its members' only — by id, in the group feed, the home feed, a person's posts, search and shares."""

import pytest

from tests.factories.groups import make_group


@pytest.fixture
def groups(app, social) -> dict[str, int]:
    """alice administers a public and a private group; carol is a member of both; dave (stranger) of neither."""
    with app.app_context():
        return {
            "public": make_group(social["author"], members=(social["carol"],), name="Trail runners"),
            "private": make_group(
                social["author"], members=(social["carol"],), visibility="private", name="Secret squad"
            ),
        }


def post_in(api, viewer, group_id, text="Long run on Sunday"):
    response = api(viewer, "POST", "/posts/", {"text": text, "group_id": group_id})
    assert response.status_code == 201, response.json
    return response.json


def ids(body) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_a_member_posts_in_a_group(api, social, groups):
    post = post_in(api, "carol", groups["private"])

    assert (post["group_id"], post["visibility"]) == (groups["private"], "public")
    assert api("carol", "GET", f"/groups/{groups['private']}/posts/").json["items"][0]["id"] == post["id"]


def test_only_members_post_in_a_group(api, social, groups):
    public = api("stranger", "POST", "/posts/", {"text": "Hi", "group_id": groups["public"]})
    unknown = api("author", "POST", "/posts/", {"text": "Hi", "group_id": 999999})
    not_an_id = api("author", "POST", "/posts/", {"text": "Hi", "group_id": "one"})
    huge = api("author", "POST", "/posts/", {"text": "Hi", "group_id": 10**30})

    assert public.status_code == 403
    assert unknown.status_code == 422
    assert "group_id" in unknown.json["errors"]["json"]
    assert not_an_id.status_code == huge.status_code == 422


def test_a_group_post_is_public_within_its_group(api, social, groups):
    refused = api("author", "POST", "/posts/", {"text": "Hi", "group_id": groups["public"], "visibility": "friends"})
    post = post_in(api, "author", groups["public"])
    edited = api("author", "PATCH", f"/posts/{post['id']}/", {"visibility": "private"})

    assert refused.status_code == 422
    assert "visibility" in refused.json["errors"]["json"]
    assert edited.status_code == 422


def test_a_private_groups_posts_are_invisible_to_non_members_everywhere(api, social, groups):
    post = post_in(api, "author", groups["private"], text="Secret tempo workout")

    for viewer in ("stranger", "friend"):  # bob is alice's friend, but not in the group
        assert api(viewer, "GET", f"/posts/{post['id']}/").status_code == 404
        assert api(viewer, "GET", f"/groups/{groups['private']}/posts/").status_code == 403
        assert post["id"] not in ids(api(viewer, "GET", f"/users/{social['author']}/posts/").json)
        assert post["id"] not in ids(api(viewer, "GET", "/feed/").json)
        assert post["id"] not in ids(api(viewer, "GET", "/feed/for-you/").json)
        assert post["id"] not in ids(api(viewer, "GET", "/search/?q=tempo&type=posts").json)
        assert api(viewer, "GET", f"/posts/{post['id']}/comments/").status_code == 404
        assert api(viewer, "PUT", f"/posts/{post['id']}/reaction/", {"kind": "like"}).status_code == 404
        assert api(viewer, "POST", f"/posts/{post['id']}/share/", {"text": "look"}).status_code == 404
    assert api("carol", "GET", f"/posts/{post['id']}/").status_code == 200
    assert post["id"] in ids(api("carol", "GET", "/search/?q=tempo&type=posts").json)


def test_a_private_groups_post_cannot_be_shared_even_by_members(api, social, groups):
    post = post_in(api, "author", groups["private"])

    refused = api("carol", "POST", f"/posts/{post['id']}/share/", {"text": "look"})

    assert refused.status_code == 422


def test_a_public_groups_posts_are_read_and_shared_by_anyone(api, social, groups):
    post = post_in(api, "author", groups["public"], text="Open hill repeats")

    assert api("stranger", "GET", f"/posts/{post['id']}/").status_code == 200
    assert ids(api("stranger", "GET", f"/groups/{groups['public']}/posts/").json) == [post["id"]]
    share = api("stranger", "POST", f"/posts/{post['id']}/share/", {"text": "look"})
    assert share.status_code == 201
    assert share.json["shared_post"]["id"] == post["id"]


def test_a_share_of_a_group_post_turns_to_a_tombstone_when_the_group_goes_private(api, social, groups):
    post = post_in(api, "author", groups["public"])
    share = api("stranger", "POST", f"/posts/{post['id']}/share/", {"text": "look", "visibility": "public"}).json

    api("author", "PATCH", f"/groups/{groups['public']}/", {"visibility": "private"})

    assert api("stranger", "GET", f"/posts/{share['id']}/").json["shared_post"] == {"id": None, "is_available": False}
    assert api("stranger", "GET", f"/posts/{post['id']}/").status_code == 404
    assert api("carol", "GET", f"/posts/{share['id']}/").json["shared_post"]["id"] == post["id"]


def test_blocks_hide_group_posts_both_ways(api, social, groups):
    api("blocked", "POST", f"/groups/{groups['public']}/join/")
    post = post_in(api, "blocked", groups["public"])

    assert api("author", "GET", f"/posts/{post['id']}/").status_code == 404
    assert post["id"] not in ids(api("author", "GET", f"/groups/{groups['public']}/posts/").json)
    assert api("stranger", "GET", f"/posts/{post['id']}/").status_code == 200


def test_group_posts_reach_members_home_feeds_and_leave_them_with_the_member(api, social, groups):
    api("stranger", "POST", f"/groups/{groups['public']}/join/")
    post = post_in(api, "carol", groups["public"])

    assert post["id"] in ids(api("stranger", "GET", "/feed/").json)
    assert post["id"] in ids(api("author", "GET", "/feed/").json)
    assert post["id"] not in ids(api("friend", "GET", "/feed/").json)  # carol's friend bob is not in the group

    api("stranger", "DELETE", f"/groups/{groups['public']}/join/")
    assert post["id"] not in ids(api("stranger", "GET", "/feed/").json)


def test_joining_brings_the_groups_recent_posts_into_the_home_feed(api, social, groups):
    post = post_in(api, "carol", groups["public"])

    api("stranger", "POST", f"/groups/{groups['public']}/join/")

    assert post["id"] in ids(api("stranger", "GET", "/feed/").json)


def test_a_removed_member_no_longer_reads_a_private_group(api, social, groups):
    post = post_in(api, "author", groups["private"])

    api("author", "DELETE", f"/groups/{groups['private']}/members/{social['carol']}/")

    assert api("carol", "GET", f"/posts/{post['id']}/").status_code == 404
    assert post["id"] not in ids(api("carol", "GET", "/feed/").json)
    assert api("carol", "GET", f"/groups/{groups['private']}/posts/").status_code == 403


def test_unfriending_keeps_the_posts_of_a_shared_group(api, social, groups):
    api("friend", "POST", f"/groups/{groups['public']}/join/")
    post = post_in(api, "author", groups["public"])

    api("friend", "DELETE", f"/friends/{social['author']}/")

    assert post["id"] in ids(api("friend", "GET", "/feed/").json)


def test_deleting_a_group_deletes_its_posts(api, social, groups):
    post = post_in(api, "carol", groups["public"])

    api("author", "DELETE", f"/groups/{groups['public']}/")

    assert api("carol", "GET", f"/posts/{post['id']}/").status_code == 404
    assert post["id"] not in ids(api("carol", "GET", "/feed/").json)


def test_admins_of_the_site_see_private_group_posts_to_moderate(api, social, groups):
    post = post_in(api, "author", groups["private"])

    assert api("admin", "GET", f"/posts/{post['id']}/").status_code == 200
