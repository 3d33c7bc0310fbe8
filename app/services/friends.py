"""Who knows whom (SPEC §6): friend requests and their answers, friendships, and blocks.

A request is pending until answered; answering it (accept, decline, cancel) deletes it, and accepting writes the
two friendship rows. One pending request per pair (a unique index): a request to someone who already asked you is
the acceptance of theirs, even when both ask at the same moment. A block ends the pair's friendship and pending
request and hides the two from each other everywhere; to the blocked person, the blocker does not exist (404),
never "blocked".
"""

from enum import StrEnum

from sqlalchemy import Select, and_, delete, literal, or_, select
from sqlalchemy.orm import DictBundle

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.lib.sql import insert_ignore
from app.models import Block, FriendRequest, Friendship, NotificationType, User
from app.services import notifications, timelines, visibility
from app.services.notifications import Target
from app.services.users import CARD_FIELDS, by_username, get_user_for, where_name_matches


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


# --- requests -----------------------------------------------------------------------------------------------


def send_friend_request(sender: User, recipient_id: int) -> dict:
    """Ask `recipient_id` to be friends; if they had already asked the sender, that request is accepted instead
    (`status: accepted`). Someone absent, inactive or blocked either way is "no such user" (404)."""
    if recipient_id == sender.id:
        raise RuleViolation("You cannot send yourself a friend request.", field="user_id")
    recipient = get_user_for(sender, recipient_id)
    if visibility.are_friends(sender.id, recipient.id):
        raise _conflict("You are already friends.")
    pending = _pending_between(sender.id, recipient.id)
    if pending is not None:
        return _answer_with_a_request(sender, pending)
    request = _insert_request(FriendRequest.between(sender.id, recipient.id))
    if request is None:
        # They asked at the same moment: the pair's one request is theirs, committed while ours waited on the
        # unique pair, so ours becomes the acceptance of theirs.
        pending = _pending_between(sender.id, recipient.id)
        if pending is None:
            raise _conflict("They answered at the same moment; try again.")
        return _answer_with_a_request(sender, pending)
    notifications.notify(
        [recipient.id],
        NotificationType.FRIEND_REQUEST,
        f"{sender.username} sent you a friend request.",
        actor_id=sender.id,
        target=Target("friend_request", request.id),
    )
    view = _request_view(request, recipient, RequestStatus.PENDING)  # before the commit: it may be answered at once
    db.session.commit()
    return view


def _insert_request(draft: FriendRequest) -> FriendRequest | None:
    """Claim the pair's one pending request, or None when another is there: `ON CONFLICT DO NOTHING` waits for a
    concurrent insert of the same pair and then yields to it. (A SAVEPOINT catching the IntegrityError would do
    on PostgreSQL, but SQLite's driver commits a savepoint opened before any write.)"""
    columns = ("sender_id", "recipient_id", "pair_low", "pair_high")
    insert = insert_ignore(FriendRequest, conflict_on=("pair_low", "pair_high"))
    return db.session.scalar(insert.values({c: getattr(draft, c) for c in columns}).returning(FriendRequest))


def _answer_with_a_request(sender: User, pending: FriendRequest) -> dict:
    if pending.sender_id == sender.id:
        raise _conflict("You already sent them a friend request.")
    return _accept(sender, pending)


def accept_friend_request(user: User, request_id: int) -> dict:
    """The recipient accepts: the two become friends and the sender is told."""
    request = get_friend_request_for(user, request_id, as_party=Direction.INCOMING, lock=True)
    return _accept(user, request)


def _accept(recipient: User, request: FriendRequest) -> dict:
    sender = db.session.get(User, request.sender_id)
    view = _request_view(request, sender, RequestStatus.ACCEPTED)
    db.session.delete(request)
    db.session.add_all(
        [Friendship(user_id=sender.id, friend_id=recipient.id), Friendship(user_id=recipient.id, friend_id=sender.id)]
    )
    timelines.backfill_between(sender.id, recipient.id)
    notifications.notify(
        [sender.id],
        NotificationType.FRIEND_ACCEPTED,
        f"{recipient.username} accepted your friend request.",
        actor_id=recipient.id,
        target=Target("user", recipient.id),
    )
    db.session.commit()
    return view


