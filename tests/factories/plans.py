"""Training plans and their workouts."""

import factory

from app.models import PlanStatus, PlanWorkout, TrainingPlan
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class TrainingPlanFactory(BaseFactory):
    class Meta:
        model = TrainingPlan

    user_id = factory.LazyFunction(owner_id)
    created_by_id = factory.SelfAttribute("user_id")
    title = factory.Sequence(lambda n: f"Plan {n}")
    status = PlanStatus.ACTIVE


class PlanWorkoutFactory(BaseFactory):
    class Meta:
        model = PlanWorkout

    plan_id = factory.LazyFunction(lambda: TrainingPlanFactory().id)
    position = factory.Sequence(lambda n: n + 1)
