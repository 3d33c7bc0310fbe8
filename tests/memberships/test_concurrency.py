"""Concurrent membership changes (PostgreSQL or SQLite): they take turns on the user's row, so an identical PUT repeated
at once is one change and the same answer for all, and racing different PUTs leave an unbroken history."""

from app.extensions import db
from app.models import MembershipChange
from tests.concurrency import race, statuses
from tests.memberships.test_memberships import admin_url

CALLS = 20


def history(app, user_id: int) -> list[MembershipChange]:
    with app.app_context():
        query = db.select(MembershipChange).where(MembershipChange.user_id == user_id).order_by(MembershipChange.id)
        return list(db.session.scalars(query))


def test_twenty_identical_puts_at_once_are_one_change_and_all_succeed(app, cast, tier, headers_of):
    headers, body = headers_of("root"), {"tier_id": tier["id"], "client_status": "active"}

    responses = race(app, CALLS, lambda client, n: client.put(admin_url(cast["alice"]), json=body, headers=headers))

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses if r.status_code != 200]
    assert len({(r.json["tier"]["id"], r.json["client_status"], r.json["updated_at"]) for r in responses}) == 1
    assert len(history(app, cast["alice"])) == 1


def test_different_puts_at_once_all_apply_in_turn_and_the_history_chains(app, cast, tier, headers_of):
    headers, states = headers_of("root"), ["active", "inactive", "on_hold"]

    def put(client, n):
        body = {"tier_id": tier["id"] if n % 2 else None, "client_status": states[n % 3]}
        return client.put(admin_url(cast["alice"]), json=body, headers=headers)

    responses = race(app, CALLS, put)

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses if r.status_code != 200]
    changes = history(app, cast["alice"])
    assert changes[0].from_client_status is None
    for before, after in zip(changes, changes[1:], strict=False):  # each change starts where the last ended
        assert (after.from_tier_id, after.from_client_status) == (before.to_tier_id, before.to_client_status)
