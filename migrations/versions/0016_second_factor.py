"""Second factors (TOTP secret, Telegram factor, recovery codes); personal exercises; phone numbers.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SHARED_ONLY = sa.text("owner_id IS NULL")


def upgrade():
    op.create_table(
        "mfa_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("totp_secret", sa.String(length=255), nullable=True),
        sa.Column("totp_confirmed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("telegram_enabled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mfa_settings")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("user_id", "code_hash", name=op.f("uq_recovery_codes_user_id_code_hash")),
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_exercises_title_key"), type_="unique")
        batch_op.create_index(
            "ix_exercises_shared_title_key",
            ["title_key"],
            unique=True,
            postgresql_where=SHARED_ONLY,
            sqlite_where=SHARED_ONLY,
        )
        batch_op.create_unique_constraint(batch_op.f("uq_exercises_owner_id_title_key"), ["owner_id", "title_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_exercises_owner_id_users"), "users", ["owner_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_number", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("phone_number")
    # Personal exercises become archived catalog entries with titles of their own, so the workouts that use them
    # keep their entries and the catalog's one uniqueness holds again.
    op.execute(
        "UPDATE exercises SET is_archived = true, "
        "title_key = substr(title_key, 1, 70) || ' (personal ' || CAST(id AS VARCHAR(20)) || ')' "
        "WHERE owner_id IS NOT NULL"
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_exercises_owner_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_exercises_owner_id_title_key"), type_="unique")
        batch_op.drop_index("ix_exercises_shared_title_key", postgresql_where=SHARED_ONLY, sqlite_where=SHARED_ONLY)
        batch_op.create_unique_constraint(batch_op.f("uq_exercises_title_key"), ["title_key"])
        batch_op.drop_column("owner_id")
    op.drop_table("recovery_codes")
    op.drop_table("mfa_settings")
