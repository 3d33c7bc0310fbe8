"""Moderation at once (PostgreSQL or SQLite): the same report sent many times is stored once; moderators acting on
the same content or report take turns, so it is hidden, notified and resolved once, and nobody deadlocks."""

from tests.concurrency import race, statuses
from tests.moderation.conftest import API, audit_events, notifications_of

CALLS = 8


def test_the_same_report_sent_at_once_is_stored_once(app, cast, headers_of, make_post):
    post = make_post(cast["alice"])
    headers = headers_of("mallory")
    body = {"target_type": "post", "target_id": post, "reason": "Spam"}

    responses = race(app, CALLS, lambda c, n: c.post(f"{API}/flags/", json=body, headers=headers))

    assert statuses(responses) == {201: 1, 409: CALLS - 1}, [r.json for r in responses]


def test_moderators_hiding_the_same_post_at_once_hide_and_notify_once(app, cast, headers_of, make_post):
    post = make_post(cast["alice"])
    moderators = [headers_of(name) for name in ("coach", "stranger", "root")]

    responses = race(app, CALLS, lambda c, n: c.post(f"{API}/post/{post}/hide/", headers=moderators[n % 3]))

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses]
    assert len({r.json["hidden_at"] for r in responses}) == 1
    assert len(notifications_of(app, cast["alice"])) == 1
    assert len(audit_events(app, "content_hidden")) == 1


def test_resolving_and_hiding_one_reports_target_at_once_neither_deadlocks_nor_resolves_twice(
    app, cast, headers_of, make_post, report
):
    post = make_post(cast["alice"])
    flag = report("mallory", post).json["id"]
    coach, root = headers_of("coach"), headers_of("root")

    def act(client, n):
        if n % 2:
            return client.post(f"{API}/post/{post}/hide/", headers=coach)
        return client.post(f"{API}/flags/{flag}/resolve/", json={"hide": True}, headers=root)

    responses = race(app, CALLS, act)

    resolves = statuses(r for n, r in enumerate(responses) if n % 2 == 0)
    assert resolves[500] == 0 and resolves[200] <= 1, [r.json for r in responses]
    assert statuses(r for n, r in enumerate(responses) if n % 2) == {200: CALLS // 2}
    assert len(audit_events(app, "flag_resolved")) == 1
    assert len(audit_events(app, "content_hidden")) == 1
    assert len(notifications_of(app, cast["alice"])) == 1
