"""The social cast of the privacy matrix, and a caller that speaks as any of them.

alice posts; bob is her friend; carol is bob's friend (a friend of a friend); dave is a stranger; alice blocked
mallory; eve blocked alice; mod is a trainer (a moderator); root is an admin."""

import pytest

from tests.factories.friends import befriend, block

USERNAMES = {
    "author": "alice",
    "friend": "bob",
    "friend_of_friend": "carol",
    "stranger": "dave",
    "blocked": "mallory",
    "blocker": "eve",
    "moderator": "mod",
    "admin": "root",
}
VIEWERS = tuple(USERNAMES)


@pytest.fixture
def social(app, make_user) -> dict[str, int]:
    """Ids by role (`author`, `friend`, …) and by username."""
    roles = {"moderator": "trainer", "admin": "admin"}
    ids = {role: make_user(username=name, role=roles.get(role, "user")) for role, name in USERNAMES.items()}
    with app.app_context():
        befriend(ids["author"], ids["friend"])
        befriend(ids["friend"], ids["friend_of_friend"])
        block(ids["author"], ids["blocked"])
        block(ids["blocker"], ids["author"])
    return ids | {USERNAMES[role]: user_id for role, user_id in ids.items()}


@pytest.fixture
def api(client, headers_of):
    """`api(viewer, method, path, json=None)`: a call to /api/v1 as one of the cast (a role or a username)."""

    def call(viewer: str, method: str, path: str, json=None, **kwargs):
        headers = headers_of(USERNAMES.get(viewer, viewer))
        return client.open("/api/v1" + path, method=method, json=json, headers=headers, **kwargs)

    return call


@pytest.fixture
def make(app):
    """`make(Factory, **fields)`: a row made in an app context; returns its id (or the row's primary key)."""

    def maker(factory, **fields):
        with app.app_context():
            row = factory(**fields)
            return getattr(row, "id", None) or row

    return maker
