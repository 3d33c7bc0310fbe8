"""Memberships: tiers, each user's current membership and client status, and the history of changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "membership_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_level", sa.String(length=16), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "access_level IN ('standard', 'premium', 'vip')", name=op.f("ck_membership_tiers_access_level")
        ),
        sa.CheckConstraint("length(currency) = 3", name=op.f("ck_membership_tiers_currency")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_membership_tiers_price_cents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_tiers")),
        sa.UniqueConstraint("access_level", name=op.f("uq_membership_tiers_access_level")),
    )
    op.create_table(
        "membership_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_tier_id", sa.Integer(), nullable=True),
        sa.Column("from_access_level", sa.String(length=16), nullable=True),
        sa.Column("from_price_cents", sa.Integer(), nullable=True),
        sa.Column("from_currency", sa.String(length=3), nullable=True),
        sa.Column("from_client_status", sa.String(length=16), nullable=True),
        sa.Column("to_tier_id", sa.Integer(), nullable=True),
        sa.Column("to_access_level", sa.String(length=16), nullable=True),
        sa.Column("to_price_cents", sa.Integer(), nullable=True),
        sa.Column("to_currency", sa.String(length=3), nullable=True),
        sa.Column("to_client_status", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "to_client_status IN ('active', 'inactive', 'on_hold')",
            name=op.f("ck_membership_changes_to_client_status"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_membership_changes_changed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["from_tier_id"],
            ["membership_tiers.id"],
            name=op.f("fk_membership_changes_from_tier_id_membership_tiers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_tier_id"],
            ["membership_tiers.id"],
            name=op.f("fk_membership_changes_to_tier_id_membership_tiers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_membership_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_changes")),
    )
    with op.batch_alter_table("membership_changes", schema=None) as batch_op:
        batch_op.create_index("ix_membership_changes_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "user_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=True),
        sa.Column("client_status", sa.String(length=16), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "client_status IN ('active', 'inactive', 'on_hold')", name=op.f("ck_user_memberships_client_status")
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            ["membership_tiers.id"],
            name=op.f("fk_user_memberships_tier_id_membership_tiers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_user_memberships_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_memberships")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_memberships_user_id")),
    )
    with op.batch_alter_table("user_memberships", schema=None) as batch_op:
        batch_op.create_index("ix_user_memberships_tier_id", ["tier_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_user_memberships_tier_id")

    op.drop_table("user_memberships")
    with op.batch_alter_table("membership_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_changes_user_id_id")

    op.drop_table("membership_changes")
    op.drop_table("membership_tiers")
