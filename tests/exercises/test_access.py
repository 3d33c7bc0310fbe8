"""get_exercise_for: everyone reads any shared exercise, archived ones too; only trainers and admins change the
catalog, whether they come through a route or call the service from a job or the CLI. A personal exercise: its
owner and their trainers read it, only its owner changes it, and for anyone else it does not exist."""

import pytest

from app.errors import Forbidden, NotFound
from app.models import Exercise
from app.services import coaching, exercises
from tests.conftest import bearer, login


@pytest.fixture
def archived_id(people) -> int:
    exercise = exercises.create_exercise(people["coach"], {"title": "Old Move", "muscle_group": "core"})
    return exercises.update_exercise(people["coach"], exercise.id, {"is_archived": True}).id


def test_everyone_reads_an_archived_exercise(people, archived_id):
    assert exercises.get_exercise_for(people["alice"], archived_id).title == "Old Move"


@pytest.mark.parametrize("editor", ["coach", "root"])
def test_trainers_and_admins_may_change_it(people, archived_id, editor):
    assert exercises.get_exercise_for(people[editor], archived_id, to_change=True).id == archived_id


def test_a_plain_user_may_not_change_or_delete_it(db, people, archived_id):
    with pytest.raises(Forbidden, match="Only trainers and admins"):
        exercises.get_exercise_for(people["alice"], archived_id, to_change=True)
    with pytest.raises(Forbidden):
        exercises.update_exercise(people["alice"], archived_id, {"title": "Mine"})
    with pytest.raises(Forbidden):
        exercises.delete_exercise(people["alice"], archived_id)

    assert db.session.get(Exercise, archived_id).title == "Old Move"


def test_a_missing_exercise_is_not_found(people):
    with pytest.raises(NotFound, match="No such exercise."):
        exercises.get_exercise_for(people["coach"], 10**9, to_change=True)


def test_over_http_a_missing_exercise_is_404_for_everyone_and_a_plain_user_may_not_change_a_shared_one(
    client, people, archived_id
):
    alice = bearer(login(client, "alice")["access_token"])

    assert client.get(f"/api/v1/exercises/{archived_id}/", headers=alice).status_code == 200
    assert client.get("/api/v1/exercises/999999/", headers=alice).status_code == 404
    assert client.delete("/api/v1/exercises/999999/", headers=alice).status_code == 404  # it could have been hers
    assert client.delete(f"/api/v1/exercises/{archived_id}/", headers=alice).status_code == 403


@pytest.fixture
def alices_id(people) -> int:
    return exercises.create_exercise(
        people["alice"], {"title": "Own Move", "muscle_group": "core", "is_personal": True}
    ).id


def test_a_personal_exercise_is_read_by_its_owner_and_their_trainer_only(people, alices_id):
    for reader in ("alice", "coach"):
        assert exercises.get_exercise_for(people[reader], alices_id).owner_id == people["alice"].id
    for outsider in ("mallory", "stranger", "root"):
        with pytest.raises(NotFound, match="No such exercise."):
            exercises.get_exercise_for(people[outsider], alices_id)


def test_a_personal_exercise_is_changed_by_its_owner_only(people, alices_id):
    assert exercises.get_exercise_for(people["alice"], alices_id, to_change=True).id == alices_id
    with pytest.raises(Forbidden, match="Only its owner"):
        exercises.get_exercise_for(people["coach"], alices_id, to_change=True)
    for outsider in ("mallory", "stranger", "root"):
        with pytest.raises(NotFound):
            exercises.update_exercise(people[outsider], alices_id, {"title": "Taken"})


def test_a_trainer_who_stops_training_the_owner_loses_sight_of_their_exercise(people, alices_id):
    coaching.drop_client(people["coach"], people["alice"].id)

    with pytest.raises(NotFound):
        exercises.get_exercise_for(people["coach"], alices_id)
