"""Notifications, stored as notify() stores them (without pushing them anywhere)."""

import factory

from app.models import Notification, NotificationType
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class NotificationFactory(BaseFactory):
    class Meta:
        model = Notification

    recipient_id = factory.LazyFunction(owner_id)
    type = NotificationType.SYSTEM
    message = factory.Sequence(lambda n: f"Notice {n}")
