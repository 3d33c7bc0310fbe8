"""Every model, imported here so Alembic and relationship resolution see them all."""

from app.models.auth import AuditEvent, AuditType, AuthSession, OneTimeToken, TokenPurpose
from app.models.challenges import SCALE, Badge, BadgeKind, Challenge, ChallengeMetric, ChallengeParticipant
from app.models.chat import Conversation, ConversationMember, Message
from app.models.coaching import TrainerClient
from app.models.events import Event, EventReminder, EventRsvp, ReminderKind, RsvpStatus
from app.models.exercises import Complexity, Exercise, MuscleGroup
from app.models.friends import Block, FriendRequest, Friendship
from app.models.goals import Goal, GoalType, MetricField
from app.models.groups import Group, GroupJoinRequest, GroupMember, GroupRole, GroupVisibility
from app.models.habits import Habit, HabitCompletion, HabitReminder
from app.models.idempotency import IdempotencyKey
from app.models.media import MediaAsset, MediaKind, MediaStatus
from app.models.memberships import AccessLevel, ClientStatus, MembershipChange, MembershipTier, UserMembership
from app.models.metrics import BodyMetric
from app.models.mfa import MfaSettings, RecoveryCode
from app.models.moderation import Flag, FlagStatus, FlagTarget
from app.models.notifications import Channel, Notification, NotificationPreferences, NotificationType
from app.models.outbox import OutboxJob
from app.models.plans import PlanStatus, PlanWorkout, TrainingPlan
from app.models.posts import Comment, Post, PostMedia, Reaction, ReactionKind, ReactionNotice
from app.models.reports import DataExport, FileStatus, Report, ReportFormat
from app.models.stats import PersonalRecord, UserStats
from app.models.timelines import FeedEntry
from app.models.users import Gender, Privacy, Role, User, UserTag
from app.models.workouts import Intensity, TrainingType, Workout, WorkoutExercise

__all__ = [
    "SCALE",
    "AccessLevel",
    "AuditEvent",
    "AuditType",
    "AuthSession",
    "Badge",
    "BadgeKind",
    "Block",
    "BodyMetric",
    "Challenge",
    "ChallengeMetric",
    "ChallengeParticipant",
    "Channel",
    "ClientStatus",
    "Comment",
    "Conversation",
    "ConversationMember",
    "Complexity",
    "DataExport",
    "Event",
    "EventReminder",
    "EventRsvp",
    "Exercise",
    "FeedEntry",
    "FileStatus",
    "Flag",
    "FlagStatus",
    "FlagTarget",
    "FriendRequest",
    "Friendship",
    "Gender",
    "Goal",
    "Group",
    "GroupJoinRequest",
    "GroupMember",
    "GroupRole",
    "GroupVisibility",
    "GoalType",
    "Habit",
    "HabitCompletion",
    "HabitReminder",
    "IdempotencyKey",
    "Intensity",
    "MediaAsset",
    "MediaKind",
    "MediaStatus",
    "MembershipChange",
    "MembershipTier",
    "MfaSettings",
    "Message",
    "MetricField",
    "MuscleGroup",
    "Notification",
    "NotificationPreferences",
    "NotificationType",
    "OneTimeToken",
    "OutboxJob",
    "PersonalRecord",
    "PlanStatus",
    "PlanWorkout",
    "Post",
    "PostMedia",
    "Privacy",
    "Reaction",
    "ReactionKind",
    "ReactionNotice",
    "RecoveryCode",
    "ReminderKind",
    "Report",
    "ReportFormat",
    "Role",
    "RsvpStatus",
    "TokenPurpose",
    "TrainerClient",
    "TrainingPlan",
    "TrainingType",
    "User",
    "UserMembership",
    "UserStats",
    "UserTag",
    "Workout",
    "WorkoutExercise",
]
