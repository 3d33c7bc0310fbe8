"""Habits, their completions and the reminder slots already sent."""

from datetime import date, time

import factory

from app.models import Habit, HabitCompletion, HabitReminder
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class HabitFactory(BaseFactory):
    class Meta:
        model = Habit

    user_id = factory.LazyFunction(owner_id)
    time = time(7, 30)
    action = "stretch"
    start_date = date(2026, 1, 1)


class HabitCompletionFactory(BaseFactory):
    class Meta:
        model = HabitCompletion

    habit_id = factory.LazyFunction(lambda: HabitFactory().id)
    done_on = date(2026, 1, 1)


class HabitReminderFactory(BaseFactory):
    class Meta:
        model = HabitReminder

    habit_id = factory.LazyFunction(lambda: HabitFactory().id)
    slot_date = date(2026, 1, 1)
