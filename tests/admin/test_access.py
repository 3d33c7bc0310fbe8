"""get_account_for: admins read and change any account not deleted, deactivated ones too; nobody else
administers accounts, whether through a route or by calling the service."""

import pytest

from app.errors import Forbidden, NotFound
from app.models import User
from app.models.base import utcnow
from app.services import users
from app.services.audit import ClientInfo
from tests.conftest import bearer, login


def test_an_admin_gets_a_deactivated_account(db, people):
    people["alice"].deactivated_at = utcnow()
    db.session.commit()

    assert users.get_account_for(people["root"], people["alice"].id).username == "alice"


def test_a_deleted_account_is_not_found(db, people):
    people["alice"].deleted_at = utcnow()
    db.session.commit()

    with pytest.raises(NotFound, match="No such user."):
        users.get_account_for(people["root"], people["alice"].id)


def test_a_trainer_may_not_administer_accounts(db, people):
    with pytest.raises(Forbidden, match="Only admins administer accounts."):
        users.get_account_for(people["coach"], people["alice"].id)
    with pytest.raises(Forbidden):
        users.admin_update_user(people["coach"], people["alice"].id, {"role": "admin"}, ClientInfo())

    db.session.rollback()
    assert db.session.get(User, people["alice"].id).role == "user"


def test_over_http_a_deleted_account_is_404_for_admins(client, db, people):
    people["alice"].deleted_at = utcnow()
    db.session.commit()
    root = bearer(login(client, "root")["access_token"])

    response = client.get(f"/api/v1/admin/users/{people['alice'].id}/", headers=root)

    assert response.status_code == 404 and response.json["message"] == "No such user."
