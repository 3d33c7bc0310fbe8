"""Challenges, made directly as rows (progress is not computed: joining through the API does that)."""

from datetime import timedelta

import factory

from app.models import Challenge, ChallengeMetric
from app.models.base import utcnow
from tests.factories.base import BaseFactory


class ChallengeFactory(BaseFactory):
    """A workouts challenge running from three days ago to three days on, for everyone."""

    class Meta:
        model = Challenge

    title = factory.Sequence(lambda n: f"Challenge {n}")
    description = ""
    metric = ChallengeMetric.WORKOUTS
    start_date = factory.LazyFunction(lambda: utcnow().date() - timedelta(days=3))
    end_date = factory.LazyFunction(lambda: utcnow().date() + timedelta(days=3))
    created_at = factory.LazyFunction(utcnow)
