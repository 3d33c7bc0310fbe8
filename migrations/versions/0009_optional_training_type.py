"""Workouts: `training_type` becomes optional (null when not given), as in the original training schema.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.alter_column("training_type", existing_type=sa.String(length=16), nullable=True)


def downgrade():
    # Workouts logged without a type become "other", the type that says "none of the listed ones".
    op.execute("UPDATE workouts SET training_type = 'other' WHERE training_type IS NULL")
    with op.batch_alter_table("workouts", schema=None) as batch_op:
        batch_op.alter_column("training_type", existing_type=sa.String(length=16), nullable=False)
