"""On PostgreSQL the `?q=` searches of people and exercises reach their rows through the trigram indexes (migrations
0011 and 0019), so a search that matches few costs the same at any size; a change to the matching expressions that
no longer fits an index fails here. (SQLite, the embedded mode, scans.)"""

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.models import Exercise, User
from app.services import exercises, users
from tests.conftest import REAL_DATABASE_URL

pytestmark = pytest.mark.skipif(not REAL_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


def plan(query) -> str:
    """The plan of `query`, with sequential and plain index scans priced out (a test table is tiny): what is left
    is a bitmap scan of the indexes the predicate fits."""
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    dialect = postgresql.psycopg.dialect(paramstyle="format")
    compiled = query.limit(20).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    parameters = tuple(compiled.params[name] for name in compiled.positiontup)
    return "\n".join(connection.exec_driver_sql("EXPLAIN " + str(compiled), parameters).scalars())


@pytest.mark.parametrize("q", ["ann", "lee smith"])
def test_the_people_search_matches_names_through_their_trigram_indexes(app, q):
    with app.app_context():
        shown = plan(users.where_name_matches(select(User.id), q))

    assert "ix_users_username_trgm" in shown and "ix_users_full_name_trgm" in shown, shown


@pytest.mark.parametrize("q", ["squat", "goblet squat"])
def test_the_exercise_search_matches_titles_and_descriptions_through_their_trigram_indexes(app, q):
    with app.app_context():
        shown = plan(exercises.where_text_matches(select(Exercise.id), q))

    assert "ix_exercises_title_key_trgm" in shown and "ix_exercises_description_trgm" in shown, shown
