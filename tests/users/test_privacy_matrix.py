"""What a profile's privacy shows to whom, through HTTP: {public, friends, private} × {stranger, friend,
friend of a friend, blocked (either way), self, admin}, by id and in search."""

import pytest

from app.extensions import db
from app.models import Block, Role, User
from tests.factories.friends import befriend

FULL, CARD, GONE = "full", "card", "404"
EXPECTED = {
    "public": {"stranger": FULL, "friend": FULL, "friend_of_friend": FULL, "blocked": GONE, "blocker": GONE},
    "friends": {"stranger": CARD, "friend": FULL, "friend_of_friend": CARD, "blocked": GONE, "blocker": GONE},
    "private": {"stranger": CARD, "friend": CARD, "friend_of_friend": CARD, "blocked": GONE, "blocker": GONE},
}
for row in EXPECTED.values():
    row.update({"self": FULL, "admin": FULL})
VIEWERS = ["stranger", "friend", "friend_of_friend", "blocked", "blocker", "self", "admin"]


@pytest.fixture
def world(app, make_user) -> dict[str, int]:
    """`owner` and one viewer of each kind: `blocked` was blocked by the owner, `blocker` blocked the owner."""
    ids = {kind: make_user(username=kind) for kind in VIEWERS if kind != "self"}
    ids["owner"] = ids["self"] = make_user(username="owner", first_name="Owen", job="Welder")
    with app.app_context():
        db.session.get(User, ids["admin"]).role = Role.ADMIN
        db.session.add_all(
            [
                Block(blocker_id=ids["owner"], blocked_id=ids["blocked"]),
                Block(blocker_id=ids["blocker"], blocked_id=ids["owner"]),
            ]
        )
        db.session.commit()
        befriend(ids["owner"], ids["friend"])
        befriend(ids["friend"], ids["friend_of_friend"])
    return ids


def set_privacy(app, user_id: int, privacy: str) -> None:
    with app.app_context():
        db.session.get(User, user_id).privacy = privacy
        db.session.commit()


def shown(response) -> str:
    if response.status_code == 404:
        return GONE
    assert response.status_code == 200, response.json
    body = response.json
    if body["is_limited"]:
        assert "first_name" not in body and "job" not in body and "tags" not in body and "friends_count" not in body
        return CARD
    assert body["first_name"] == "Owen" and body["job"] == "Welder" and body["friends_count"] == 1
    return FULL


@pytest.mark.parametrize("privacy", list(EXPECTED))
@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_profile_by_id_shows_what_its_privacy_allows_the_viewer(app, client, headers_of, world, privacy, viewer):
    set_privacy(app, world["owner"], privacy)

    response = client.get(
        f"/api/v1/users/{world['owner']}/", headers=headers_of(viewer if viewer != "self" else "owner")
    )

    assert shown(response) == EXPECTED[privacy][viewer]


@pytest.mark.parametrize("privacy", list(EXPECTED))
@pytest.mark.parametrize("viewer", VIEWERS)
def test_search_lists_the_profile_as_by_id_except_private_ones_for_others(
    app, client, headers_of, world, privacy, viewer
):
    set_privacy(app, world["owner"], privacy)

    found = client.get("/api/v1/users/?q=owen", headers=headers_of(viewer if viewer != "self" else "owner")).json

    expected = EXPECTED[privacy][viewer]
    if privacy == "private" and viewer != "self":
        expected = GONE  # private profiles are found by nobody else, admins included
    if expected == GONE:
        assert found == []
    else:
        assert len(found) == 1 and ("card" if found[0]["is_limited"] else "full") == expected
