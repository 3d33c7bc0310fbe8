"""get_session_for: one's own live sessions only; an ended one, or anyone else's, does not exist (404)."""

import pytest

from app.errors import NotFound
from app.models import User
from app.services import auth
from app.services.audit import ClientInfo
from tests.conftest import login


@pytest.fixture
def people(db, make_user) -> dict[str, User]:
    ids = {"alice": make_user(username="alice"), "mallory": make_user(username="mallory")}
    return {name: db.session.get(User, user_id) for name, user_id in ids.items()}


@pytest.fixture
def session_id(client, people) -> str:
    login(client, "alice")
    return auth.live_sessions(people["alice"])[0].id


def test_the_owner_gets_her_live_session(people, session_id):
    assert auth.get_session_for(people["alice"], session_id).id == session_id


def test_anyone_elses_session_is_not_found(people, session_id):
    with pytest.raises(NotFound, match="No such session."):
        auth.get_session_for(people["mallory"], session_id)


def test_an_ended_session_is_not_found_even_for_its_owner(people, session_id):
    auth.revoke_session(people["alice"], session_id, ClientInfo())

    with pytest.raises(NotFound):
        auth.get_session_for(people["alice"], session_id)
