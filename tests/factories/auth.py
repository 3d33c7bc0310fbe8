"""Logins (sessions), one-time tokens and audit events."""

from datetime import timedelta

import factory

from app.models import AuditEvent, AuditType, AuthSession, OneTimeToken, TokenPurpose
from app.models.base import utcnow
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class AuthSessionFactory(BaseFactory):
    class Meta:
        model = AuthSession

    id = factory.Sequence(lambda n: f"{n:032d}")
    user_id = factory.LazyFunction(owner_id)
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=30))


class OneTimeTokenFactory(BaseFactory):
    class Meta:
        model = OneTimeToken

    user_id = factory.LazyFunction(owner_id)
    purpose = TokenPurpose.PASSWORD_RESET
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(hours=1))


class AuditEventFactory(BaseFactory):
    class Meta:
        model = AuditEvent

    type = AuditType.LOGIN_SUCCEEDED
    user_id = factory.LazyFunction(owner_id)
