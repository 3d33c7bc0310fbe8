"""Challenges and leaderboards (SPEC §9): create and manage challenges, join and leave, progress from activity,
per-challenge and weekly leaderboards. Closing ended challenges is `app/services/challenge_closing.py`.

Who. Trainers and admins create challenges (403 for users); their creator or an admin changes or deletes one. A
challenge is seen by everyone signed in, a group's by whoever reads the group (a private group's: its members; 404
for anyone else), and joined by anyone who sees it — a group's by its members only (403) — until it ends (422).

Progress is never sent by a client. A participant's `value` is the sum of their own activity dated inside the
window (workouts, minutes, volume, distance; or habit completions), activity logged before joining included. It
is recomputed by one set-based UPDATE in the same transaction as whatever changes it — a workout created, edited or
deleted, a habit done or deleted, joining — for that person's open challenges whose window holds the dates
involved, so it is exact at every commit. `rebuild` recomputes every open challenge's values the same way; the
tests hold the two to equality.

Leaderboards read Redis sorted sets (`app/services/leaderboards.py`), written after each commit with the new
absolute values; a missing set is rebuilt from the database on read. A closed challenge's board is its final ranking
in the database. Friends-only boards are read from the database (a person's friends are few).
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, delete, exists, func, or_, select, update

from app.errors import Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.lib.dates import week_start
from app.lib.sql import insert_ignore
from app.models import (
    SCALE,
    Challenge,
    ChallengeMetric,
    ChallengeParticipant,
    Habit,
    HabitCompletion,
    Role,
    User,
    Workout,
    WorkoutExercise,
)
from app.models.base import utcnow
from app.queueing import on_commit
from app.services import groups, leaderboards, visibility
from app.services.users import user_cards

WORKOUT_METRICS = (
    ChallengeMetric.WORKOUTS,
    ChallengeMetric.MINUTES,
    ChallengeMetric.VOLUME_KG,
    ChallengeMetric.DISTANCE_KM,
)
HABIT_METRICS = (ChallengeMetric.HABIT_COMPLETIONS,)
CHANGEABLE = ("title", "description")

Paginate = Callable[[Select], dict]
CP = ChallengeParticipant


def today() -> date:
    return utcnow().date()


def status_of(challenge: Challenge, on: date | None = None) -> str:
    on = on or today()
    if challenge.closed_at is not None or on > challenge.end_date:
        return "ended"
    return "upcoming" if on < challenge.start_date else "running"


def scaled(metric: str, value: int) -> int | float:
    """A stored value in the API's unit: kilograms and kilometres from grams and metres."""
    scale = SCALE[ChallengeMetric(metric)]
    return value if scale == 1 else value / scale


# --- what a viewer sees -------------------------------------------------------------------------------------


def challenge_views(viewer: User, challenges: list[Challenge]) -> list[dict]:
    """The challenges as the viewer sees them, in a constant number of queries."""
    if not challenges:
        return []
    ids = [challenge.id for challenge in challenges]
    count_query = select(CP.challenge_id, func.count()).where(CP.challenge_id.in_(ids)).group_by(CP.challenge_id)
    counts = {challenge_id: count for challenge_id, count in db.session.execute(count_query)}
    mine_query = select(CP.challenge_id, CP.value).where(CP.challenge_id.in_(ids), CP.user_id == viewer.id)
    mine = {challenge_id: value for challenge_id, value in db.session.execute(mine_query)}
    on = today()
    return [
        {
            "id": challenge.id,
            "title": challenge.title,
            "description": challenge.description,
            "metric": challenge.metric,
            "start_date": challenge.start_date,
            "end_date": challenge.end_date,
            "group_id": challenge.group_id,
            "participants_count": counts.get(challenge.id, 0),
            "is_joined": challenge.id in mine,
            "my_value": scaled(challenge.metric, mine[challenge.id]) if challenge.id in mine else None,
            "status": status_of(challenge, on),
            "created_at": challenge.created_at,
        }
        for challenge in challenges
    ]


