"""The one privacy rule: `can_see` for one object and its SQL twin `visible_to` for lists agree on every case."""

import pytest
from sqlalchemy import select

from app.models import Privacy, Role, User
from app.services import visibility
from tests.conftest import login

PRIVACIES = [str(p) for p in Privacy]
# privacy -> viewer kind -> sees it? (no friendships yet: a friends-only thing is seen by its owner and admins)
EXPECTED = {
    "public": {"self": True, "stranger": True, "trainer": True, "admin": True},
    "friends": {"self": True, "stranger": False, "trainer": False, "admin": True},
    "private": {"self": True, "stranger": False, "trainer": False, "admin": True},
}
VIEWER_KINDS = ["self", "stranger", "trainer", "admin"]


@pytest.fixture
def add_person(db):
    """Store a person directly (no password: these tests never log them in, and hashing is slow)."""

    def add(username: str, **fields) -> User:
        person = User(username=username, email=f"{username}@example.com", password_hash="-", **fields)
        db.session.add(person)
        db.session.commit()
        return person

    return add


@pytest.fixture
def owners(add_person):
    """One owner per privacy."""
    return {privacy: add_person(f"own_{privacy}", privacy=privacy, first_name="Owner") for privacy in PRIVACIES}


@pytest.fixture
def viewers(add_person):
    return {
        "stranger": add_person("stranger"),
        "trainer": add_person("coach", role=Role.TRAINER),
        "admin": add_person("boss", role=Role.ADMIN),
    }


def viewer_of(kind, owner, viewers):
    return owner if kind == "self" else viewers[kind]


@pytest.mark.parametrize("privacy", PRIVACIES)
@pytest.mark.parametrize("kind", VIEWER_KINDS)
def test_can_see_follows_the_rule_for_each_privacy_and_viewer(owners, viewers, privacy, kind):
    owner = owners[privacy]

    assert visibility.can_see(viewer_of(kind, owner, viewers), owner, privacy) is EXPECTED[privacy][kind]


@pytest.mark.parametrize("privacy", PRIVACIES)
@pytest.mark.parametrize("kind", VIEWER_KINDS)
def test_visible_to_selects_exactly_the_rows_can_see_allows(db, owners, viewers, privacy, kind):
    owner = owners[privacy]
    viewer = viewer_of(kind, owner, viewers)

    seen = db.session.scalar(select(User.id).where(User.id == owner.id, visibility.visible_to(viewer)))

    assert (seen == owner.id) is EXPECTED[privacy][kind]


def test_visible_to_works_over_another_tables_owner_and_privacy_columns(db, owners, viewers):
    """A list of things with their own privacy (later posts) reuses the rule by naming its columns."""
    privacy_of_thing = User.privacy  # stands in for a post's `visibility` column
    query = select(User.username).where(
        User.username.startswith("own_", autoescape=True),
        visibility.visible_to(viewers["stranger"], owner_id=User.id, privacy=privacy_of_thing),
    )

    assert db.session.scalars(query).all() == ["own_public"]


@pytest.mark.parametrize("kind", VIEWER_KINDS)
def test_people_lists_hide_private_profiles_from_everyone_but_their_owner(db, owners, viewers, kind):
    viewer = viewer_of(kind, owners["private"], viewers)

    listed = set(db.session.scalars(select(User.username).where(visibility.listed_to(viewer))))

    assert {"own_public", "own_friends"} <= listed
    assert ("own_private" in listed) is (kind == "self")


def test_an_admin_reads_friends_only_and_private_profiles_in_full_but_lists_no_private_one(client, owners, make_user):
    make_user(username="boss", role=Role.ADMIN)
    headers = {"Authorization": f"Bearer {login(client, 'boss')['access_token']}"}

    listed = {u["username"]: u for u in client.get("/api/v1/users/?q=own_", headers=headers).json}
    private = client.get(f"/api/v1/users/{owners['private'].id}/", headers=headers).json

    assert listed["own_friends"]["is_limited"] is False and "own_private" not in listed
    assert private["is_limited"] is False and private["first_name"] == "Owner"


def test_listing_people_costs_the_same_queries_for_two_people_or_twenty(
    client, auth_headers, add_person, count_queries
):
    def add_runners(count: int, first: int) -> None:
        for n in range(first, first + count):
            add_person(f"runner{n:02}", privacy=PRIVACIES[n % 2])  # public and friends-only, alternately

    def queries_to_list(expected: int) -> int:
        with count_queries() as counter:
            response = client.get("/api/v1/users/?q=runner&page_size=100", headers=auth_headers)
        assert len(response.json) == expected
        assert {u["is_limited"] for u in response.json} == {True, False}
        return counter.count

    add_runners(2, first=0)
    with_two = queries_to_list(2)
    add_runners(18, first=2)

    assert queries_to_list(20) == with_two
