"""Membership tiers and users' memberships."""

import factory

from app.models import AccessLevel, ClientStatus, MembershipChange, MembershipTier, UserMembership
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class MembershipTierFactory(BaseFactory):
    """One tier per access level (the column is unique): pass `access_level` for a second tier."""

    class Meta:
        model = MembershipTier
        sqlalchemy_get_or_create = ("access_level",)

    access_level = AccessLevel.PREMIUM
    price_cents = 1999
    currency = "EUR"


class UserMembershipFactory(BaseFactory):
    class Meta:
        model = UserMembership

    user_id = factory.LazyFunction(owner_id)
    tier_id = factory.LazyFunction(lambda: MembershipTierFactory().id)
    client_status = ClientStatus.ACTIVE


class MembershipChangeFactory(BaseFactory):
    class Meta:
        model = MembershipChange

    user_id = factory.LazyFunction(owner_id)
    to_client_status = ClientStatus.ACTIVE
