"""Closing ended challenges: the final ranking fixed in the database, badges awarded, everyone told — once.

A periodic pass finds the challenges whose `end_date` has passed (UTC) and that are not closed yet, and closes each
in its own transaction. The claim is one conditional UPDATE (`closed_at` set where it is still NULL): of two passes
at once, only the one whose UPDATE changed the row goes on; the other's changes nothing. Everything else happens in
the claim's transaction, so a failure leaves the challenge open for the next pass, with nothing half-written.

All of it is set-based, however many take part: the ranking is one UPDATE from `RANK() OVER (ORDER BY value DESC)`
(equal values share a rank: 1, 1, 3), each kind of badge one INSERT … SELECT … ON CONFLICT DO NOTHING, and the
notifications are stored in bulk. Only active people are ranked (others are hidden from every list, so from the
leaderboard too): a deleted or deactivated participant keeps `final_rank` NULL, earns nothing and is not told.
"""

import logging
from dataclasses import astuple, dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, literal, select, update

from app.extensions import db
from app.lib.sql import insert_ignore, is_postgresql
from app.models import (
    SCALE,
    Badge,
    BadgeKind,
    Challenge,
    ChallengeMetric,
    ChallengeParticipant,
    NotificationType,
    User,
)
from app.models.base import utcnow
from app.models.stats import UserStats
from app.services import notifications
from app.services.notifications import Draft, Target
from app.transactions import lock_for_write

log = logging.getLogger(__name__)

PODIUM = 3  # final ranks that earn a podium badge (with a value above zero)
STREAK_WEEKS = 4  # a run of this many weeks with workouts earns a streak badge
# One closing at a time (PostgreSQL; SQLite's write lock already serialises writers): two passes closing two
# challenges at once could otherwise both find that someone has no first_challenge badge yet, and give two.
CLOSING_LOCK = 0x5354_4348  # any constant of the app's own: an advisory lock key


@dataclass(frozen=True)
class Closed:
    """What closing one challenge did."""

    challenge_id: int
    ranked: int
    badges: int
    notified: int


def close_due_challenges(today: date | None = None) -> int:
    """Close every challenge whose end date is before `today` (UTC by default); returns how many this pass closed."""
    today = today or utcnow().date()
    due = list(
        db.session.scalars(
            select(Challenge.id)
            .where(Challenge.closed_at.is_(None), Challenge.end_date < today)
            .order_by(Challenge.end_date, Challenge.id)
        )
    )
    db.session.commit()  # end the read: each closing takes the write lock in a transaction of its own
    closed, failed = 0, []
    for challenge_id in due:
        try:
            result = close_challenge(challenge_id)
        except Exception:  # one challenge that cannot be closed must not hold back the others
            db.session.rollback()
            log.exception("challenge %d: closing failed; it stays open for the next pass", challenge_id)
            failed.append(challenge_id)
            continue
        if result is not None:
            closed += 1
            log.info("challenge %d closed: %d ranked, %d badges, %d notified", *astuple(result))
    if failed:  # the run is recorded as failed, and retried
        raise RuntimeError(f"closed {closed} challenges; could not close {failed}")
    return closed


def close_challenge(challenge_id: int) -> Closed | None:
    """Claim, rank, award and notify in one transaction, committed; None when another pass closed it first."""
    now = utcnow()
    lock_for_write(db.session)
    if is_postgresql():
        db.session.execute(select(func.pg_advisory_xact_lock(CLOSING_LOCK)))
    claim = (
        update(Challenge.__table__)
        .where(Challenge.id == challenge_id, Challenge.closed_at.is_(None))
        .values(closed_at=now)
    )
    if db.session.execute(claim).rowcount != 1:
        db.session.rollback()
        return None
    ranked = _rank(challenge_id)
    badges = _award_badges(challenge_id, now)
    notified = _notify(challenge_id)
    db.session.commit()
    return Closed(challenge_id, ranked, badges, notified)


