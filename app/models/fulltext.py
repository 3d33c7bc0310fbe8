"""The full-text search indexes the database keeps by itself, which the ORM does not model.

PostgreSQL: `posts.search_vector` and `users.search_vector` are generated `tsvector` columns (the database
recomputes them on every write) with GIN indexes, and `pg_trgm` GIN indexes on user names for typo-tolerant
matching (and on group names and descriptions, migration 0014; on exercise titles and descriptions, 0019).
SQLite (embedded mode): FTS5 tables `posts_fts` and `users_fts` over the same rows, kept by triggers.
Migration 0011 creates them; `include_object` tells Alembic's comparison (autogenerate, the drift test) that
they are meant to be there.

A later SQLite batch migration that rebuilds `posts` or `users` drops their triggers: such a revision must create
them again (`create_sqlite_triggers` in 0011 shows how).
"""

SEARCH_COLUMNS = frozenset({("posts", "search_vector"), ("users", "search_vector")})
SEARCH_INDEXES = frozenset(
    {
        "ix_posts_search_vector",
        "ix_users_search_vector",
        "ix_users_username_trgm",
        "ix_users_full_name_trgm",
        "ix_groups_name_trgm",
        "ix_groups_description_trgm",
        "ix_exercises_title_key_trgm",
        "ix_exercises_description_trgm",
    }
)
SEARCH_TABLE_PREFIXES = ("posts_fts", "users_fts")  # FTS5 tables and their shadow tables (posts_fts_data, ...)


def include_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Alembic's filter: leave the search indexes out of every schema comparison."""
    if type_ == "table":
        return not (name or "").startswith(SEARCH_TABLE_PREFIXES)
    if type_ == "column":
        return (obj.table.name, name) not in SEARCH_COLUMNS
    if type_ == "index":
        return name not in SEARCH_INDEXES
    return True
