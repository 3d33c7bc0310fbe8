"""Trigram indexes for the exercise search (`GET /exercises/?q=`) on PostgreSQL: the title key and the
description, which the search's `LIKE` and `ILIKE '%word%'` test, so a search costs the same at any catalog size.
SQLite (embedded mode) scans, as before.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_exercises_title_key_trgm": "title_key gin_trgm_ops",
    "ix_exercises_description_trgm": "description gin_trgm_ops",  # serves ILIKE as well as LIKE
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON exercises USING gin ({expression})")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
