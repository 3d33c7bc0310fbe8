"""Fitness goals."""

from datetime import date

import factory

from app.models import Goal, GoalType
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class GoalFactory(BaseFactory):
    class Meta:
        model = Goal

    user_id = factory.LazyFunction(owner_id)
    goal_type = GoalType.GENERAL
    start_date = date(2026, 1, 1)
