"""Leaderboards: best first, ties share a rank, every participant ranked, the caller's own place, friends only,
paging, the weekly board; Redis is a read model the database rebuilds, and rebuilding equals the incremental state."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db, redis_store
from app.models import ChallengeParticipant
from app.services import challenges, leaderboards
from tests.factories import UserFactory


@pytest.fixture
def race(act, api, social) -> dict:
    """A workouts challenge: alice 2, bob 2, carol 1, dave 0 (joined), mod not in it."""
    challenge = act.challenge(metric="workouts")
    for viewer, workouts in (("author", 2), ("friend", 2), ("friend_of_friend", 1), ("stranger", 0)):
        act.join(viewer, challenge["id"])
        for _ in range(workouts):
            act.workout(viewer)
    return challenge


def ranks(board) -> list[tuple[int, str, int]]:
    return [(row["rank"], row["user"]["username"], row["value"]) for row in board["items"]]


def test_best_first_and_equal_values_share_a_rank(act, race):
    board = act.board("friend_of_friend", race["id"])

    assert sorted(ranks(board)) == [(1, "alice", 2), (1, "bob", 2), (3, "carol", 1), (4, "dave", 0)]
    assert [row["rank"] for row in board["items"]] == [1, 1, 3, 4]
    assert board["me"] == {"rank": 3, "value": 1}
    assert board["total"] == 4
    assert act.board("moderator", race["id"])["me"] is None  # not a participant


def test_pages_keep_ranks_across_their_edges(act, race):
    first = act.board("author", race["id"], "?page_size=1")
    second = act.board("author", race["id"], "?page_size=1&page=2")
    third = act.board("author", race["id"], "?page_size=1&page=3")

    assert [row["rank"] for row in first["items"] + second["items"] + third["items"]] == [1, 1, 3]
    assert act.board("author", race["id"], "?page=9")["items"] == []


def test_the_friends_board_is_the_caller_and_their_friends(act, race):
    board = act.board("friend", race["id"], "?scope=friends")  # bob's friends: alice and carol

    assert sorted(ranks(board)) == [(1, "alice", 2), (1, "bob", 2), (3, "carol", 1)]
    assert board["me"] == {"rank": 1, "value": 2}
    alone = act.board("stranger", race["id"], "?scope=friends")
    assert ranks(alone) == [(1, "dave", 0)]


def test_the_board_follows_activity_and_leaving(act, api, race):
    act.workout("friend_of_friend")
    act.workout("friend_of_friend")
    api("friend", "DELETE", f"/challenges/{race['id']}/join/")

    board = act.board("author", race["id"])

    assert ranks(board)[0] == (1, "carol", 3)
    assert "bob" not in [row["user"]["username"] for row in board["items"]]


@pytest.mark.parametrize("query", ["?scope=everyone", "?page=0", "?page_size=101", "?page=abc", "?page=99999999999"])
def test_bad_board_arguments_are_422(act, race, query):
    assert act.api("author", "GET", f"/challenges/{race['id']}/leaderboard/{query}").status_code == 422


def test_a_lost_redis_board_is_rebuilt_from_the_database_on_read(app, act, race):
    with app.app_context():
        redis_store.client.delete(leaderboards.challenge_key(race["id"]))

    assert sorted(ranks(act.board("author", race["id"]))) == [
        (1, "alice", 2),
        (1, "bob", 2),
        (3, "carol", 1),
        (4, "dave", 0),
    ]


def test_rebuild_equals_the_incremental_state(app, act, api, race, social):
    minutes = act.challenge(metric="minutes")
    act.join("author", minutes["id"])
    workout = act.workout("author", minutes=40)
    api("author", "PATCH", f"/workouts/{workout['id']}/", {"duration_min": 25})
    api("author", "DELETE", f"/workouts/{act.workout('author', minutes=10)['id']}/")
    with app.app_context():
        incremental_db = _values()
        incremental_redis = {cid: leaderboards.members(leaderboards.challenge_key(cid)) for cid in incremental_db}
        weekly_key = leaderboards.weekly_key(challenges.week_start(challenges.today()))
        incremental_weekly = leaderboards.members(weekly_key)
        db.session.execute(ChallengeParticipant.__table__.update().values(value=999))  # drift, then rebuild
        db.session.commit()
        redis_store.client.delete(*[leaderboards.challenge_key(cid) for cid in incremental_db], weekly_key)

        challenges.rebuild()

        assert _values() == incremental_db
        assert {cid: leaderboards.members(leaderboards.challenge_key(cid)) for cid in incremental_db} == (
            incremental_redis
        )
        assert leaderboards.members(weekly_key) == incremental_weekly
    assert incremental_db[minutes["id"]] == {social["author"]: 2 * 30 + 25}  # the race's two workouts, and this one


def _values() -> dict[int, dict[int, int]]:
    found: dict[int, dict[int, int]] = {}
    for challenge_id, user_id, value in db.session.execute(
        select(ChallengeParticipant.challenge_id, ChallengeParticipant.user_id, ChallengeParticipant.value)
    ):
        found.setdefault(challenge_id, {})[user_id] = value
    return found


def test_the_weekly_board_counts_this_weeks_workouts(act, api, social):
    act.workout("author")
    act.workout("author")
    act.workout("friend")
    act.workout("stranger", offset=-14)  # another week

    board = api("friend", "GET", "/leaderboards/weekly/").json
    friends = api("stranger", "GET", "/leaderboards/weekly/?scope=friends").json

    assert ranks(board) == [(1, "alice", 2), (2, "bob", 1)]
    assert board["me"] == {"rank": 2, "value": 1}
    assert board["week_start"] == challenges.week_start(challenges.today()).isoformat()
    assert (friends["items"], friends["me"]) == ([], None)


def test_the_cli_rebuilds(app, act, race):
    result = app.test_cli_runner().invoke(args=["challenges", "rebuild"])

    assert result.exit_code == 0, result.output
    assert "rebuilt 1 challenge(s) with 4 participant(s)" in result.output


def test_every_participant_is_ranked_on_a_large_board(app, act, race):
    with app.app_context():
        values = [n // 3 for n in range(150)]  # 50 values, each three times
        for value in values:
            db.session.add(ChallengeParticipant(challenge_id=race["id"], user_id=UserFactory().id, value=value))
        db.session.commit()
        redis_store.client.delete(leaderboards.challenge_key(race["id"]))

    pages = [act.board("author", race["id"], f"?page_size=100&page={page}") for page in (1, 2)]
    rows = [row for board in pages for row in board["items"]]

    assert len(rows) == pages[0]["total"] == 154
    everyone = sorted([*values, 2, 2, 1, 0], reverse=True)
    expected = [everyone.index(value) + 1 for value in everyone]  # 1 + how many are strictly better
    assert [row["rank"] for row in rows] == expected
    assert [row["value"] for row in rows] == everyone


def test_a_closed_challenges_board_is_its_final_ranking(app, act, api, race, social):
    with app.app_context():
        from app.models import User
        from app.models.base import utcnow
        from app.services import challenge_closing

        db.session.get(User, social["stranger"]).deleted_at = utcnow()  # not judged, not shown
        db.session.commit()
        assert challenge_closing.close_due_challenges(challenges.today() + timedelta(days=10)) == 1
        redis_store.client.delete(leaderboards.challenge_key(race["id"]))  # the final board does not need Redis

    board = act.board("friend_of_friend", race["id"])

    assert sorted(ranks(board)) == [(1, "alice", 2), (1, "bob", 2), (3, "carol", 1)]
    assert (board["me"], board["total"]) == ({"rank": 3, "value": 1}, 3)
    assert api("author", "GET", f"/challenges/{race['id']}/").json["status"] == "ended"
