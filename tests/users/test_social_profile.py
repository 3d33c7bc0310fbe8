"""Profiles' social fields: job, background, tags (normalised and bounded), and friend counts."""

import pytest

from app.extensions import db
from app.models import User, UserTag
from tests.conftest import bearer, login
from tests.factories.friends import befriend


def patch(client, headers, body):
    return client.patch("/api/v1/profile/", json=body, headers=headers)


def test_tags_are_trimmed_lower_cased_collapsed_and_deduplicated(client, auth_headers):
    response = patch(client, auth_headers, {"tags": ["  Trail   Running ", "YOGA", "yoga", "trail running", "5K"]})

    assert response.status_code == 200
    assert response.json["tags"] == ["5k", "trail running", "yoga"]
    assert client.get("/api/v1/profile/", headers=auth_headers).json["tags"] == ["5k", "trail running", "yoga"]


def test_setting_tags_replaces_them_patch_without_tags_keeps_them_and_put_without_tags_clears_them(
    client, auth_headers
):
    patch(client, auth_headers, {"tags": ["yoga", "rowing"]})
    assert patch(client, auth_headers, {"tags": ["climbing"]}).json["tags"] == ["climbing"]
    assert patch(client, auth_headers, {"bio": "hi"}).json["tags"] == ["climbing"]

    body = client.put(
        "/api/v1/profile/", json={"username": "alice", "email": "alice@example.com"}, headers=auth_headers
    )

    assert body.json["tags"] == [] and body.json["job"] is None


def test_ten_tags_are_allowed_and_duplicates_do_not_count(client, auth_headers):
    tags = [f"tag {n}" for n in range(10)] + ["TAG 0"]

    response = patch(client, auth_headers, {"tags": tags})

    assert response.status_code == 200 and len(response.json["tags"]) == 10


@pytest.mark.parametrize(
    "tags",
    [
        [f"tag {n}" for n in range(11)],  # eleven distinct
        ["ok"] * 101,  # too many entries, however many distinct
        ["   "],  # blank once trimmed
        [""],
        ["x" * 31],
        ["bell\x07"],  # not printable
        [7],
        [["nested"]],
        "yoga",
        {"yoga": True},
        None,
    ],
)
def test_bad_tags_are_a_422_naming_tags_and_change_nothing(client, auth_headers, tags):
    patch(client, auth_headers, {"tags": ["keep"]})

    response = patch(client, auth_headers, {"tags": tags})

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"tags"}
    assert client.get("/api/v1/profile/", headers=auth_headers).json["tags"] == ["keep"]


def test_a_bad_tag_is_named_by_its_index(client, auth_headers):
    response = patch(client, auth_headers, {"tags": ["fine", "x" * 31]})

    assert list(response.json["errors"]["json"]["tags"]) == ["1"]


def test_thirty_characters_is_the_longest_tag(client, auth_headers):
    assert patch(client, auth_headers, {"tags": ["x" * 30]}).json["tags"] == ["x" * 30]


def test_job_is_set_and_bounded(client, auth_headers):
    assert patch(client, auth_headers, {"job": "Physiotherapist"}).json["job"] == "Physiotherapist"

    response = patch(client, auth_headers, {"job": "x" * 101})

    assert response.status_code == 422 and set(response.json["errors"]["json"]) == {"job"}


@pytest.mark.parametrize("field", ["background", "avatar", "friends_count"])
def test_background_avatar_and_counts_are_not_set_through_the_profile(client, auth_headers, field):
    response = patch(client, auth_headers, {field: "https://example.com/x.png"})

    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_the_background_set_elsewhere_shows_on_the_profile(app, client, auth_headers, user, make_user):
    with app.app_context():
        db.session.get(User, user).background = "/api/v1/media/7/display"
        db.session.commit()
    make_user(username="bob")
    bob = bearer(login(client, "bob")["access_token"])

    assert client.get("/api/v1/profile/", headers=auth_headers).json["background"] == "/api/v1/media/7/display"
    assert client.get(f"/api/v1/users/{user}/", headers=bob).json["background"] == "/api/v1/media/7/display"


def test_someone_elses_full_profile_shows_job_tags_and_counts(app, client, auth_headers, user, make_user):
    bob = make_user(username="bob", job="Coach")
    shared, only_bobs, only_mine = make_user(), make_user(), make_user()
    with app.app_context():
        db.session.add_all([UserTag(user_id=bob, tag="rowing"), UserTag(user_id=bob, tag="yoga")])
        db.session.commit()
        for friend in (shared, only_bobs):
            befriend(bob, friend)
        for friend in (shared, only_mine):
            befriend(user, friend)

    profile = client.get(f"/api/v1/users/{bob}/", headers=auth_headers).json
    found = client.get("/api/v1/users/?q=bob", headers=auth_headers).json

    assert profile["job"] == "Coach" and profile["tags"] == ["rowing", "yoga"]
    assert (profile["friends_count"], profile["mutual_friends_count"]) == (2, 1)
    assert profile.pop("badges") == []  # a whole profile read by id has them; the search's rows do not
    assert found == [profile]
    assert client.get("/api/v1/profile/", headers=auth_headers).json["friends_count"] == 2


def test_a_limited_card_shows_mutual_friends_but_not_their_count_job_or_tags(
    app, client, auth_headers, user, make_user
):
    fran = make_user(username="fran", privacy="friends", job="Nurse")
    shared = make_user()
    with app.app_context():
        db.session.add(UserTag(user_id=fran, tag="swimming"))
        db.session.commit()
        befriend(fran, shared)
        befriend(user, shared)

    card = client.get(f"/api/v1/users/{fran}/", headers=auth_headers).json

    assert card == {
        "id": fran,
        "username": "fran",
        "avatar": None,
        "privacy": "friends",
        "is_limited": True,
        "mutual_friends_count": 1,
    }


def test_listing_people_with_tags_and_friends_costs_the_same_queries_for_two_or_twelve(
    app, client, auth_headers, user, make_user, count_queries
):
    def add_runners(first: int, count: int) -> None:
        with app.app_context():
            for n in range(first, first + count):
                runner = make_user(username=f"runner{n:02}", privacy=("public", "friends")[n % 2])
                db.session.add_all([UserTag(user_id=runner, tag=f"tag{n}"), UserTag(user_id=runner, tag="run")])
                db.session.commit()
                befriend(runner, user)

    def queries(expected: int) -> int:
        with count_queries() as counter:
            response = client.get("/api/v1/users/?q=runner&page_size=100", headers=auth_headers)
        assert len(response.json) == expected
        assert all(r["tags"] and r["friends_count"] == 1 and r["mutual_friends_count"] == 0 for r in response.json)
        return counter.count

    add_runners(0, 2)
    queries(2)
    with_two = queries(2)
    add_runners(2, 10)

    assert queries(12) == with_two


def test_reading_someones_profile_with_its_counts_and_badges_is_two_queries_beside_the_login(
    client, auth_headers, make_user, count_queries
):
    bob = make_user(username="bob")

    with count_queries() as counter:
        response = client.get(f"/api/v1/users/{bob}/", headers=auth_headers)

    assert response.status_code == 200
    assert counter.count == 3, counter.statements
