"""Membership changes at once, on PostgreSQL (the group's row lock) and SQLite (its write lock) alike."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import GroupMember, GroupRole
from tests.concurrency import race, statuses
from tests.conftest import bearer, login
from tests.factories.groups import make_group


def test_two_admins_leaving_at_once_leave_one_admin(app, make_user):
    ann, bob = make_user(username="ann"), make_user(username="bob")
    with app.app_context():
        group_id = make_group(ann, members=(bob,))
        db.session.execute(
            GroupMember.__table__.update().where(GroupMember.user_id == bob).values(role=GroupRole.ADMIN)
        )
        db.session.commit()
    client = app.test_client()
    tokens = [login(client, name)["access_token"] for name in ("ann", "bob")]

    responses = race(app, 2, lambda c, n: c.delete(f"/api/v1/groups/{group_id}/join/", headers=bearer(tokens[n])))

    assert statuses(responses) == {204: 1, 422: 1}
    with app.app_context():
        admins = select(func.count()).where(GroupMember.group_id == group_id, GroupMember.role == GroupRole.ADMIN)
        assert db.session.scalar(admins) == 1


def test_many_joining_a_public_group_at_once_each_join_once(app, make_user):
    owner = make_user(username="owner")
    names = [f"runner{n}" for n in range(8)]
    for name in names:
        make_user(username=name)
    with app.app_context():
        group_id = make_group(owner)
    client = app.test_client()
    tokens = [login(client, name)["access_token"] for name in names]

    responses = race(app, 8, lambda c, n: c.post(f"/api/v1/groups/{group_id}/join/", headers=bearer(tokens[n])))

    assert statuses(responses) == {200: 8}
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(GroupMember.group_id == group_id)) == 9
