"""Closing ended challenges: every participant ranked in the database (equal values share a rank), badges and
notifications once, however many passes run, even two schedulers at once; badges on profiles; the periodic job."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import func, insert, select

from app.extensions import db
from app.jobs.challenges import close_challenges
from app.jobs.schedule import PERIODIC_JOBS
from app.models import Badge, Challenge, ChallengeParticipant, Notification, NotificationType, User
from app.models.base import utcnow
from app.models.stats import UserStats
from app.services import challenge_closing
from tests.factories import UserFactory

START, END = date(2031, 3, 1), date(2031, 3, 31)
AFTER = END + timedelta(days=1)  # the first day the challenge may be closed


def make_challenge(title: str = "March miles", metric: str = "workouts", end: date = END, **fields) -> int:
    """A challenge (in an app context)."""
    challenge = Challenge(title=title, metric=metric, start_date=START, end_date=end, **fields)
    db.session.add(challenge)
    db.session.commit()
    return challenge.id


def take_part(challenge_id: int, values: dict[int, int]) -> None:
    """Participants with their values: `{user_id: value}` (in an app context)."""
    db.session.add_all(ChallengeParticipant(challenge_id=challenge_id, user_id=u, value=v) for u, v in values.items())
    db.session.commit()


def make_people(n: int, prefix: str = "runner") -> list[int]:
    """`n` accounts in one statement (no password hashing): people to rank, not to log in."""
    rows = [
        {"username": f"{prefix}{i}", "email": f"{prefix}{i}@example.com", "password_hash": "-", "created_at": utcnow()}
        for i in range(n)
    ]
    db.session.execute(insert(User), rows)
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.username.startswith(prefix)).order_by(User.id)))


def close(app, today: date = AFTER) -> int:
    with app.app_context():
        return challenge_closing.close_due_challenges(today)


def ranks(challenge_id: int) -> dict[int, int | None]:
    query = select(ChallengeParticipant.user_id, ChallengeParticipant.final_rank).filter_by(challenge_id=challenge_id)
    return dict(db.session.execute(query).all())


def badges() -> list[tuple[int, str, int | None]]:
    """(user_id, kind, challenge_id) of every badge."""
    query = select(Badge.user_id, Badge.kind, Badge.challenge_id).order_by(Badge.user_id, Badge.kind, Badge.id)
    return [tuple(row) for row in db.session.execute(query)]


def told() -> list[tuple[int, str, dict]]:
    """(recipient, message, data) of every challenge notification, in id order."""
    query = (
        select(Notification.recipient_id, Notification.message, Notification.data, Notification.target_type)
        .filter_by(type=NotificationType.CHALLENGE)
        .order_by(Notification.id)
    )
    rows = db.session.execute(query).all()
    assert {row.target_type for row in rows} <= {"challenge"}
    return [(row.recipient_id, row.message, row.data) for row in rows]


@pytest.fixture
def trio(db):
    """ann 10, bob 10, cat 5 in "March miles"."""
    people = {name: UserFactory(username=name).id for name in ("ann", "bob", "cat")}
    challenge_id = make_challenge()
    take_part(challenge_id, {people["ann"]: 10, people["bob"]: 10, people["cat"]: 5})
    return challenge_id, people


# --- the ranking ----------------------------------------------------------------------------------------------


def test_equal_values_share_a_rank_and_the_next_rank_is_skipped(app, trio):
    challenge_id, people = trio

    assert close(app) == 1

    assert ranks(challenge_id) == {people["ann"]: 1, people["bob"]: 1, people["cat"]: 3}
    assert db.session.get(Challenge, challenge_id).closed_at is not None


def test_every_participant_is_ranked(app, db):
    runners = make_people(500)
    challenge_id = make_challenge()
    values = {user_id: (n * 7919) % 97 for n, user_id in enumerate(runners)}  # many ties
    take_part(challenge_id, values)

    assert close(app) == 1

    expected = {user_id: 1 + sum(other > value for other in values.values()) for user_id, value in values.items()}
    assert ranks(challenge_id) == expected
    assert len(told()) == 500


def test_a_challenge_is_not_closed_before_its_end_date_has_passed(app, trio):
    challenge_id, _ = trio

    assert close(app, today=END) == 0
    assert db.session.get(Challenge, challenge_id).closed_at is None
    assert set(ranks(challenge_id).values()) == {None}
    assert told() == [] and badges() == []

    assert close(app, today=AFTER) == 1


def test_only_active_people_are_ranked_and_told(app, trio):
    challenge_id, people = trio
    db.session.get(User, people["ann"]).deleted_at = utcnow()
    db.session.commit()

    close(app)

    assert ranks(challenge_id) == {people["ann"]: None, people["bob"]: 1, people["cat"]: 2}
    assert {recipient for recipient, _, _ in told()} == {people["bob"], people["cat"]}
    assert people["ann"] not in {user_id for user_id, _, _ in badges()}


def test_a_pass_costs_the_same_statements_for_three_participants_as_for_thirty(app, db):
    def statements_to_close(n: int, prefix: str) -> list[str]:
        challenge_id = make_challenge(title=prefix)
        take_part(challenge_id, dict.fromkeys(make_people(n, prefix), 1))
        seen = []
        listener = lambda conn, cursor, statement, *a: seen.append(" ".join(statement.split()[:3]))  # noqa: E731
        sql_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert challenge_closing.close_due_challenges(AFTER) == 1
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", listener)
        return seen

    assert len(statements_to_close(3, "few")) == len(statements_to_close(30, "many"))


# --- notifications ----------------------------------------------------------------------------------------------


def test_winners_are_told_they_won_and_everyone_else_their_place(app, trio):
    challenge_id, people = trio

    close(app)

    assert sorted(told()) == sorted(
        [
            (people["ann"], "You won March miles!", {"challenge_id": challenge_id, "rank": 1, "value": 10}),
            (people["bob"], "You won March miles!", {"challenge_id": challenge_id, "rank": 1, "value": 10}),
            (
                people["cat"],
                "March miles ended: you finished #3 of 3.",
                {"challenge_id": challenge_id, "rank": 3, "value": 5},
            ),
        ]
    )


def test_values_are_told_in_the_metrics_units_and_nobody_wins_with_nothing(app, db):
    ann, bob = UserFactory().id, UserFactory().id
    distance = make_challenge(title="Far", metric="distance_km")
    take_part(distance, {ann: 5250, bob: 0})
    idle = make_challenge(title="Idle")
    take_part(idle, {ann: 0, bob: 0})

    assert close(app) == 2

    messages = {(recipient, data["challenge_id"]): (message, data["value"]) for recipient, message, data in told()}
    assert messages[(ann, distance)] == ("You won Far!", 5.25)
    assert messages[(bob, distance)] == ("Far ended: you finished #2 of 2.", 0)
    assert messages[(ann, idle)] == ("Idle ended: you finished #1 of 2.", 0)
    assert messages[(bob, idle)] == ("Idle ended: you finished #1 of 2.", 0)


# --- exactly once -----------------------------------------------------------------------------------------------


def test_closing_twice_closes_once(app, trio):
    assert close(app) == 1
    before = (told(), badges(), ranks(trio[0]))

    assert close(app) == 0
    assert close(app, today=AFTER + timedelta(days=30)) == 0

    assert (told(), badges(), ranks(trio[0])) == before
    assert len(before[0]) == 3


def test_two_schedulers_at_once_close_each_challenge_once(app_factory):
    with app_factory().app_context():
        people = [UserFactory().id for _ in range(4)]
        for n in range(6):
            take_part(make_challenge(title=f"Week {n}"), {user_id: v for v, user_id in enumerate(people)})
    apps = [app_factory(), app_factory()]
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run(app):
        with app.app_context():
            try:
                barrier.wait(5)
                results.append(challenge_closing.close_due_challenges(AFTER))
            except Exception as exc:  # noqa: BLE001 - surfaced below
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    assert sum(results) == 6
    with apps[0].app_context():
        sent = db.session.execute(
            select(Notification.recipient_id, Notification.target_id, func.count())
            .filter_by(type=NotificationType.CHALLENGE)
            .group_by(Notification.recipient_id, Notification.target_id)
        ).all()
        assert len(sent) == 6 * 4 and {count for _, _, count in sent} == {1}
        awarded = badges()
        firsts = [user_id for user_id, kind, _ in awarded if kind == "first_challenge"]
        assert sorted(firsts) == sorted(people)  # once per person, though each took part in six
        assert len([1 for _, kind, _ in awarded if kind == "podium"]) == 6 * 3


def test_two_challenges_closed_at_once_give_the_first_challenge_badge_once(app_factory):
    """Two passes closing two challenges of the same people at the same moment must not both find "no
    first_challenge badge yet": closings take turns."""
    with app_factory().app_context():
        people = make_people(300)
        pair = [make_challenge(title=title) for title in ("Left", "Right")]
        for challenge_id in pair:
            take_part(challenge_id, dict.fromkeys(people, 1))
    apps = [app_factory(), app_factory()]
    barrier = threading.Barrier(2)
    failures = []

    def run(app, challenge_id):
        with app.app_context():
            try:
                barrier.wait(5)
                assert challenge_closing.close_challenge(challenge_id) is not None
            except Exception as exc:  # noqa: BLE001 - surfaced below
                failures.append(exc)

    threads = [threading.Thread(target=run, args=pair_) for pair_ in zip(apps, pair, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    with apps[0].app_context():
        firsts = [user_id for user_id, kind, _ in badges() if kind == "first_challenge"]
    assert sorted(firsts) == people


# --- badges -----------------------------------------------------------------------------------------------------


def test_the_first_challenge_badge_is_earned_once_with_the_first_challenge_closed(app, trio):
    first, people = trio
    close(app)
    later = make_challenge(title="April", end=AFTER + timedelta(days=10))
    take_part(later, {people["ann"]: 1, UserFactory(username="dan").id: 1})

    close(app, today=AFTER + timedelta(days=11))

    firsts = {user_id: challenge_id for user_id, kind, challenge_id in badges() if kind == "first_challenge"}
    dan = db.session.scalar(select(User.id).filter_by(username="dan"))
    assert firsts == {people["ann"]: first, people["bob"]: first, people["cat"]: first, dan: later}


def test_the_podium_is_the_first_three_ranks_with_a_value_above_zero(app, db):
    people = make_people(6, "podium")
    challenge_id = make_challenge()
    take_part(challenge_id, dict(zip(people, [9, 7, 7, 5, 0, 3], strict=True)))  # ranks 1, 2, 2, 4, 6, 5
    nobody = make_challenge(title="Idle")
    take_part(nobody, dict.fromkeys(people[:2], 0))

    close(app)

    podium = {(user_id, challenge) for user_id, kind, challenge in badges() if kind == "podium"}
    assert podium == {(people[0], challenge_id), (people[1], challenge_id), (people[2], challenge_id)}


def test_a_streak_badge_goes_to_those_with_a_run_of_four_weeks(app, db):
    people = make_people(3, "streak")
    db.session.add_all(
        [
            UserStats(user_id=people[0], longest_streak_weeks=4, last_run_weeks=1),
            UserStats(user_id=people[1], longest_streak_weeks=3, last_run_weeks=3),
        ]
    )
    db.session.commit()
    challenge_id = make_challenge()
    take_part(challenge_id, dict.fromkeys(people, 1))

    close(app)

    assert {(user_id, challenge) for user_id, kind, challenge in badges() if kind == "streak"} == {
        (people[0], challenge_id)
    }


def test_profiles_show_badges_newest_first_to_those_who_see_the_whole_profile(app, client, cast, headers_of):
    with app.app_context():
        alice = cast["alice"]
        first = make_challenge(title="One", end=END - timedelta(days=5))
        take_part(first, {alice: 3})
        challenge_closing.close_due_challenges(END)
        second = make_challenge(title="Two")
        take_part(second, {alice: 1, cast["mallory"]: 5})
        challenge_closing.close_due_challenges(AFTER)

    seen = client.get(f"/api/v1/users/{alice}/", headers=headers_of("mallory")).json["badges"]
    own = client.get("/api/v1/profile/", headers=headers_of("alice")).json["badges"]

    # Second at the end, with a value: a podium; the first challenge's two badges, awarded at once, by id.
    assert [(b["kind"], b["challenge_id"]) for b in seen] == [
        ("podium", second),
        ("podium", first),
        ("first_challenge", first),
    ]
    assert seen == own
    assert all(b["awarded_at"].endswith("+00:00") for b in seen)

    with app.app_context():
        db.session.get(User, alice).privacy = "private"
        db.session.commit()
    card = client.get(f"/api/v1/users/{alice}/", headers=headers_of("mallory")).json
    assert card["is_limited"] is True and "badges" not in card


def test_a_profile_without_badges_shows_an_empty_list(client, cast, headers_of):
    assert client.get(f"/api/v1/users/{cast['alice']}/", headers=headers_of("mallory")).json["badges"] == []
    assert client.get("/api/v1/profile/", headers=headers_of("alice")).json["badges"] == []


# --- the periodic job -------------------------------------------------------------------------------------------


def test_the_job_is_scheduled_and_closes_the_challenges_that_have_ended(app):
    assert "app.jobs.challenges.close_challenges" in {job.name for job in PERIODIC_JOBS}
    with app.app_context():
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        challenge = Challenge(title="Ended", metric="minutes", start_date=yesterday, end_date=yesterday)
        db.session.add(challenge)
        db.session.commit()
        take_part(challenge.id, {UserFactory().id: 30})

        assert close_challenges() == 1
        assert close_challenges() == 0

    result = app.test_cli_runner().invoke(args=["jobs", "run", "close_challenges"])
    assert result.exit_code == 0 and result.output.strip().endswith(": 0")
