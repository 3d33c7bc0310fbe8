"""Operator commands: accounts, roles, deactivation and pruning."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, AuditType, AuthSession, OneTimeToken, User
from app.models.base import utcnow
from tests.conftest import bearer, login
from tests.factories import AuthSessionFactory, OneTimeTokenFactory


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_makes_an_account_with_a_role(app, client):
    result = run(app, "users", "create", "Boss", "--email", "boss@x.io", "--role", "admin", "--password", "p" * 12)

    assert result.exit_code == 0, result.output
    assert "created boss" in result.output
    assert login(client, "boss", "p" * 12)["user"]["role"] == "admin"


def test_users_create_validates_like_registration(app, user):
    result = run(app, "users", "create", "alice", "--email", "bad", "--password", "short")

    assert result.exit_code != 0
    assert "email" in result.output and "password" in result.output
    duplicate = run(app, "users", "create", "alice", "--email", "a2@x.io", "--password", "p" * 12)
    assert duplicate.exit_code != 0 and "username" in duplicate.output


def test_users_set_role_changes_the_role_and_audits_it(app, user):
    result = run(app, "users", "set-role", "alice", "trainer")

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(User, user).role == "trainer"
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.type == AuditType.ROLE_CHANGED))
    assert run(app, "users", "set-role", "nobody", "admin").exit_code != 0
    assert run(app, "users", "set-role", "alice", "emperor").exit_code != 0


def test_users_deactivate_ends_the_sessions(app, client, tokens):
    result = run(app, "users", "deactivate", "alice")

    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/profile/", headers=bearer(tokens["access_token"])).status_code == 401


def test_tokens_prune_deletes_only_what_can_no_longer_be_used(app, client, user):
    login(client, "alice")
    client.post("/api/v1/password-reset/", json={"email": "alice@example.com"})
    long_ago = utcnow() - timedelta(days=60)
    with app.app_context():
        AuthSessionFactory(user_id=user, created_at=long_ago, last_used_at=long_ago, expires_at=long_ago)
        OneTimeTokenFactory(user_id=user, expires_at=long_ago)

    result = run(app, "tokens", "prune")

    assert result.exit_code == 0, result.output
    assert "pruned 2 rows" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuthSession)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(OneTimeToken)) == 1


def test_the_periodic_prune_job_prunes_sessions(app, user):
    long_ago = utcnow() - timedelta(days=60)
    with app.app_context():
        AuthSessionFactory(user_id=user, created_at=long_ago, last_used_at=long_ago, expires_at=long_ago)

    result = run(app, "jobs", "run", "prune_expired")

    assert "'auth': 1" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuthSession)) == 0


def test_users_activate_undoes_a_deactivation_and_audits_it(app, client, user):
    run(app, "users", "deactivate", "alice")
    assert client.post("/api/v1/login/", json={"username": "alice", "password": "x" * 12}).status_code == 401

    result = run(app, "users", "activate", "Alice")

    assert result.exit_code == 0, result.output
    assert "alice is active" in result.output
    login(client, "alice")
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.type == AuditType.ACCOUNT_REACTIVATED))
        assert event is not None and event.user_id == user
    again = run(app, "users", "activate", "alice")
    assert again.exit_code == 0 and "alice is active" in again.output  # already active: nothing to do


def test_users_activate_refuses_unknown_and_deleted_accounts(app, user, make_user):
    gone = make_user(username="gone", deleted_at=utcnow())

    unknown = run(app, "users", "activate", "nobody")
    deleted = run(app, "users", "activate", "gone")

    assert unknown.exit_code != 0 and "No user named" in unknown.output
    assert deleted.exit_code != 0 and "deleted" in deleted.output
    with app.app_context():
        assert db.session.get(User, gone).deleted_at is not None


@pytest.fixture
def accounts(app, make_user) -> None:
    make_user(username="alice", email="alice@example.com")
    make_user(username="coach", email="coach@gym.io", role="trainer")
    make_user(username="root", email="root@example.com", role="admin")
    make_user(username="mallory", email="mallory@example.com", deactivated_at=utcnow())
    make_user(username="gone", email="gone@example.com", deleted_at=utcnow())


def listed(output: str) -> list[str]:
    """The usernames in the table, in order (its first two lines are the header and the rule)."""
    lines = output.splitlines()
    assert lines[0].split()[:5] == ["ID", "USERNAME", "EMAIL", "ROLE", "STATUS"]
    assert set(lines[1]) <= {"-", " "}
    return [line.split()[1] for line in lines[2:-1]]


def test_users_list_shows_every_account_not_deleted_as_a_table(app, accounts):
    result = run(app, "users", "list")

    assert result.exit_code == 0, result.output
    assert listed(result.output) == ["alice", "coach", "root", "mallory"]
    mallory = next(line for line in result.output.splitlines() if " mallory " in line)
    assert mallory.split()[2:5] == ["mallory@example.com", "user", "deactivated"]
    assert mallory.split()[-1] == "never"  # never logged in
    assert result.output.splitlines()[-1] == "4 account(s)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role", "trainer"], ["coach"]),
        (["--inactive"], ["mallory"]),
        (["--active"], ["alice", "coach", "root"]),
        (["--search", "EXAMPLE.com", "--active"], ["alice", "root"]),
        (["--role", "admin", "--inactive"], []),
    ],
)
def test_users_list_filters(app, accounts, args, expected):
    result = run(app, "users", "list", *args)

    assert result.exit_code == 0, result.output
    if expected:
        assert listed(result.output) == expected
    else:
        assert result.output.strip() == "no accounts match"


def test_users_list_says_when_the_limit_hides_accounts(app, accounts):
    result = run(app, "users", "list", "--limit", "2")

    assert listed(result.output) == ["alice", "coach"]
    assert result.output.splitlines()[-1] == "showing 2 of 4 accounts (raise --limit for more)"
    assert run(app, "users", "list", "--role", "emperor").exit_code != 0


def test_users_list_columns_line_up(app, accounts):
    lines = run(app, "users", "list").output.splitlines()[:-1]

    start = lines[0].index("EMAIL")
    assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines[2:])
