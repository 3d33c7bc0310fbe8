"""Workouts and their exercise entries (no stats: services.workouts keeps those; these rows bypass it)."""

from datetime import date

import factory

from app.models import TrainingType, Workout, WorkoutExercise
from tests.factories.base import BaseFactory
from tests.factories.exercises import ExerciseFactory
from tests.factories.users import owner_id


class WorkoutFactory(BaseFactory):
    class Meta:
        model = Workout

    user_id = factory.LazyFunction(owner_id)
    training_type = TrainingType.STRENGTH
    title = factory.Sequence(lambda n: f"Session {n}")
    date = date(2026, 1, 5)


class WorkoutExerciseFactory(BaseFactory):
    class Meta:
        model = WorkoutExercise

    workout_id = factory.LazyFunction(lambda: WorkoutFactory().id)
    exercise_id = factory.LazyFunction(lambda: ExerciseFactory().id)
    order = factory.Sequence(lambda n: n % 1000 + 1)
