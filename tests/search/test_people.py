"""Searching people (`type=users`): who is found, and in which order."""

import pytest

from app.models.base import utcnow
from tests.conftest import REAL_DATABASE_URL
from tests.factories import UserFactory
from tests.factories.friends import befriend

is_postgresql = (REAL_DATABASE_URL or "").startswith("postgresql")


@pytest.fixture
def johns(make, social) -> dict[str, int]:
    """People matching "john" in each tier: the exact username, prefixes of a username and of a last name, and a
    word of a bio."""
    return {
        "bio": make(UserFactory, username="walker", bio="Runs every Sunday with john"),
        "last_name": make(UserFactory, username="mary", last_name="Johnston"),
        "username_prefix": make(UserFactory, username="johnny"),
        "exact": make(UserFactory, username="john"),
    }


def test_an_exact_username_comes_first_then_names_starting_with_the_words_then_other_matches(found, johns):
    ids = found("stranger", "john", "users")

    assert ids[0] == johns["exact"]
    assert set(ids[1:3]) == {johns["username_prefix"], johns["last_name"]}
    assert ids[3:] == [johns["bio"]]


def test_the_exact_username_is_matched_in_any_case(found, johns):
    assert found("stranger", "JOHN", "users")[0] == johns["exact"]


def test_a_card_shows_only_who_someone_is(search, johns):
    item = search("stranger", "john", "users").json["items"][0]

    assert item == {"id": johns["exact"], "username": "john", "avatar": None, "privacy": "public"}


def test_whoever_matches_every_word_comes_first(found, johns):
    assert found("stranger", "mary johnst", "users")[0] == johns["last_name"]


def test_a_private_profile_is_found_by_nobody_but_its_owner(found, app, make, social):
    private = make(UserFactory, username="hermit", privacy="private")
    with app.app_context():
        befriend(social["author"], private)

    assert found("stranger", "hermit", "users") == []
    assert found("author", "hermit", "users") == []  # not even by a friend: private profiles are never listed
    assert found("hermit", "hermit", "users") == [private]


def test_a_friends_only_profile_is_found_by_anyone_not_blocked(found, make, social):
    someone = make(UserFactory, username="quiet", privacy="friends")

    assert found("stranger", "quiet", "users") == [someone]


@pytest.mark.parametrize(
    ("viewer", "other"), [("alice", "mallory"), ("mallory", "alice"), ("alice", "eve"), ("eve", "alice")]
)
def test_people_blocked_either_way_never_find_each_other(found, social, viewer, other):
    assert found(viewer, other, "users") == []
    assert found("dave", other, "users") == [social[other]]


@pytest.mark.parametrize("field", ["deactivated_at", "deleted_at"])
def test_deactivated_and_deleted_people_are_not_found(found, make, social, field):
    make(UserFactory, username="ghost", **{field: utcnow()})

    assert found("stranger", "ghost", "users") == []


@pytest.mark.skipif(
    not is_postgresql, reason="typo tolerance is a PostgreSQL feature (pg_trgm); SQLite only matches words"
)
def test_a_username_or_name_with_a_typo_is_still_found(found, make, social):
    john = make(UserFactory, username="john")
    smith = make(UserFactory, username="anna", last_name="Smith")

    assert found("stranger", "jonh", "users") == [john]
    assert found("stranger", "smyth", "users") == [smith]
