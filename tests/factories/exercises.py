"""The exercise catalog."""

import factory

from app.models import Exercise, MuscleGroup
from app.models.exercises import title_key
from tests.factories.base import BaseFactory


class ExerciseFactory(BaseFactory):
    class Meta:
        model = Exercise

    title = factory.Sequence(lambda n: f"Exercise {n}")
    title_key = factory.LazyAttribute(lambda exercise: title_key(exercise.title))
    muscle_group = MuscleGroup.CORE
