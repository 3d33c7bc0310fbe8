"""Two people asking each other at the same moment become friends: the pair's one pending request (a unique
index) makes the second insert wait for the first and yield to it, and the second request becomes the
acceptance of the first. Runs on both databases; on PostgreSQL the waiting is the unique index's."""

import threading

from sqlalchemy import select

from app.extensions import db
from app.models import FriendRequest, Friendship, Notification, User
from app.services import friends
from tests.concurrency import race, statuses

PAIRS = 5


def test_two_people_asking_each_other_at_once_become_friends(app, social):
    ann, bob = social.ids["ann"], social.ids["bob"]
    bodies = {0: {"user_id": bob}, 1: {"user_id": ann}}
    senders = {0: "ann", 1: "bob"}

    responses = race(
        app,
        2,
        lambda client, n: client.post(
            "/api/v1/friend-requests/", json=bodies[n], headers=social.headers_of(senders[n])
        ),
    )

    assert statuses(responses) == {201: 2}, [r.json for r in responses]
    assert sorted(r.json["status"] for r in responses) == ["accepted", "pending"]
    assert social.pair_state("ann", "bob") == {"pending": None, "friends": True, "blocks": frozenset()}


def test_both_passing_the_check_before_either_inserts_still_end_as_friends(app_factory, social, monkeypatch):
    """Forces the race: each thread looks for a pending request, finds none, and only then do both insert.
    The second insert finds the pair taken and accepts the first request instead."""
    ann, bob = social.ids["ann"], social.ids["bob"]
    apps = [app_factory(), app_factory()]  # each thread: its own app, engine and connection
    barrier, looked = threading.Barrier(2, timeout=30), threading.local()
    look = friends._pending_between

    def look_then_wait(user_id, other_id):
        found = look(user_id, other_id)
        if not getattr(looked, "once", False):
            looked.once = True
            barrier.wait()  # both have looked (and found nothing) before either inserts
        return found

    monkeypatch.setattr(friends, "_pending_between", look_then_wait)
    insert, inserted = friends._insert_request, []
    monkeypatch.setattr(friends, "_insert_request", lambda draft: inserted.append(insert(draft)) or inserted[-1])
    results, errors = {}, []

    def send(n: int, sender_id: int, recipient_id: int) -> None:
        try:
            with apps[n].app_context():
                results[n] = friends.send_friend_request(db.session.get(User, sender_id), recipient_id)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(0, ann, bob)), threading.Thread(target=send, args=(1, bob, ann))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(request is None for request in inserted) == [False, True]  # the second insert yielded
    assert sorted(result["status"] for result in results.values()) == ["accepted", "pending"]
    assert social.pair_state("ann", "bob") == {"pending": None, "friends": True, "blocks": frozenset()}
    with apps[0].app_context():
        told = db.session.execute(select(Notification.type, Notification.recipient_id)).all()
    first_sender = next(result["sender_id"] for result in results.values() if result["status"] == "pending")
    second_sender = bob if first_sender == ann else ann
    assert sorted(told) == sorted([("friend_request", second_sender), ("friend_accepted", first_sender)])


def test_many_pairs_asking_each_other_at_once_all_become_friends(app, make_user, headers_of):
    people = [(make_user(username=f"left{n}"), make_user(username=f"right{n}")) for n in range(PAIRS)]

    def ask(client, n):
        pair, side = people[n // 2], n % 2
        name = f"{'left' if side == 0 else 'right'}{n // 2}"
        return client.post("/api/v1/friend-requests/", json={"user_id": pair[1 - side]}, headers=headers_of(name))

    for n in range(2 * PAIRS):  # log everyone in first: logins are not what races here
        headers_of(f"{'left' if n % 2 == 0 else 'right'}{n // 2}")
    responses = race(app, 2 * PAIRS, ask)

    assert statuses(responses) == {201: 2 * PAIRS}, [r.json for r in responses]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(FriendRequest)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(Friendship)) == 2 * PAIRS  # two rows each


def test_a_double_click_sends_one_request(app, social):
    responses = race(
        app,
        2,
        lambda client, n: client.post(
            "/api/v1/friend-requests/", json={"user_id": social.ids["bob"]}, headers=social.headers_of("ann")
        ),
    )

    assert statuses(responses) == {201: 1, 409: 1}
    assert social.pair_state("ann", "bob")["pending"] == ("ann", "bob")
