"""Every model, imported here so Alembic and relationship resolution see them all."""

from app.models.auth import AuditEvent, AuditType, AuthSession, OneTimeToken, TokenPurpose
from app.models.coaching import TrainerClient
from app.models.exercises import Complexity, Exercise, MuscleGroup
from app.models.goals import Goal, GoalType, MetricField
from app.models.habits import Habit, HabitCompletion, HabitReminder
from app.models.memberships import AccessLevel, ClientStatus, MembershipChange, MembershipTier, UserMembership
from app.models.metrics import BodyMetric
from app.models.notifications import Channel, Notification, NotificationPreferences, NotificationType
from app.models.plans import PlanStatus, PlanWorkout, TrainingPlan
from app.models.reports import DataExport, FileStatus, Report, ReportFormat
from app.models.stats import PersonalRecord, UserStats
from app.models.users import Gender, Privacy, Role, User
from app.models.workouts import Intensity, TrainingType, Workout, WorkoutExercise

__all__ = [
    "AccessLevel",
    "ClientStatus",
    "MembershipChange",
    "MembershipTier",
    "UserMembership",
    "AuditEvent",
    "AuditType",
    "AuthSession",
    "BodyMetric",
    "Channel",
    "Complexity",
    "DataExport",
    "Exercise",
    "FileStatus",
    "Gender",
    "Goal",
    "Habit",
    "HabitCompletion",
    "HabitReminder",
    "Intensity",
    "MuscleGroup",
    "GoalType",
    "MetricField",
    "Notification",
    "NotificationPreferences",
    "NotificationType",
    "OneTimeToken",
    "PersonalRecord",
    "PlanStatus",
    "PlanWorkout",
    "Privacy",
    "Report",
    "ReportFormat",
    "Role",
    "TokenPurpose",
    "TrainerClient",
    "TrainingPlan",
    "TrainingType",
    "User",
    "UserStats",
    "Workout",
    "WorkoutExercise",
]
