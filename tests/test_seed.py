"""Starter data: `make run` seeds the exercise catalog; `flask seed demo` loads a believable, deterministic dataset."""

import os
import subprocess
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.cli_demo import DEMO_DOMAIN, DEMO_PASSWORD, plan_demo
from app.extensions import db
from app.models import (
    BodyMetric,
    Exercise,
    Goal,
    Habit,
    HabitCompletion,
    Notification,
    TrainerClient,
    TrainingPlan,
    User,
    UserMembership,
    Workout,
    WorkoutExercise,
)
from tests.conftest import _clean, bearer, login
from tests.servers import ROOT

SMALL = ("--users", "4", "--trainers", "1", "--weeks", "3")


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_make_run_seeds_the_exercise_catalog_after_migrating():
    recipe = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ}
    ).stdout

    assert "db upgrade" in recipe and "seed exercises" in recipe
    assert recipe.index("db upgrade") < recipe.index("seed exercises") < recipe.index("serve")


def test_seed_exercises_twice_adds_nothing_the_second_time(app, db):
    first = run(app, "seed", "exercises")
    again = run(app, "seed", "exercises")

    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert "added 0 exercises" in again.output
    assert count(Exercise) == int(first.output.split("added ")[1].split()[0])


def test_seed_demo_creates_the_planned_data(app, db):
    plan = plan_demo(5, users=4, trainers=1, weeks=3)

    result = run(app, "seed", "demo", "--seed", "5", *SMALL)

    assert result.exit_code == 0, result.output
    users = [p for p in plan.people if p.role == "user"]
    assert count(User) == len(plan.people) == 6  # an admin, a trainer, four people who train
    assert db.session.scalar(select(func.count()).where(User.email.like(f"%@{DEMO_DOMAIN}"))) == 6
    assert count(TrainerClient) == sum(1 for p in users if p.trainer)
    assert count(UserMembership) == sum(1 for p in users if p.tier)
    assert count(Goal) == 2 * len(users)
    assert count(BodyMetric) == sum(len(p.metrics) for p in users) > 0
    assert count(Habit) == 3 * len(users)
    assert count(HabitCompletion) == sum(len(h["completions"]) for p in users for h in p.habits) > 0
    assert count(Workout) == sum(len(p.workouts) for p in users) > 0
    assert count(TrainingPlan) == sum(1 for p in users if p.plan)
    assert count(Notification) >= len(plan.people)
    assert count(Exercise) > 0  # the catalog comes with it
    assert DEMO_PASSWORD in result.output and "demo_admin" in result.output


def test_a_demo_user_and_the_demo_admin_can_log_in(app, client):
    assert run(app, "seed", "demo", "--seed", "2", *SMALL).exit_code == 0
    person = next(p for p in plan_demo(2, users=4, trainers=1, weeks=3).people if p.role == "user")

    access = login(client, person.username, DEMO_PASSWORD)["access_token"]
    workouts = client.get("/api/v1/workouts/?page_size=100", headers=bearer(access))
    admin = login(client, "demo_admin", DEMO_PASSWORD)

    assert workouts.status_code == 200
    assert len(workouts.json) == len(person.workouts)
    assert admin["user"]["role"] == "admin"


def snapshot() -> dict:
    """What a person would see of the demo data, without database ids."""
    owner = aliased(User)
    trainer = aliased(User)
    return {
        "users": db.session.execute(
            select(User.username, User.email, User.role, User.first_name, User.timezone, User.weight_kg).order_by(
                User.username
            )
        ).all(),
        "workouts": db.session.execute(
            select(
                owner.username, Workout.date, Workout.title, Workout.duration_min, Exercise.title, WorkoutExercise.sets
            )
            .join(owner, owner.id == Workout.user_id)
            .join(WorkoutExercise, WorkoutExercise.workout_id == Workout.id)
            .join(Exercise, Exercise.id == WorkoutExercise.exercise_id)
            .order_by(owner.username, Workout.date, Workout.title, WorkoutExercise.order)
        ).all(),
        "metrics": db.session.execute(
            select(owner.username, BodyMetric.recorded_at, BodyMetric.weight_kg)
            .join(owner, owner.id == BodyMetric.user_id)
            .order_by(owner.username, BodyMetric.recorded_at)
        ).all(),
        "completions": db.session.execute(
            select(owner.username, Habit.action, HabitCompletion.done_on)
            .join(Habit, Habit.id == HabitCompletion.habit_id)
            .join(owner, owner.id == Habit.user_id)
            .order_by(owner.username, Habit.action, HabitCompletion.done_on)
        ).all(),
        "coaching": db.session.execute(
            select(trainer.username, owner.username)
            .select_from(TrainerClient)
            .join(trainer, trainer.id == TrainerClient.trainer_id)
            .join(owner, owner.id == TrainerClient.client_id)
            .order_by(trainer.username, owner.username)
        ).all(),
        "plans": db.session.execute(
            select(owner.username, TrainingPlan.title, TrainingPlan.status)
            .join(owner, owner.id == TrainingPlan.user_id)
            .order_by(owner.username)
        ).all(),
    }


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(app, db):
    assert run(app, "seed", "demo", "--seed", "11", *SMALL).exit_code == 0
    first = snapshot()
    db.session.remove()
    _clean(app)

    assert run(app, "seed", "demo", "--seed", "11", *SMALL).exit_code == 0
    again = snapshot()

    assert first == again and first["workouts"] and first["completions"]
    day = date(2026, 6, 1)
    assert plan_demo(11, today=day) == plan_demo(11, today=day)
    assert plan_demo(11, today=day) != plan_demo(12, today=day)


def test_seed_demo_refuses_clearly_when_the_demo_data_is_there(app, db):
    assert run(app, "seed", "demo", "--seed", "1", *SMALL).exit_code == 0
    users = count(User)

    again = run(app, "seed", "demo", "--seed", "1", *SMALL)

    assert again.exit_code != 0
    assert "already here" in again.output and DEMO_DOMAIN in again.output
    assert count(User) == users
