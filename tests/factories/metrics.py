"""Body metrics."""

import factory

from app.models import BodyMetric
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class BodyMetricFactory(BaseFactory):
    class Meta:
        model = BodyMetric

    user_id = factory.LazyFunction(owner_id)
    weight_kg = 80.0
