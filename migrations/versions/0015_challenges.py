"""Challenges: challenges, their participants (progress and final rank), badges; workouts gain distance and calories.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-22

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "metric IN ('workouts', 'minutes', 'volume_kg', 'habit_completions', 'distance_km')",
            name=op.f("ck_challenges_metric"),
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_challenges_window")),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_challenges_creator_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_challenges_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index("ix_challenges_closed_at_end_date", ["closed_at", "end_date"], unique=False)
        batch_op.create_index("ix_challenges_group_id", ["group_id"], unique=False)
    op.create_table(
        "challenge_participants",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_participants_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_challenge_participants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("challenge_id", "user_id", name=op.f("pk_challenge_participants")),
    )
    with op.batch_alter_table("challenge_participants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_challenge_participants_challenge_id_value", ["challenge_id", "value", "user_id"], unique=False
        )
        batch_op.create_index("ix_challenge_participants_user_id", ["user_id"], unique=False)
    op.create_table(
        "badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('first_challenge', 'podium', 'streak')", name=op.f("ck_badges_kind")),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenges.id"], name=op.f("fk_badges_challenge_id_challenges"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_badges_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badges")),
        sa.UniqueConstraint("user_id", "kind", "challenge_id", name="uq_badges_user_id_kind_challenge_id"),
    )
    # Plain columns without foreign keys: SQLite adds them in place (no table rebuild).
    op.add_column("workouts", sa.Column("distance_km", sa.Numeric(precision=8, scale=3), nullable=True))
    op.add_column("workouts", sa.Column("calories", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_workouts_distance_km", "workouts", "distance_km >= 0 AND distance_km <= 10000")
        op.create_check_constraint("ck_workouts_calories", "workouts", "calories BETWEEN 0 AND 100000")
    else:
        with op.batch_alter_table("workouts", schema=None) as batch_op:
            batch_op.create_check_constraint("ck_workouts_distance_km", "distance_km >= 0 AND distance_km <= 10000")
            batch_op.create_check_constraint("ck_workouts_calories", "calories BETWEEN 0 AND 100000")


def downgrade():
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.drop_constraint("ck_workouts_calories", type_="check")
        batch_op.drop_constraint("ck_workouts_distance_km", type_="check")
        batch_op.drop_column("calories")
        batch_op.drop_column("distance_km")
    op.drop_table("badges")
    op.drop_table("challenge_participants")
    op.drop_table("challenges")