def decline_friend_request(user: User, request_id: int) -> None:
    """The recipient says no; the sender is not told (the request just stops being pending)."""
    db.session.delete(get_friend_request_for(user, request_id, as_party=Direction.INCOMING, lock=True))
    db.session.commit()


def cancel_friend_request(user: User, request_id: int) -> None:
    """The sender takes the request back."""
    db.session.delete(get_friend_request_for(user, request_id, as_party=Direction.OUTGOING, lock=True))
    db.session.commit()


def get_friend_request_for(
    user: User, request_id: int, *, as_party: Direction | None = None, lock: bool = False
) -> FriendRequest:
    """Fetch and authorise: a request exists only for its two people, while both are active and neither blocked
    the other (a request sent in the instant of a block stays inert). `as_party` names the side allowed to act
    (`incoming`: its recipient answers, `outgoing`: its sender cancels); the other side sees it but may not (403)."""
    query = select(FriendRequest).where(FriendRequest.id == request_id)
    request = db.session.scalar(query.with_for_update() if lock else query)
    if request is None or user.id not in (request.sender_id, request.recipient_id):
        raise NotFound("No such friend request.")
    other_id = request.sender_id if request.recipient_id == user.id else request.recipient_id
    other = db.session.get(User, other_id)
    if other is None or not other.is_active or visibility.is_blocked_between(user.id, other_id):
        raise NotFound("No such friend request.")
    if as_party == Direction.INCOMING and request.recipient_id != user.id:
        raise Forbidden("Only its recipient answers a friend request; you may cancel yours.")
    if as_party == Direction.OUTGOING and request.sender_id != user.id:
        raise Forbidden("Only its sender cancels a friend request; you may accept or decline it.")
    return request


def list_friend_requests(user: User, direction: Direction) -> Select:
    """The caller's pending requests, received (`incoming`) or sent (`outgoing`), newest first, each with the
    other person's card."""
    mine, theirs = (
        (FriendRequest.recipient_id, FriendRequest.sender_id)
        if direction == Direction.INCOMING
        else (FriendRequest.sender_id, FriendRequest.recipient_id)
    )
    columns = (FriendRequest.id, FriendRequest.sender_id, FriendRequest.recipient_id, FriendRequest.created_at)
    status = literal(str(RequestStatus.PENDING)).label("status")
    query = select(_WithCard("request", *columns, status, *_card_columns())).select_from(FriendRequest)
    query = query.join(User, User.id == theirs).where(
        mine == user.id, User.is_active, visibility.not_blocked(user, User.id)
    )
    return query.order_by(FriendRequest.id.desc())


def _pending_between(user_id: int, other_id: int) -> FriendRequest | None:
    low, high = sorted((user_id, other_id))
    query = select(FriendRequest).where(FriendRequest.pair_low == low, FriendRequest.pair_high == high)
    return db.session.scalar(query.with_for_update())


def _request_view(request: FriendRequest, other: User, status: RequestStatus) -> dict:
    return {
        "id": request.id,
        "sender_id": request.sender_id,
        "recipient_id": request.recipient_id,
        "created_at": request.created_at,
        "status": status,
        "user": {name: getattr(other, name) for name in CARD_FIELDS},
    }


# --- friendships --------------------------------------------------------------------------------------------


def list_friends(viewer: User, user_id: int | None = None, q: str | None = None) -> Select:
    """The friends of the viewer, or of `user_id` when the viewer may see that person's profile (else 404, as for
    someone blocked either way), in username order, each with since when; `q` keeps those whose names hold each of
    its words (`where_name_matches`, as the people search). In someone else's list the viewer finds whom people
    lists show them (no private profiles, nobody blocked either way)."""
    owner_id = viewer.id if user_id is None else user_id
    query = select(_WithCard("friend", Friendship.created_at, *_card_columns())).select_from(Friendship)
    query = query.join(User, User.id == Friendship.friend_id).where(Friendship.user_id == owner_id, User.is_active)
    if owner_id != viewer.id:
        owner = get_user_for(viewer, owner_id)
        if not visibility.can_see(viewer, owner, owner.privacy):
            raise NotFound("No such user.")
        query = query.where(visibility.listed_to(viewer))
    return by_username(where_name_matches(query, q), q)