def challenge_view(viewer: User, challenge: Challenge) -> dict:
    return challenge_views(viewer, [challenge])[0]


def _readable_by(viewer: User) -> ColumnElement[bool]:
    """SQL: a challenge for everyone, or of a group the viewer reads."""
    return or_(Challenge.group_id.is_(None), visibility.group_readable_by(viewer, Challenge.group_id))


def get_challenge_for(viewer: User, challenge_id: int, *, to_change: bool = False) -> Challenge:
    """Fetch and authorise: a challenge the viewer may not see is 404; `to_change`: its creator or an admin
    (403 for anyone else)."""
    query = select(Challenge).where(Challenge.id == challenge_id, _readable_by(viewer))
    challenge = db.session.scalar(query)
    if challenge is None:
        raise NotFound("No such challenge.")
    if to_change and not (challenge.creator_id == viewer.id or viewer.has_role(Role.ADMIN)):
        raise Forbidden("Only its creator or an admin can change or delete a challenge.")
    return challenge


def read_challenge(viewer: User, challenge_id: int) -> dict:
    return challenge_view(viewer, get_challenge_for(viewer, challenge_id))


def list_challenges(viewer: User, paginate: Paginate, *, joined: bool = False, status: str | None = None) -> dict:
    """The challenges the viewer sees, newest first, as `paginate` pages them (a keyset over `Challenge.id`);
    `joined`: only theirs; `status`: upcoming, running or ended only."""
    query = select(Challenge).where(_readable_by(viewer))
    if joined:
        query = query.where(exists().where(CP.challenge_id == Challenge.id, CP.user_id == viewer.id))
    on = today()
    if status == "upcoming":
        query = query.where(Challenge.closed_at.is_(None), Challenge.start_date > on)
    elif status == "running":
        query = query.where(Challenge.closed_at.is_(None), Challenge.start_date <= on, Challenge.end_date >= on)
    elif status == "ended":
        query = query.where(or_(Challenge.closed_at.is_not(None), Challenge.end_date < on))
    page = paginate(query)
    return page | {"items": challenge_views(viewer, page["items"])}


# --- managing -----------------------------------------------------------------------------------------------


