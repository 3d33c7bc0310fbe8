"""Personal records (services.stats keeps them from workouts; these rows bypass it)."""

from datetime import date

import factory

from app.models import PersonalRecord
from tests.factories.base import BaseFactory
from tests.factories.exercises import ExerciseFactory
from tests.factories.users import owner_id


class PersonalRecordFactory(BaseFactory):
    class Meta:
        model = PersonalRecord

    user_id = factory.LazyFunction(owner_id)
    exercise_id = factory.LazyFunction(lambda: ExerciseFactory().id)
    max_weight_g = 20_000
    max_weight_on = date(2026, 1, 5)
    max_volume_g = 600_000
    max_volume_on = date(2026, 1, 5)
    max_reps = 10
