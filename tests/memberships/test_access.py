"""get_tier_for and get_member_for: everyone reads tiers, admins change them; a membership is read by its
holder, their trainers and admins, changed by admins; for anyone else it does not exist (404)."""

import pytest

from app.errors import Forbidden, NotFound
from app.models import MembershipTier
from app.models.base import utcnow
from app.services import memberships
from tests.conftest import bearer, login


@pytest.fixture
def tier_id(people) -> int:
    data = {"access_level": "premium", "price": 19, "currency": "EUR"}
    return memberships.create_tier(data).id


def test_everyone_reads_a_tier_and_only_admins_change_it(db, people, tier_id):
    assert memberships.get_tier_for(people["mallory"], tier_id).access_level == "premium"
    assert memberships.get_tier_for(people["root"], tier_id, to_change=True).id == tier_id

    with pytest.raises(Forbidden, match="Only admins change membership tiers."):
        memberships.update_tier(people["coach"], tier_id, {"description": "Mine"})
    with pytest.raises(Forbidden):
        memberships.delete_tier(people["coach"], tier_id)
    assert db.session.get(MembershipTier, tier_id).description is None


def test_a_membership_is_read_by_its_holder_her_trainer_and_admins(people):
    alice_id = people["alice"].id

    for name in ("alice", "coach", "root"):
        assert memberships.get_member_for(people[name], alice_id).id == alice_id
    with pytest.raises(NotFound, match="No such client of yours."):
        memberships.get_member_for(people["mallory"], alice_id)


@pytest.mark.parametrize("name", ["alice", "coach"])
def test_only_admins_change_a_membership(people, tier_id, name):
    with pytest.raises(Forbidden, match="Only admins change memberships."):
        memberships.get_member_for(people[name], people["alice"].id, to_change=True, lock=True)
    with pytest.raises(Forbidden):
        memberships.set_membership(people[name], people["alice"].id, tier_id, "active")

    assert memberships.my_membership(people["alice"])["tier"] is None


def test_a_deleted_account_has_no_membership_to_read_or_change(db, people):
    people["mallory"].deleted_at = utcnow()
    db.session.commit()

    with pytest.raises(NotFound, match="No such user."):
        memberships.get_member_for(people["root"], people["mallory"].id, to_change=True, lock=True)


def test_history_follows_the_read_rule(db, people, tier_id):
    memberships.set_membership(people["root"], people["alice"].id, tier_id, "active")

    history = db.session.scalars(memberships.membership_history(people["coach"], people["alice"].id)).all()

    assert [(change.to_tier_id, change.to_client_status) for change in history] == [(tier_id, "active")]
    with pytest.raises(NotFound):
        memberships.membership_history(people["mallory"], people["alice"].id)


def test_over_http_someone_elses_membership_is_not_found(client, people):
    mallory = bearer(login(client, "mallory")["access_token"])

    response = client.get(f"/api/v1/users/{people['alice'].id}/membership/", headers=mallory)

    assert response.status_code == 404 and response.json["message"] == "No such client of yours."
