"""The base of every factory: rows are committed in the current app context's session."""

from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db


class BaseFactory(SQLAlchemyModelFactory):
    """Values are deterministic (sequences and fixed values, never Faker): a random name once matched a search."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the current app context's session
        sqlalchemy_session_persistence = "commit"