def _rank(challenge_id: int) -> int:
    """Fix `final_rank` of every active participant in one UPDATE … FROM; returns how many were ranked."""
    participants = ChallengeParticipant.__table__
    ranked = (
        select(
            participants.c.user_id,
            func.rank().over(order_by=participants.c.value.desc()).label("rank"),
        )
        .join(User, User.id == participants.c.user_id)
        .where(participants.c.challenge_id == challenge_id, User.is_active)
        .subquery("ranked")
    )
    statement = (
        update(participants)
        .where(participants.c.challenge_id == challenge_id, participants.c.user_id == ranked.c.user_id)
        .values(final_rank=ranked.c.rank)
    )
    return db.session.execute(statement).rowcount


def _award_badges(challenge_id: int, now: datetime) -> int:
    """Every kind of badge in one INSERT … SELECT each; a badge already held is skipped. Returns how many were new."""
    ranked = ChallengeParticipant.challenge_id == challenge_id, ChallengeParticipant.final_rank.is_not(None)
    earlier_first = (
        select(Badge.id)
        .where(Badge.user_id == ChallengeParticipant.user_id, Badge.kind == BadgeKind.FIRST_CHALLENGE)
        .exists()
    )
    sources = {
        # Once per person ever, kept with the challenge that earned it.
        BadgeKind.FIRST_CHALLENGE: lambda query: query.where(*ranked, ~earlier_first),
        BadgeKind.PODIUM: lambda query: query.where(
            *ranked, ChallengeParticipant.final_rank <= PODIUM, ChallengeParticipant.value > 0
        ),
        BadgeKind.STREAK: lambda query: query.join(UserStats, UserStats.user_id == ChallengeParticipant.user_id).where(
            *ranked, UserStats.longest_streak_weeks >= STREAK_WEEKS
        ),
    }
    return sum(_insert_badges(narrow(_badge_rows(kind, challenge_id, now))) for kind, narrow in sources.items())


def _badge_rows(kind: BadgeKind, challenge_id: int, now: datetime) -> Select:
    table = Badge.__table__
    return select(
        ChallengeParticipant.user_id,
        literal(str(kind), type_=table.c.kind.type),
        literal(challenge_id, type_=table.c.challenge_id.type),
        literal(now, type_=table.c.awarded_at.type),
    ).select_from(ChallengeParticipant)


def _insert_badges(source: Select) -> int:
    table = Badge.__table__
    statement = (
        insert_ignore(table, conflict_on=("user_id", "kind", "challenge_id"))
        .from_select(["user_id", "kind", "challenge_id", "awarded_at"], source)
        .returning(table.c.id)  # psycopg reports no rowcount for INSERT … SELECT here
    )
    return len(db.session.execute(statement).all())


def _notify(challenge_id: int) -> int:
    """The winners ("You won …!") and everyone else ranked ("… ended: you finished #r of n."), in bulk."""
    title, metric = db.session.execute(
        select(Challenge.title, Challenge.metric).where(Challenge.id == challenge_id)
    ).one()
    rows = db.session.execute(
        select(ChallengeParticipant.user_id, ChallengeParticipant.final_rank, ChallengeParticipant.value)
        .where(ChallengeParticipant.challenge_id == challenge_id, ChallengeParticipant.final_rank.is_not(None))
        .order_by(ChallengeParticipant.final_rank, ChallengeParticipant.user_id)
    ).all()
    scale = SCALE[ChallengeMetric(metric)]
    target = Target("challenge", challenge_id)
    drafts = [
        Draft(
            user_id,
            f"You won {title}!" if rank == 1 and value > 0 else f"{title} ended: you finished #{rank} of {len(rows)}.",
            target=target,
            data={"challenge_id": challenge_id, "rank": rank, "value": value if scale == 1 else value / scale},
        )
        for user_id, rank, value in rows
    ]
    return len(notifications.notify_each(NotificationType.CHALLENGE, drafts))
