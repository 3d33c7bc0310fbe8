"""factory_boy factories, one module per domain; they need an app context (the `db` fixture, or
`with app.app_context()`). Rows are committed; a row made without an owner gets a new user."""

from tests.factories.auth import AuditEventFactory, AuthSessionFactory, OneTimeTokenFactory
from tests.factories.base import BaseFactory
from tests.factories.coaching import TrainerClientFactory
from tests.factories.exercises import ExerciseFactory
from tests.factories.goals import GoalFactory
from tests.factories.habits import HabitCompletionFactory, HabitFactory, HabitReminderFactory
from tests.factories.memberships import MembershipChangeFactory, MembershipTierFactory, UserMembershipFactory
from tests.factories.metrics import BodyMetricFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.plans import PlanWorkoutFactory, TrainingPlanFactory
from tests.factories.reports import DataExportFactory, ReportFactory
from tests.factories.stats import PersonalRecordFactory
from tests.factories.users import DEFAULT_PASSWORD, UserFactory
from tests.factories.workouts import WorkoutExerciseFactory, WorkoutFactory

__all__ = [
    "DEFAULT_PASSWORD",
    "AuditEventFactory",
    "AuthSessionFactory",
    "BaseFactory",
    "BodyMetricFactory",
    "DataExportFactory",
    "ExerciseFactory",
    "GoalFactory",
    "HabitCompletionFactory",
    "HabitFactory",
    "HabitReminderFactory",
    "MembershipChangeFactory",
    "MembershipTierFactory",
    "NotificationFactory",
    "OneTimeTokenFactory",
    "PersonalRecordFactory",
    "PlanWorkoutFactory",
    "ReportFactory",
    "TrainerClientFactory",
    "TrainingPlanFactory",
    "UserFactory",
    "UserMembershipFactory",
    "WorkoutExerciseFactory",
    "WorkoutFactory",
]
