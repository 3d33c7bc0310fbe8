"""Trainer ↔ client assignments."""

import factory

from app.models import Role, TrainerClient
from tests.factories.base import BaseFactory
from tests.factories.users import UserFactory, owner_id


class TrainerClientFactory(BaseFactory):
    class Meta:
        model = TrainerClient

    trainer_id = factory.LazyFunction(lambda: UserFactory(role=Role.TRAINER).id)
    client_id = factory.LazyFunction(owner_id)
