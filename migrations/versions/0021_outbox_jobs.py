"""The transactional outbox: background jobs are written with the change that asks for them and relayed to RQ
after the commit, so a Redis outage delays a job but never loses it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("func", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("queue", sa.String(length=16), nullable=False),
        sa.Column("retry", sa.JSON(), nullable=True),
        sa.Column("job_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("available_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
        sa.UniqueConstraint("token", name=op.f("uq_outbox_jobs_token")),
    )
    op.create_index("ix_outbox_jobs_available_at", "outbox_jobs", ["available_at"])
    op.create_index(op.f("ix_outbox_jobs_job_id"), "outbox_jobs", ["job_id"])


def downgrade():
    op.drop_index(op.f("ix_outbox_jobs_job_id"), table_name="outbox_jobs")
    op.drop_index("ix_outbox_jobs_available_at", table_name="outbox_jobs")
    op.drop_table("outbox_jobs")