def unfriend(user: User, friend_id: int) -> None:
    """End a friendship, both ways; someone who is not a friend is a 404."""
    if _delete_friendship(user.id, friend_id) == 0:
        raise NotFound("No such friend.")
    timelines.remove_between(user.id, friend_id, keep_groups=True)
    db.session.commit()


def _delete_friendship(user_id: int, other_id: int) -> int:
    pairs = or_(
        and_(Friendship.user_id == user_id, Friendship.friend_id == other_id),
        and_(Friendship.user_id == other_id, Friendship.friend_id == user_id),
    )
    return db.session.execute(delete(Friendship).where(pairs)).rowcount


# --- blocks -------------------------------------------------------------------------------------------------


def block(blocker: User, blocked_id: int) -> tuple[dict, bool]:
    """Block someone: their friendship and any pending request between the two end, in one transaction.
    Idempotent: blocking again changes nothing. Returns the block and whether it is new. Someone who blocked the
    caller can still be blocked back (so the caller stays hidden if they unblock)."""
    if blocked_id == blocker.id:
        raise RuleViolation("You cannot block yourself.", field="user_id")
    blocked = get_user_for(blocker, blocked_id, hide_blocked=False)
    insert = insert_ignore(Block, conflict_on=("blocker_id", "blocked_id"))
    row = {"blocker_id": blocker.id, "blocked_id": blocked.id}
    is_new = db.session.execute(insert.values(**row).returning(Block.blocker_id)).first() is not None
    # The request first: an acceptance in flight holds its row, so this waits for it, and the friendship it
    # wrote is then seen (and ended) by the next statement.
    low, high = sorted((blocker.id, blocked.id))
    db.session.execute(delete(FriendRequest).where(FriendRequest.pair_low == low, FriendRequest.pair_high == high))
    _delete_friendship(blocker.id, blocked.id)
    timelines.remove_between(blocker.id, blocked.id)
    view = {
        "user": {name: getattr(blocked, name) for name in CARD_FIELDS},
        "created_at": db.session.scalar(select(Block.created_at).filter_by(**row)),
    }
    db.session.commit()
    return view, is_new


def unblock(blocker: User, blocked_id: int) -> None:
    """Lift a block the caller made (one the other person made stays); not blocked is a 404."""
    query = delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked_id)
    if db.session.execute(query).rowcount == 0:
        raise NotFound("You have not blocked them.")
    db.session.commit()


def list_blocks(blocker: User) -> Select:
    """The people the caller blocked (never those who blocked the caller), newest block first."""
    query = select(_WithCard("block", Block.created_at, *_card_columns())).select_from(Block)
    query = query.join(User, User.id == Block.blocked_id).where(Block.blocker_id == blocker.id, User.is_active)
    return query.order_by(Block.created_at.desc(), Block.blocked_id.desc())


# --- list rows ----------------------------------------------------------------------------------------------

_CARD_PREFIX = "card_"


def _card_columns() -> list:
    return [getattr(User, name).label(_CARD_PREFIX + name) for name in CARD_FIELDS]


class _WithCard(DictBundle):
    """A list row whose `card_*` columns are the other person's card, under `user`."""

    def create_row_processor(self, query, procs, labels):
        as_dict = super().create_row_processor(query, procs, labels)

        def view(row) -> dict:
            fields = as_dict(row)
            card = {
                name.removeprefix(_CARD_PREFIX): fields.pop(name)
                for name in list(fields)
                if name.startswith(_CARD_PREFIX)
            }
            return fields | {"user": card}

        return view


def _conflict(message: str) -> Conflict:
    return Conflict(message, {"json": {"user_id": [message]}})
