"""Groups: groups, their members and join requests; a group for posts, events and conversations.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-20

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The tables that gain `group_id`. SQLite rebuilds a table to add a foreign key (batch mode), which drops the
# triggers that keep `posts_fts` (migration 0011): they are created again after.
GROUPED = (
    ("posts", "ix_posts_group_id_id", ["group_id", "id"]),
    ("events", "ix_events_group_id_starts_at", ["group_id", "starts_at"]),
)


def upgrade():
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("visibility IN ('public', 'private')", name=op.f("ck_groups_visibility")),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_groups_creator_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'member')", name=op.f("ck_group_members_role")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_members_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index("ix_group_members_group_id_role", ["group_id", "role"], unique=False)
        batch_op.create_index("ix_group_members_user_id_group_id", ["user_id", "group_id"], unique=False)
    op.create_table(
        "group_join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_join_requests_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_join_requests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_join_requests")),
        sa.UniqueConstraint("group_id", "user_id", name="uq_group_join_requests_group_id_user_id"),
    )
    with op.batch_alter_table("group_join_requests", schema=None) as batch_op:
        batch_op.create_index("ix_group_join_requests_user_id", ["user_id"], unique=False)

    for table, index, columns in GROUPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_group_id(table))
            batch_op.create_index(index, columns, unique=False)
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(_group_id("conversations"))
        batch_op.create_unique_constraint("uq_conversations_group_id", ["group_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Group search matches words anywhere in names and descriptions (ILIKE '%word%'): trigram indexes serve it
        # at any size.
        op.execute("CREATE INDEX ix_groups_name_trgm ON groups USING gin (lower(name) gin_trgm_ops)")
        op.execute("CREATE INDEX ix_groups_description_trgm ON groups USING gin (lower(description) gin_trgm_ops)")
    else:
        _create_posts_fts_triggers()


def _group_id(table: str) -> sa.Column:
    return sa.Column(
        "group_id",
        sa.Integer(),
        sa.ForeignKey("groups.id", name=f"fk_{table}_group_id_groups", ondelete="CASCADE"),
        nullable=True,
    )


def downgrade():
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint("uq_conversations_group_id", type_="unique")
        batch_op.drop_constraint("fk_conversations_group_id_groups", type_="foreignkey")
        batch_op.drop_column("group_id")
    for table, index, _ in GROUPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.drop_constraint(f"fk_{table}_group_id_groups", type_="foreignkey")
            batch_op.drop_column("group_id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_groups_description_trgm")
        op.execute("DROP INDEX IF EXISTS ix_groups_name_trgm")
    else:
        _create_posts_fts_triggers()
    op.drop_table("group_join_requests")
    op.drop_table("group_members")
    op.drop_table("groups")


def _create_posts_fts_triggers():
    """Migration 0011's triggers on `posts` (SQLite's recipe for an FTS5 external-content table)."""
    remove = "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    add = "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text);"
    for name in ("posts_fts_ai", "posts_fts_ad", "posts_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN {add} END")
    op.execute(f"CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER posts_fts_au AFTER UPDATE OF text ON posts BEGIN {remove} {add} END")
