"""Trainer ↔ client assignments, and the one rule every training read uses: whose data may the caller see."""

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased, joinedload

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.models import Role, TrainerClient, User
from app.models.base import utcnow

# Built once: an alias built per statement costs more than running it (it adapts its columns again each time).
_LIVE_TRAINER = aliased(User, name="live_trainer")
_LIVE_CLIENT = aliased(User, name="live_client")


def is_trainer_of(trainer: User, client_id: int) -> bool:
    """A live assignment to an active client, held by someone who is still a trainer (a demoted trainer
    loses their clients; a deleted or deactivated client disappears for them)."""
    if not trainer.has_role(Role.TRAINER):
        return False
    live = (
        select(TrainerClient.id)
        .join(User, User.id == TrainerClient.client_id)
        .where(
            TrainerClient.trainer_id == trainer.id,
            TrainerClient.client_id == client_id,
            TrainerClient.ended_at.is_(None),
            User.is_active,
        )
    )
    return bool(db.session.scalar(select(exists(live))))


def subject_for(viewer: User, user_id: int | None) -> int:
    """Whose training data a read is about: the caller's own, or an assigned client's (`?user_id=`).

    Anyone else's data does not exist for the caller (404), whatever their role."""
    if user_id is None or user_id == viewer.id:
        return viewer.id
    if is_trainer_of(viewer, user_id):
        return user_id
    raise NotFound("No such client of yours.")


def _with_people(query: Select) -> Select:
    return query.options(joinedload(TrainerClient.trainer), joinedload(TrainerClient.client))


def _live(query: Select) -> Select:
    """Live assignments between active people."""
    trainer, client = _LIVE_TRAINER, _LIVE_CLIENT
    return (
        query.join(trainer, trainer.id == TrainerClient.trainer_id)
        .join(client, client.id == TrainerClient.client_id)
        .where(
            TrainerClient.ended_at.is_(None),
            trainer.is_active,
            client.is_active,
        )
    )


def _clients_of(trainer: User) -> Select:
    """The trainer's live assignments, with the people."""
    return _with_people(_live(select(TrainerClient)).where(TrainerClient.trainer_id == trainer.id))


def list_clients(trainer: User) -> Select:
    """The trainer's current clients, longest-standing first."""
    return _clients_of(trainer).order_by(TrainerClient.created_at, TrainerClient.id)


def get_client_for(trainer: User, client_id: int) -> TrainerClient:
    """Fetch and authorise: the trainer's live assignment to `client_id` (by `is_trainer_of`'s rule, in the same
    query); anyone who is not their client does not exist for them (404), whatever their role."""
    assignment = None
    if trainer.has_role(Role.TRAINER):
        assignment = db.session.scalar(_clients_of(trainer).where(TrainerClient.client_id == client_id))
    if assignment is None:
        raise NotFound("No such client of yours.")
    return assignment


def list_trainers(client: User) -> Select:
    """The people currently training the caller."""
    query = _live(select(TrainerClient)).where(TrainerClient.client_id == client.id)
    return _with_people(query).order_by(TrainerClient.created_at, TrainerClient.id)


def admin_list(*, trainer_id: int | None, client_id: int | None, active: bool | None) -> Select:
    query = select(TrainerClient)
    if trainer_id is not None:
        query = query.where(TrainerClient.trainer_id == trainer_id)
    if client_id is not None:
        query = query.where(TrainerClient.client_id == client_id)
    if active is not None:
        query = query.where(TrainerClient.ended_at.is_(None) if active else TrainerClient.ended_at.is_not(None))
    return _with_people(query).order_by(TrainerClient.id.desc())


def _fetch(assignment_id: int) -> TrainerClient | None:
    return db.session.scalar(_with_people(select(TrainerClient).where(TrainerClient.id == assignment_id)))


def assign(admin: User, trainer_id: int, client_id: int) -> TrainerClient:
    """Admins pair a trainer with a client; a pair that ended before is revived (one row per pair)."""
    if trainer_id == client_id:
        raise RuleViolation("A trainer cannot be their own client.", field="client_id")
    trainer, client = db.session.get(User, trainer_id), db.session.get(User, client_id)
    if trainer is None or not trainer.is_active:
        raise RuleViolation("No such active user.", field="trainer_id")
    if not trainer.has_role(Role.TRAINER):
        raise RuleViolation("That user is not a trainer.", field="trainer_id")
    if client is None or not client.is_active:
        raise RuleViolation("No such active user.", field="client_id")
    assignment = db.session.scalar(
        select(TrainerClient).where(TrainerClient.trainer_id == trainer_id, TrainerClient.client_id == client_id)
    )
    if assignment is not None and assignment.is_active:
        raise Conflict("That trainer already trains that client.")
    if assignment is None:
        assignment = TrainerClient(trainer_id=trainer_id, client_id=client_id)
        db.session.add(assignment)
    assignment.assigned_by_id, assignment.created_at, assignment.ended_at = admin.id, utcnow(), None
    db.session.commit()
    return _fetch(assignment.id)


def get_assignment_for(admin: User, assignment_id: int) -> TrainerClient:
    """Fetch and authorise: admins read and end any assignment (ended ones too); others are refused (403)."""
    if not admin.has_role(Role.ADMIN):
        raise Forbidden("Only admins manage trainer–client assignments.")
    assignment = _fetch(assignment_id)
    if assignment is None:
        raise NotFound("No such assignment.")
    return assignment


def end_assignment(admin: User, assignment_id: int) -> None:
    assignment = get_assignment_for(admin, assignment_id)
    if not assignment.is_active:
        raise Conflict("That assignment has already ended.")
    assignment.ended_at = utcnow()
    db.session.commit()


def leave_trainer(client: User, trainer_id: int) -> None:
    """A client ends their own assignment to a trainer."""
    _end_live(trainer_id=trainer_id, client_id=client.id, missing="You are not trained by that user.")


def drop_client(trainer: User, client_id: int) -> None:
    """A trainer ends their own assignment to a client."""
    _end_live(trainer_id=trainer.id, client_id=client_id, missing="That user is not your client.")


def _end_live(*, trainer_id: int, client_id: int, missing: str) -> None:
    assignment = db.session.scalar(
        select(TrainerClient).where(
            TrainerClient.trainer_id == trainer_id,
            TrainerClient.client_id == client_id,
            TrainerClient.ended_at.is_(None),
        )
    )
    if assignment is None:
        raise NotFound(missing)
    assignment.ended_at = utcnow()
    db.session.commit()


def ensure_trainer_of(viewer: User, client_id: int) -> None:
    """For writes on a client's behalf: a visible client the caller does not train is still refused."""
    if not is_trainer_of(viewer, client_id):
        raise Forbidden("You can do this only for your assigned clients.")
