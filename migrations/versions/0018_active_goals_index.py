"""The expiry job's index holds active goals only: a goal leaves it when it expires, so the expiry's UPDATE
writes one index entry fewer per goal, and the index does not grow with finished goals.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_is_active_end_date")
        batch_op.create_index(
            "ix_goals_active_end_date",
            ["end_date"],
            unique=False,
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active"),
        )


def downgrade():
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_active_end_date", postgresql_where=sa.text("is_active"))
        batch_op.create_index("ix_goals_is_active_end_date", ["is_active", "end_date"], unique=False)
