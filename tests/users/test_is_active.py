"""`User.is_active`: one definition of a live account, the same in Python checks and in queries."""

from sqlalchemy import select

from app.models import User
from app.models.base import utcnow


def test_deleted_and_deactivated_people_are_inactive_in_python_and_in_sql(db):
    now = utcnow()
    people = {
        "live": User(username="live", email="live@example.com", password_hash="-"),
        "gone": User(username="gone", email="gone@example.com", password_hash="-", deleted_at=now),
        "paused": User(username="paused", email="paused@example.com", password_hash="-", deactivated_at=now),
    }
    db.session.add_all(people.values())
    db.session.commit()

    active_in_sql = set(db.session.scalars(select(User.username).where(User.is_active)))
    inactive_in_sql = set(db.session.scalars(select(User.username).where(~User.is_active)))

    assert {name for name, person in people.items() if person.is_active} == active_in_sql == {"live"}
    assert inactive_in_sql == {"gone", "paused"}
