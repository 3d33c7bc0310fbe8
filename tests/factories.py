"""factory_boy factories; they need an app context (the `db` fixture, or `with app.app_context()`)."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import Role, User

DEFAULT_PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the current app context's session
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    role = Role.USER
    # Names follow the username, never random: searches by name must not match a stranger by chance.
    first_name = factory.LazyAttribute(lambda user: user.username.capitalize())
    last_name = "Tester"
    password_hash = ""

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            db.session.commit()
