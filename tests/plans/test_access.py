"""get_plan_for: the owner and her trainers read a plan; the owner and the trainer who built it change it;
for anyone else it does not exist (404). A completed plan refuses changes to its contents, not its deletion."""

from datetime import date

import pytest

from app.errors import Conflict, Forbidden, NotFound
from app.models import User
from app.services import coaching, plans, workouts
from tests.conftest import bearer, login

SESSION = {"training_type": "strength", "title": "Push", "date": date(2026, 1, 5), "exercises": []}


@pytest.fixture
def people(db, make_user) -> dict[str, User]:
    """alice (the owner), coach and trainer2 (both her trainers) and mallory (anyone else)."""
    ids = {
        "alice": make_user(username="alice"),
        "coach": make_user(username="coach", role="trainer"),
        "trainer2": make_user(username="trainer2", role="trainer"),
        "mallory": make_user(username="mallory"),
        "root": make_user(username="root", role="admin"),
    }
    people = {name: db.session.get(User, user_id) for name, user_id in ids.items()}
    for trainer in ("coach", "trainer2"):
        coaching.assign(people["root"], ids[trainer], ids["alice"])
    return people


@pytest.fixture
def own_plan(people) -> int:
    """A plan alice built for herself."""
    return plans.create_plan(people["alice"], {"title": "Own"}).id


@pytest.fixture
def coach_plan(people) -> int:
    """A plan the coach built for alice."""
    return plans.create_plan(people["coach"], {"title": "Coached", "user_id": people["alice"].id}).id


def test_the_owner_changes_any_of_her_plans(people, own_plan, coach_plan):
    for plan_id in (own_plan, coach_plan):
        assert plans.get_plan_for(people["alice"], plan_id, to_change=True).id == plan_id


def test_the_trainer_who_built_a_plan_changes_it_and_reads_the_others(people, own_plan, coach_plan):
    assert plans.get_plan_for(people["coach"], coach_plan, to_change=True).id == coach_plan
    assert plans.get_plan_for(people["coach"], own_plan).id == own_plan

    with pytest.raises(Forbidden, match="Only the owner, or the trainer who built this plan"):
        plans.get_plan_for(people["coach"], own_plan, to_change=True)


def test_another_trainer_of_hers_reads_the_coachs_plan_but_may_not_change_it(people, coach_plan):
    assert plans.get_plan_for(people["trainer2"], coach_plan).id == coach_plan

    with pytest.raises(Forbidden):
        plans.get_plan_for(people["trainer2"], coach_plan, to_change=True)


@pytest.mark.parametrize("to_change", [False, True])
def test_anyone_else_finds_no_such_plan(people, own_plan, to_change):
    with pytest.raises(NotFound, match="No such training plan."):
        plans.get_plan_for(people["mallory"], own_plan, to_change=to_change, lock=to_change)


def test_the_builder_loses_the_plan_with_the_assignment(people, coach_plan):
    coaching.leave_trainer(people["alice"], people["coach"].id)

    with pytest.raises(NotFound):
        plans.get_plan_for(people["coach"], coach_plan, to_change=True)


def test_a_locked_read_returns_the_plan_with_its_workouts(people):
    workout = workouts.create_workout(people["alice"], SESSION)
    plan = plans.create_plan(people["alice"], {"title": "Own", "workout_ids": [workout.id]})

    locked = plans.get_plan_for(people["alice"], plan.id, to_change=True, lock=True)

    assert locked.workout_ids == [workout.id]


def test_a_completed_plan_refuses_changes_but_may_be_deleted(people):
    plan_id = plans.create_plan(people["alice"], {"title": "Done", "status": "completed"}).id

    with pytest.raises(Conflict, match="completed and read-only"):
        plans.update_plan(people["alice"], plan_id, {"title": "Again"})
    plans.delete_plan(people["alice"], plan_id)

    with pytest.raises(NotFound):
        plans.get_plan_for(people["alice"], plan_id)


def test_over_http_who_is_refused_is_told_why_and_the_plan_stays(client, people, own_plan):
    url = f"/api/v1/training-plans/{own_plan}/"
    coach, mallory = (bearer(login(client, name)["access_token"]) for name in ("coach", "mallory"))

    refused = client.delete(url, headers=coach)
    hidden = client.delete(url, headers=mallory)

    assert refused.status_code == 403
    assert refused.json["message"] == "Only the owner, or the trainer who built this plan, can change it."
    assert hidden.status_code == 404 and hidden.json["message"] == "No such training plan."
    assert client.get(url, headers=coach).json["title"] == "Own"
