"""Events: events, their RSVPs (going, maybe, declined, waitlisted) and the reminder claims.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-18

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("online_url", sa.String(length=2000), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name=op.f("ck_events_capacity")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["organizer_id"], ["users.id"], name=op.f("fk_events_organizer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_organizer_id", ["organizer_id"], unique=False)
        batch_op.create_index("ix_events_starts_at_id", ["starts_at", "id"], unique=False)
    op.create_table(
        "event_rsvps",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('going', 'maybe', 'declined', 'waitlisted')", name=op.f("ck_event_rsvps_status")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_rsvps_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_event_rsvps_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_event_rsvps")),
    )
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_rsvps_event_id_status_asked_at", ["event_id", "status", "asked_at", "user_id"], unique=False
        )
        batch_op.create_index("ix_event_rsvps_user_id", ["user_id"], unique=False)
    op.create_table(
        "event_reminders",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('24h', '1h')", name=op.f("ck_event_reminders_kind")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_reminders_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_event_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", "kind", "starts_at", name=op.f("pk_event_reminders")),
    )
    with op.batch_alter_table("event_reminders", schema=None) as batch_op:
        batch_op.create_index("ix_event_reminders_starts_at", ["starts_at"], unique=False)


def downgrade():
    with op.batch_alter_table("event_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_event_reminders_starts_at")
    op.drop_table("event_reminders")
    with op.batch_alter_table("event_rsvps", schema=None) as batch_op:
        batch_op.drop_index("ix_event_rsvps_user_id")
        batch_op.drop_index("ix_event_rsvps_event_id_status_asked_at")
    op.drop_table("event_rsvps")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_starts_at_id")
        batch_op.drop_index("ix_events_organizer_id")
    op.drop_table("events")
