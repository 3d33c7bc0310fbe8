"""Operator commands: accounts, roles, deactivation and pruning."""

from datetime import timedelta

from app.extensions import db
from app.models import AuditEvent, AuditType, AuthSession, OneTimeToken, User
from app.models.base import utcnow
from tests.conftest import bearer, login


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
        stale = AuthSession(id="s" * 32, user_id=user, created_at=long_ago, last_used_at=long_ago, expires_at=long_ago)
        db.session.add(stale)
        db.session.add(OneTimeToken(user_id=user, purpose="password_reset", token_hash="h" * 64, expires_at=long_ago))
        db.session.commit()

    result = run(app, "tokens", "prune")

    assert result.exit_code == 0, result.output
    assert "pruned 2 rows" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuthSession)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(OneTimeToken)) == 1


def test_the_periodic_prune_job_prunes_sessions(app, user):
    long_ago = utcnow() - timedelta(days=60)
    with app.app_context():
        db.session.add(
            AuthSession(id="p" * 32, user_id=user, created_at=long_ago, last_used_at=long_ago, expires_at=long_ago)
        )
        db.session.commit()

    result = run(app, "jobs", "run", "prune_expired")

    assert "'auth': 1" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuthSession)) == 0
