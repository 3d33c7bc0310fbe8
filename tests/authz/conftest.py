"""The authorisation matrix's people and the one way a matrix row is checked (tests/authz/README in
test_route_coverage.py's docstring): every route with an object id, for every kind of caller."""

import pytest

from app.extensions import db
from app.models import User
from app.services import coaching
from tests.factories.friends import befriend

ACTORS = ("anonymous", "alice", "bob", "mallory", "coach", "stranger", "root")
"""anonymous (no token), alice (the owner of every object), bob (alice's friend), mallory (another user),
coach (alice's assigned trainer), stranger (a trainer not assigned to alice), root (an admin)."""


def outcome(**statuses: int) -> dict[str, int]:
    """A row's expected statuses: `outcome(default=404, alice=200, coach=200)`; anonymous is 401 unless given."""
    default = statuses.pop("default")
    expected = dict.fromkeys(ACTORS, default) | {"anonymous": 401}
    unknown = set(statuses) - set(ACTORS)
    assert not unknown, f"not an actor: {unknown}"
    return expected | statuses


def fill(value, world: dict):
    """`"{name}"` alone becomes the world's value (an int); inside a longer string it is formatted in."""
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value.count("{") == 1:
        return world[value[1:-1]]
    return value.format(**world) if isinstance(value, str) else value


@pytest.fixture
def actors(app, make_user) -> dict[str, int]:
    """The matrix's people, by username; bob and alice are friends, coach trains alice."""
    ids = {
        "alice": make_user(username="alice"),
        "bob": make_user(username="bob"),
        "mallory": make_user(username="mallory"),
        "coach": make_user(username="coach", role="trainer"),
        "stranger": make_user(username="stranger", role="trainer"),
        "root": make_user(username="root", role="admin"),
    }
    with app.app_context():
        befriend(ids["alice"], ids["bob"])
        coaching.assign(db.session.get(User, ids["root"]), ids["coach"], ids["alice"])
    return ids


@pytest.fixture
def check_row(client, headers_of):
    """`check_row(build_world, method, path, body, expected)`: each actor calls the route on a world of its own
    (`build_world()` returns the ids a path or body names, built anew), and every status is as expected; every
    refusal is in the one error shape."""

    def check(build_world, method: str, path: str, body, expected: dict[str, int]) -> None:
        seen = {}
        for actor in ACTORS:
            world = build_world()
            headers = {} if actor == "anonymous" else headers_of(actor)
            response = client.open(
                "/api/v1" + fill(path, world), method=method, json=fill(body, world), headers=headers
            )
            seen[actor] = response.status_code
            if response.status_code >= 400:
                assert response.json["code"] == response.status_code and response.json["message"], response.json
        assert seen == expected

    return check
