"""Concurrent password changes (PostgreSQL or SQLite): they take turns on the user's row, so of many changes sent
at once with the same current password exactly one succeeds; the rest find it no longer current."""

from tests.concurrency import race, statuses
from tests.conftest import login
from tests.factories import DEFAULT_PASSWORD

CALLS = 20


def test_of_twenty_changes_with_the_same_current_password_exactly_one_succeeds(app, client, auth_headers):
    def change(client, n):
        body = {"current_password": DEFAULT_PASSWORD, "new_password": f"new secret number {n}"}
        return client.put("/api/v1/change-password/", json=body, headers=auth_headers)

    responses = race(app, CALLS, change)

    assert statuses(responses) == {200: 1, 422: CALLS - 1}, statuses(responses)
    refused = [r.json for r in responses if r.status_code == 422]
    assert all(set(body["errors"]["json"]) == {"current_password"} for body in refused)
    winner = next(n for n, r in enumerate(responses) if r.status_code == 200)
    login(client, "alice", f"new secret number {winner}")
    losers = [n for n in range(CALLS) if n != winner][:3]
    for n in losers:
        body = {"username": "alice", "password": f"new secret number {n}"}
        assert client.post("/api/v1/login/", json=body).status_code == 401