def create_challenge(creator: User, data: dict) -> dict:
    """Trainers and admins create a challenge; for a group (`group_id`), one they are a member of."""
    if not creator.has_role(Role.TRAINER):
        raise Forbidden("Only trainers and admins create challenges.")
    if data["end_date"] < data["start_date"]:
        raise RuleViolation("Must not be before start_date.", field="end_date")
    if data["end_date"] < today():
        raise RuleViolation("Must not be in the past.", field="end_date")
    group_id = data.get("group_id")
    if group_id is not None:
        groups.require_member(creator, group_id, field="group_id")
    challenge = Challenge(
        title=data["title"],
        description=data.get("description", ""),
        metric=data["metric"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        group_id=group_id,
        creator_id=creator.id,
        created_at=utcnow(),
    )
    db.session.add(challenge)
    db.session.flush()
    view = challenge_view(creator, challenge)
    db.session.commit()
    return view


def update_challenge(viewer: User, challenge_id: int, data: dict) -> dict:
    """The title and description change; the metric and the window decide everyone's progress and stay."""
    challenge = get_challenge_for(viewer, challenge_id, to_change=True)
    for field in CHANGEABLE:
        if field in data:
            setattr(challenge, field, data[field])
    db.session.flush()
    view = challenge_view(viewer, challenge)
    db.session.commit()
    return view


def delete_challenge(viewer: User, challenge_id: int) -> None:
    challenge = get_challenge_for(viewer, challenge_id, to_change=True)
    key = leaderboards.challenge_key(challenge.id)
    db.session.delete(challenge)
    on_commit(lambda: leaderboards.drop(key))
    db.session.commit()


# --- taking part --------------------------------------------------------------------------------------------


def join_challenge(user: User, challenge_id: int) -> dict:
    """Join (again changes nothing) until the challenge ends; a group's challenge: its members only. Progress
    counts at once, activity logged before joining included."""
    challenge = get_challenge_for(user, challenge_id)
    _check_open(challenge)
    if challenge.group_id is not None and not visibility.is_group_member(user.id, challenge.group_id):
        raise Forbidden("Only the group's members join its challenges.")
    insert = insert_ignore(CP, conflict_on=("challenge_id", "user_id"))
    db.session.execute(insert.values(challenge_id=challenge.id, user_id=user.id, value=0, joined_at=utcnow()))
    _refresh(and_(CP.challenge_id == challenge.id, CP.user_id == user.id))
    view = challenge_view(user, challenge)
    db.session.commit()
    return view


def leave_challenge(user: User, challenge_id: int) -> None:
    """Leave until the challenge ends (422 after); not in it is a 404."""
    challenge = get_challenge_for(user, challenge_id)
    _check_open(challenge)
    left = db.session.execute(delete(CP).where(CP.challenge_id == challenge.id, CP.user_id == user.id))
    if left.rowcount == 0:
        raise NotFound("You have not joined this challenge.")
    key = leaderboards.challenge_key(challenge.id)
    on_commit(lambda: leaderboards.remove(key, user.id))
    db.session.commit()


def _check_open(challenge: Challenge) -> None:
    if status_of(challenge) == "ended":
        message = "This challenge has ended."
        raise RuleViolation(message, {"path": {"challenge_id": [message]}})


# --- progress, in the activity's transaction ----------------------------------------------------------------


def record_workouts(user_id: int, dates: Iterable[date]) -> None:
    """A workout of `user_id` dated on `dates` (before and after an edit) was created, changed or deleted: their
    open workout challenges covering those dates, and this week's board, move in this transaction."""
    dates = set(dates)
    _refresh(and_(CP.user_id == user_id, Challenge.metric.in_(WORKOUT_METRICS), _covers(dates)))
    this_week = week_start(today())
    if any(week_start(day) == this_week for day in dates):
        count = db.session.scalar(
            select(func.count(Workout.id)).where(
                Workout.user_id == user_id, Workout.date >= this_week, Workout.date < this_week + timedelta(days=7)
            )
        )
        key = leaderboards.weekly_key(this_week)
        on_commit(
            lambda: leaderboards.set_scores(key, [(user_id, count)], keep_zero=False, ttl=leaderboards.WEEKLY_TTL)
        )


def record_habits(user_id: int, dates: Iterable[date] | None) -> None:
    """Habit completions of `user_id` on `dates` (None: any date, a habit deleted with its completions) came or
    went: their open habit challenges move in this transaction."""
    covering = _covers(set(dates)) if dates is not None else True
    _refresh(and_(CP.user_id == user_id, Challenge.metric.in_(HABIT_METRICS), covering))


def _covers(dates: set[date]) -> ColumnElement[bool]:
    return or_(*(and_(Challenge.start_date <= day, Challenge.end_date >= day) for day in dates))


def _refresh(which: ColumnElement[bool]) -> list[tuple[int, int, int]]:
    """Recompute the values of the participants `which` selects in open challenges (one UPDATE), and write them to
    the boards after the commit. Returns `(challenge id, user id, value)` of each."""
    in_window = (
        Workout.user_id == CP.user_id,
        Workout.date >= Challenge.start_date,
        Workout.date <= Challenge.end_date,
    )

    def total(expression, *joins) -> ColumnElement[int]:
        query = select(func.coalesce(cast(func.sum(expression), BigInteger), 0)).select_from(Workout)
        for target, on in joins:
            query = query.join(target, on)
        return query.where(*in_window).correlate(CP, Challenge).scalar_subquery()

    completions = (
        select(func.count(HabitCompletion.habit_id))
        .join(Habit, Habit.id == HabitCompletion.habit_id)
        .where(
            Habit.user_id == CP.user_id,
            HabitCompletion.done_on >= Challenge.start_date,
            HabitCompletion.done_on <= Challenge.end_date,
        )
        .correlate(CP, Challenge)
        .scalar_subquery()
    )
    entry_volume = cast(WorkoutExercise.sets, BigInteger) * WorkoutExercise.reps * WorkoutExercise.extra_weight_g
    value = case(
        (Challenge.metric == ChallengeMetric.WORKOUTS, total(1)),
        (Challenge.metric == ChallengeMetric.MINUTES, total(Workout.duration_min)),
        (
            Challenge.metric == ChallengeMetric.VOLUME_KG,
            total(entry_volume, (WorkoutExercise, WorkoutExercise.workout_id == Workout.id)),
        ),
        (Challenge.metric == ChallengeMetric.DISTANCE_KM, total(func.round(Workout.distance_km * 1000))),
        else_=completions,
    )
    statement = (
        update(CP)
        .where(CP.challenge_id == Challenge.id, Challenge.closed_at.is_(None), which)
        .values(value=value)
        .returning(CP.challenge_id, CP.user_id, CP.value)
        .execution_options(synchronize_session=False)
    )
    rows = [tuple(row) for row in db.session.execute(statement)]
    if rows:
        on_commit(lambda: _write_boards(rows))
    return rows


def _write_boards(rows: list[tuple[int, int, int]]) -> None:
    by_challenge: dict[int, list[tuple[int, int]]] = {}
    for challenge_id, user_id, value in rows:
        by_challenge.setdefault(challenge_id, []).append((user_id, value))
    for challenge_id, scores in by_challenge.items():
        leaderboards.set_scores(leaderboards.challenge_key(challenge_id), scores)


# --- leaderboards -------------------------------------------------------------------------------------------


def challenge_leaderboard(viewer: User, challenge_id: int, *, scope: str, page: int, page_size: int) -> dict:
    """`{items: [{rank, user, value}], me, total, page}` best first: every participant (`all`) or the viewer and
    their friends (`friends`); a closed challenge's final ranking."""
    challenge = get_challenge_for(viewer, challenge_id)
    offset = (page - 1) * page_size
    if scope == "friends":
        scores = db.session.execute(
            select(CP.user_id, CP.value).where(CP.challenge_id == challenge.id, _friend_or_self(viewer, CP.user_id))
        ).all()
        board = _rank_in_memory(scores, viewer.id, offset, page_size)
    elif challenge.closed_at is not None:
        board = _final_board(challenge, viewer.id, offset, page_size)
    else:
        key = leaderboards.challenge_key(challenge.id)
        _ensure_challenge_board(challenge, key)
        board = leaderboards.page(key, offset=offset, limit=page_size, user_id=viewer.id)
    metric = challenge.metric  # read before the rollback, which expires the row
    answer = _answer(board, lambda value: scaled(metric, value), page)
    db.session.rollback()  # ends the read-only transaction
    return answer


def weekly_leaderboard(viewer: User, *, scope: str, page: int, page_size: int) -> dict:
    """This ISO week's workouts (by the workouts' dates, the week of today in UTC), best first."""
    monday = week_start(today())
    offset = (page - 1) * page_size
    if scope == "friends":
        scores = db.session.execute(_weekly_counts(monday).where(_friend_or_self(viewer, Workout.user_id))).all()
        board = _rank_in_memory(scores, viewer.id, offset, page_size)
    else:
        key = leaderboards.weekly_key(monday)
        if not leaderboards.exists(key):
            leaderboards.replace(
                key, [tuple(row) for row in db.session.execute(_weekly_counts(monday))], ttl=leaderboards.WEEKLY_TTL
            )
        board = leaderboards.page(key, offset=offset, limit=page_size, user_id=viewer.id)
    answer = _answer(board, lambda value: value, page) | {"week_start": monday}
    db.session.rollback()  # ends the read-only transaction
    return answer


def _weekly_counts(monday: date) -> Select:
    return (
        select(Workout.user_id, func.count(Workout.id))
        .where(Workout.date >= monday, Workout.date < monday + timedelta(days=7))
        .group_by(Workout.user_id)
    )


def _friend_or_self(viewer: User, user_id) -> ColumnElement[bool]:
    return or_(user_id == viewer.id, visibility.is_friend_of(viewer, user_id))


def _rank_in_memory(scores, viewer_id: int, offset: int, limit: int) -> dict:
    """A small board (friends) ranked here: best first, ties share a rank, then by user id."""
    ordered = sorted(((int(value), user_id) for user_id, value in scores), key=lambda s: (-s[0], s[1]))
    ranked, rank = [], 0
    for position, (value, user_id) in enumerate(ordered):
        if position == 0 or value != ordered[position - 1][0]:
            rank = position + 1
        ranked.append((rank, user_id, value))
    me = next(((rank, value) for rank, user_id, value in ranked if user_id == viewer_id), None)
    return {"rows": ranked[offset : offset + limit], "total": len(ranked), "me": me}


def _final_board(challenge: Challenge, viewer_id: int, offset: int, limit: int) -> dict:
    ranked = (CP.challenge_id == challenge.id, CP.final_rank.is_not(None))  # the people judged at closing
    rows = db.session.execute(
        select(CP.final_rank, CP.user_id, CP.value)
        .where(*ranked)
        .order_by(CP.final_rank, CP.user_id)
        .offset(offset)
        .limit(limit)
    ).all()
    total = db.session.scalar(select(func.count()).where(*ranked))
    mine = db.session.execute(select(CP.final_rank, CP.value).where(*ranked, CP.user_id == viewer_id)).first()
    return {"rows": [tuple(row) for row in rows], "total": total, "me": tuple(mine) if mine else None}


def _ensure_challenge_board(challenge: Challenge, key: str) -> None:
    """A board missing from Redis (a flushed or restarted Redis) is written afresh from the database."""
    if leaderboards.exists(key):
        return
    scores = [
        tuple(row) for row in db.session.execute(select(CP.user_id, CP.value).where(CP.challenge_id == challenge.id))
    ]
    leaderboards.replace(key, scores)


def _answer(board: dict, unit: Callable[[int], int | float], page: int) -> dict:
    cards = user_cards({user_id for _, user_id, _ in board["rows"]}, live_only=True)  # the others are hidden
    items = [
        {"rank": rank, "user": cards[user_id], "value": unit(value)}
        for rank, user_id, value in board["rows"]
        if user_id in cards
    ]
    me = board["me"]
    return {
        "items": items,
        "me": {"rank": me[0], "value": unit(me[1])} if me else None,
        "total": board["total"],
        "page": page,
    }


# --- rebuilding ---------------------------------------------------------------------------------------------


def rebuild() -> dict:
    """Recompute every open challenge's values from activity (one UPDATE), then write every open challenge's board
    and this week's afresh from the database. Returns how many of each."""
    _refresh(Challenge.id.is_not(None))
    db.session.commit()  # the boards written after this commit hold what the next statements read
    open_ids = list(db.session.scalars(select(Challenge.id).where(Challenge.closed_at.is_(None))))
    participants = 0
    for challenge_id in open_ids:
        scores = [
            tuple(row)
            for row in db.session.execute(select(CP.user_id, CP.value).where(CP.challenge_id == challenge_id))
        ]
        leaderboards.replace(leaderboards.challenge_key(challenge_id), scores)
        participants += len(scores)
    monday = week_start(today())
    weekly = [tuple(row) for row in db.session.execute(_weekly_counts(monday))]
    leaderboards.replace(leaderboards.weekly_key(monday), weekly, ttl=leaderboards.WEEKLY_TTL)
    db.session.rollback()
    return {"challenges": len(open_ids), "participants": participants, "weekly": len(weekly)}
