"""An index for a login's new-device check: has this account logged in with this user agent before?

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_auth_sessions_user_id_user_agent", ["user_id", "user_agent"], unique=False)


def downgrade():
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_sessions_user_id_user_agent")
