"""Every route that names an object in its path has a row in an authorisation matrix: the outcome for anonymous,
the owner, a friend, another user, the owner's trainer, another trainer and an admin (tests/authz/conftest.py).
A new route without a row fails here, naming it.

The matrices: tests/test_permissions.py (training and events, without anonymous and friend: its own rule checks
that anonymous callers get 401), tests/authz/test_personal_matrix.py (goals, metrics, habits, files, accounts,
memberships, notifications, sessions), tests/authz/test_posts_matrix.py (posts, comments, reactions, shares,
media, moderation) and tests/authz/test_community_matrix.py (friends, blocks, chat, groups, challenges)."""

import re

import pytest
from werkzeug.exceptions import HTTPException

from tests import test_permissions
from tests.authz import test_community_matrix, test_personal_matrix, test_posts_matrix

MATRICES = {
    "tests/test_permissions.py": test_permissions.MATRIX,
    "tests/authz/test_personal_matrix.py": test_personal_matrix.MATRIX,
    "tests/authz/test_posts_matrix.py": test_posts_matrix.MATRIX,
    "tests/authz/test_community_matrix.py": test_community_matrix.MATRIX,
}
EXEMPT = {
    # Telegram's calls, authenticated by the secret in the path and a header (tests/telegram), never a person's.
    ("/api/v1/telegram/webhook/<string:secret>", "POST"): "a machine's route",
}


def rules_with_objects(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.arguments and rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def covered(app) -> dict[tuple[str, str], str]:
    """The rule each matrix row reaches (its placeholders filled with 1), and which matrix has it."""
    adapter = app.url_map.bind("localhost")
    found = {}
    for source, matrix in MATRICES.items():
        for method, path, *_ in matrix:
            url = "/api/v1" + re.sub(r"\{[a-z_]+\}", "1", path.split("?")[0])
            try:
                rule, _ = adapter.match(url, method=method, return_rule=True)
            except HTTPException as error:
                pytest.fail(f"{source}: {method} {path} reaches no route ({error})")
            found[(rule.rule, method)] = source
    return found


def test_every_route_with_an_object_id_has_a_row_in_a_matrix(app):
    missing = sorted(rules_with_objects(app) - set(covered(app)) - set(EXEMPT))

    assert not missing, "routes without an authorisation row:\n" + "\n".join(f"  {m} {r}" for r, m in missing)


def test_the_exemptions_are_real_routes(app):
    assert set(EXEMPT) <= rules_with_objects(app)
