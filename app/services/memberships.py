"""Membership tiers (admins manage them, everyone reads them) and each user's membership, with its history."""

from decimal import Decimal

from flask import current_app
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.models import ClientStatus, MembershipChange, MembershipTier, Role, User, UserMembership
from app.models.memberships import CENTS
from app.services.coaching import is_trainer_of
from app.transactions import lock_for_write


def _cents(price: Decimal) -> int:
    return int(price * CENTS)  # the schema allows at most two decimal places, so this is exact


# --- tiers --------------------------------------------------------------------------------------------------


def list_tiers(*, active: bool | None) -> Select:
    query = select(MembershipTier).order_by(MembershipTier.price_cents, MembershipTier.id)
    if active is not None:
        query = query.where(MembershipTier.is_active.is_(active))
    return query


def get_tier_for(user: User, tier_id: int, *, to_change: bool = False) -> MembershipTier:
    """Fetch and authorise: everyone reads any tier; `to_change`: admins only (403)."""
    if to_change and not user.has_role(Role.ADMIN):
        raise Forbidden("Only admins change membership tiers.")
    tier = db.session.get(MembershipTier, tier_id)
    if tier is None:
        raise NotFound("No such membership tier.")
    return tier


def create_tier(data: dict) -> MembershipTier:
    """A tier without a `currency` is priced in the configured DEFAULT_CURRENCY."""
    _ensure_level_free(data["access_level"])
    data = {"currency": current_app.config["DEFAULT_CURRENCY"], **data}
    tier = MembershipTier(price_cents=_cents(data.pop("price")), **data)
    db.session.add(tier)
    db.session.commit()
    return tier


def update_tier(admin: User, tier_id: int, data: dict) -> MembershipTier:
    """Change a tier's terms; members' history keeps the terms they had (it holds copies)."""
    tier = get_tier_for(admin, tier_id, to_change=True)
    data = dict(data)
    if "access_level" in data and data["access_level"] != tier.access_level:
        _ensure_level_free(data["access_level"])
    if "price" in data:
        tier.price_cents = _cents(data.pop("price"))
    for field, value in data.items():
        setattr(tier, field, value)
    db.session.commit()
    return tier


def delete_tier(admin: User, tier_id: int) -> None:
    """Delete an unused tier; one that someone holds is refused (409): deactivate it instead."""
    tier = get_tier_for(admin, tier_id, to_change=True)
    if db.session.scalar(select(exists().where(UserMembership.tier_id == tier.id))):
        raise Conflict("This tier is held by members; deactivate it (is_active false) instead of deleting it.")
    db.session.delete(tier)
    db.session.commit()


def _ensure_level_free(access_level: str) -> None:
    if db.session.scalar(select(exists().where(MembershipTier.access_level == access_level))):
        raise Conflict(f"A {access_level} tier already exists.")


# --- a user's membership ------------------------------------------------------------------------------------


def get_member_for(viewer: User, user_id: int, *, to_change: bool = False, lock: bool = False) -> User:
    """Fetch and authorise whose membership the caller acts on: admins anyone's, trainers their assigned
    clients', users their own; others get 404. `to_change`: admins only (403). `lock`: hold the user's row until
    the commit (there may be no membership row to lock yet), so changes of one membership take turns."""
    if to_change and not viewer.has_role(Role.ADMIN):
        raise Forbidden("Only admins change memberships.")
    if not (viewer.id == user_id or viewer.has_role(Role.ADMIN) or is_trainer_of(viewer, user_id)):
        raise NotFound("No such client of yours.")
    query = select(User).where(User.id == user_id)
    if lock:  # FOR NO KEY UPDATE: changes of one membership take turns; rows referencing the user still insert
        lock_for_write(db.session)
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    user = db.session.scalar(query)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such user.")
    return user


def _current(user_id: int) -> UserMembership | None:
    query = select(UserMembership).options(joinedload(UserMembership.tier)).where(UserMembership.user_id == user_id)
    return db.session.scalar(query)


def _view(user_id: int, membership: UserMembership | None) -> dict:
    """The membership as the API shows it; a user who never had one has no tier and is inactive."""
    if membership is None:
        return {
            "user_id": user_id,
            "tier": None,
            "client_status": ClientStatus.INACTIVE,
            "updated_at": None,
            "updated_by_id": None,
        }
    return {
        "user_id": user_id,
        "tier": membership.tier,
        "client_status": membership.client_status,
        "updated_at": membership.updated_at,
        "updated_by_id": membership.updated_by_id,
    }


def my_membership(user: User) -> dict:
    return _view(user.id, _current(user.id))


def membership_for(viewer: User, user_id: int) -> dict:
    """Admins read anyone's membership, trainers their assigned clients', users their own; others get 404."""
    user = get_member_for(viewer, user_id)
    return _view(user.id, _current(user.id))


def set_membership(admin: User, user_id: int, tier_id: int | None, client_status: str) -> dict:
    """Set a user's tier and status and record the change, copying the tiers' terms into the history.

    Idempotent: setting what is already there changes nothing and answers the same. Concurrent calls for one
    user take turns on the user's row (there may be no membership row to lock yet), so each sees the one
    before it as "from" and an identical repeat finds nothing to change."""
    user = get_member_for(admin, user_id, to_change=True, lock=True)
    membership = _current(user.id)
    old_tier = membership.tier if membership else None
    old_status = membership.client_status if membership else None
    new_tier = _assignable_tier(tier_id, old_tier)
    if old_tier is new_tier and (old_status or ClientStatus.INACTIVE) == client_status:
        return _view(user.id, membership)  # nothing changed (never having one is no tier, inactive): no history row
    if membership is None:
        membership = UserMembership(user_id=user.id)
        db.session.add(membership)
    membership.tier_id, membership.tier = (new_tier.id if new_tier else None), new_tier
    membership.client_status, membership.updated_by_id = client_status, admin.id
    db.session.add(
        MembershipChange(
            user_id=user.id,
            changed_by_id=admin.id,
            from_client_status=old_status,
            to_client_status=client_status,
            **_terms("from", old_tier),
            **_terms("to", new_tier),
        )
    )
    db.session.commit()
    return _view(user.id, _current(user.id))


def _assignable_tier(tier_id: int | None, current: MembershipTier | None) -> MembershipTier | None:
    if tier_id is None:
        return None
    tier = db.session.get(MembershipTier, tier_id)
    if tier is None:
        raise RuleViolation("No such membership tier.", field="tier_id")
    if not tier.is_active and tier is not current:
        raise RuleViolation("That tier is no longer offered.", field="tier_id")
    return tier


def _terms(side: str, tier: MembershipTier | None) -> dict:
    return {
        f"{side}_tier_id": tier.id if tier else None,
        f"{side}_access_level": tier.access_level if tier else None,
        f"{side}_price_cents": tier.price_cents if tier else None,
        f"{side}_currency": tier.currency if tier else None,
    }


def membership_history(viewer: User, user_id: int) -> Select:
    """A user's membership changes, newest first."""
    user = get_member_for(viewer, user_id)
    return select(MembershipChange).where(MembershipChange.user_id == user.id).order_by(MembershipChange.id.desc())
