"""People: accounts with a known password."""

import factory

from app.extensions import db
from app.models import Role, User
from tests.factories.base import BaseFactory

DEFAULT_PASSWORD = "correct horse battery"


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


def owner_id() -> int:
    """A new user's id: the owner of a row made without one."""
    return UserFactory().id
