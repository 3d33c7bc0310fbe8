"""Every model, imported here so Alembic and relationship resolution see them all."""

from app.models.auth import AuditEvent, AuditType, AuthSession, OneTimeToken, TokenPurpose
from app.models.goals import Goal, GoalType, MetricField
from app.models.habits import Habit, HabitCompletion, HabitReminder
from app.models.metrics import BodyMetric
from app.models.notifications import Channel, Notification, NotificationPreferences, NotificationType
from app.models.users import Gender, Privacy, Role, User

__all__ = [
    "AuditEvent",
    "AuditType",
    "AuthSession",
    "BodyMetric",
    "Channel",
    "Gender",
    "Goal",
    "Habit",
    "HabitCompletion",
    "HabitReminder",
    "GoalType",
    "MetricField",
    "Notification",
    "NotificationPreferences",
    "NotificationType",
    "OneTimeToken",
    "Privacy",
    "Role",
    "TokenPurpose",
    "User",
]
