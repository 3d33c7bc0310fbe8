"""The migrations are the schema: no drift from the models, and every revision downgrades and upgrades again."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db
from app.models.fulltext import include_object


def schema_drift(connection) -> list:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
    )
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_do_not_drift(db):
    with db.engine.connect() as connection:
        assert schema_drift(connection) == []


def test_every_migration_downgrades_to_base_and_upgrades_again(db):
    model_tables = set(db.metadata.tables)
    try:
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) & model_tables == set()
    finally:
        flask_migrate.upgrade()

    with db.engine.connect() as connection:
        assert model_tables <= set(inspect(connection).get_table_names())
        assert schema_drift(connection) == []


def test_constraints_follow_the_naming_convention(db):
    assert db.metadata.naming_convention["uq"] == "uq_%(table_name)s_%(column_0_N_name)s"
    assert db.metadata.naming_convention["fk"] == "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
