"""Feeds and search: home timelines kept on write (filled from the posts and friendships already there), and the
full-text indexes of posts and people — generated tsvector columns with GIN indexes and pg_trgm on PostgreSQL,
FTS5 tables kept by triggers on SQLite (app/models/fulltext.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# What a person is found by: username and names exactly or by prefix, bio and location by their words.
USER_DOCUMENT = (
    "coalesce(username, '') || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || "
    "coalesce(location, '') || ' ' || coalesce(bio, '')"
)
FULL_NAME = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"

SQLITE_TRIGGERS = {
    "posts_fts": ("posts", ["text"]),
    "users_fts": ("users", ["username", "first_name", "last_name", "location", "bio"]),
}


def upgrade():
    op.create_table(
        "feed_entries",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_feed_entries_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_feed_entries_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_feed_entries_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("owner_id", "created_at", "post_id", name=op.f("pk_feed_entries")),
    )
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        batch_op.create_index("ix_feed_entries_post_id", ["post_id"], unique=False)
    # Every post into its author's timeline and their friends'.
    op.execute(
        "INSERT INTO feed_entries (owner_id, created_at, post_id, author_id) "
        "SELECT author_id, created_at, id, author_id FROM posts "
        "UNION ALL SELECT f.friend_id, p.created_at, p.id, p.author_id FROM posts p "
        "JOIN friendships f ON f.user_id = p.author_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_postgresql():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "ALTER TABLE posts ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED"
    )
    op.execute(
        "ALTER TABLE users ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('simple', {USER_DOCUMENT})) STORED"
    )
    op.execute("CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)")
    op.execute("CREATE INDEX ix_users_search_vector ON users USING gin (search_vector)")
    op.execute("CREATE INDEX ix_users_username_trgm ON users USING gin (username gin_trgm_ops)")
    op.execute(f"CREATE INDEX ix_users_full_name_trgm ON users USING gin (({FULL_NAME}) gin_trgm_ops)")


def _upgrade_sqlite():
    op.execute(
        "CREATE VIRTUAL TABLE posts_fts USING fts5(text, content='posts', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE VIRTUAL TABLE users_fts USING fts5(username, first_name, last_name, location, bio, "
        "content='users', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    create_sqlite_triggers()
    op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    op.execute("INSERT INTO users_fts(users_fts) VALUES ('rebuild')")


def create_sqlite_triggers():
    """FTS5 external-content tables are kept by triggers on their table (SQLite's documented recipe)."""
    for fts, (table, columns) in SQLITE_TRIGGERS.items():
        names = ", ".join(columns)
        new = ", ".join(f"new.{column}" for column in columns)
        old = ", ".join(f"old.{column}" for column in columns)
        remove = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
        add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {add} END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {remove} END")
        op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN {remove} {add} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for index in ("ix_users_full_name_trgm", "ix_users_username_trgm", "ix_users_search_vector"):
            op.execute(f"DROP INDEX IF EXISTS {index}")
        op.execute("DROP INDEX IF EXISTS ix_posts_search_vector")
        op.execute("ALTER TABLE users DROP COLUMN IF EXISTS search_vector")
        op.execute("ALTER TABLE posts DROP COLUMN IF EXISTS search_vector")
    else:
        for fts in SQLITE_TRIGGERS:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_entries_post_id")
    op.drop_table("feed_entries")
