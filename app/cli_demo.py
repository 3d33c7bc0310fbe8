"""`flask seed demo`: a believable demo dataset, the same for the same `--seed`.

Everything a person would type goes through the API's own schemas and then the services (accounts, trainer
assignments, memberships, goals, metrics, habits, workouts, plans, notifications), so every rule holds and the
derived data (training stats, records, membership history) is what the app itself would have computed. Only
past habit completions are written directly: the service records today's, and a demo needs weeks of them.

The random choices are drawn first, from `random.Random(seed)`, into plain data (`plan_demo`); dates count
back from yesterday (UTC), so one seed gives the same data on the same day.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.blueprints.auth.schemas import RegisterSchema
from app.blueprints.goals.schemas import GoalCreateSchema
from app.blueprints.habits.schemas import HabitWriteSchema
from app.blueprints.memberships.schemas import TierCreateSchema
from app.blueprints.metrics.schemas import MetricCreateSchema
from app.blueprints.plans.schemas import TrainingPlanCreateSchema
from app.blueprints.workouts.schemas import WorkoutCreateSchema
from app.extensions import db
from app.models import Exercise, HabitCompletion, MembershipTier, Role, User
from app.models.notifications import Channel, NotificationType
from app.services import (
    auth,
    coaching,
    exercises,
    goals,
    habits,
    memberships,
    metrics,
    notifications,
    plans,
    workouts,
)
from app.services.seed_data import EXERCISES

DEMO_DOMAIN = "demo.example.com"
DEMO_PASSWORD = "stride demo password"  # noqa: S105 - printed on purpose: every demo account uses it

FIRST_NAMES = (
    "Maya Noah Lena Omar Sofia Lucas Aisha Mateo Chloe Ivan Hana Diego Zoe Felix Priya Leo Nora Samir Elena Kai "
    "Ines Tomas Yuki Amara"
).split()
LAST_NAMES = (
    "Keller Novak Haddad Silva Moreau Rossi Tanaka Okafor Larsen Petrov Costa Weber Nguyen Ortiz Fischer Ali"
).split()
TIMEZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "America/Sao_Paulo", "Asia/Tokyo", "UTC")
LOCATIONS = ("Berlin", "London", "New York", "São Paulo", "Tokyo", "Lisbon", "Toronto", "Nairobi")
TIERS = (
    ("standard", "9.99", "Gym floor and classes"),
    ("premium", "19.99", "Classes and sauna"),
    ("vip", "39.99", "Personal coaching"),
)

WORKOUT_KINDS = (  # (training_type, title, muscle groups drawn from, minutes)
    ("strength", "Push day", ("chest", "shoulders", "arms"), (45, 70)),
    ("strength", "Pull day", ("back", "arms"), (45, 70)),
    ("strength", "Leg day", ("legs",), (50, 75)),
    ("hiit", "Intervals", ("full_body", "core"), (20, 35)),
    ("cardio", "Easy cardio", ("full_body", "legs"), (30, 60)),
    ("mobility", "Mobility flow", ("core", "full_body", "legs"), (20, 40)),
)
HABITS = (  # (action, place, time, periodicity_days, duration_sec)
    ("drink a glass of water", "kitchen", "07:30", 1, 30),
    ("stretch hamstrings", "living room", "21:00", 1, 120),
    ("plank", "bedroom", "07:00", 1, 90),
    ("walk around the block", "outside", "13:00", 2, 120),
    ("foam-roll the calves", "gym", "18:30", 3, 120),
)
PLEASANT = (("listen to a favourite song", "anywhere", "20:00"), ("make a cup of tea", "kitchen", "16:00"))
GOALS = (  # (goal_type, unit, target relative to the start weight or absolute, description)
    ("weight_loss", "kg", -6, "Lose six kilos before summer"),
    ("muscle_gain", "kg", 4, "Put on some muscle"),
    ("endurance", "km", 10, "Run 10 km without stopping"),
    ("strength", "kg", 100, "Squat 100 kg"),
    ("flexibility", None, None, "Touch the floor with flat hands"),
)


@dataclass
class Person:
    username: str
    role: Role
    profile: dict
    trainer: str | None = None  # username of the assigned trainer
    tier: str | None = None
    client_status: str = "active"
    goals: list[dict] = field(default_factory=list)
    metrics: list[dict] = field(default_factory=list)
    habits: list[dict] = field(default_factory=list)  # each with "completions": [iso dates]
    workouts: list[dict] = field(default_factory=list)
    plan: dict | None = None  # workout indexes into `workouts`; built by the trainer when there is one


@dataclass
class DemoPlan:
    people: list[Person]

    @property
    def steps(self) -> int:
        return 2 + 2 * len(self.people)


def plan_demo(seed: int, *, users: int = 12, trainers: int = 2, weeks: int = 8, today: date | None = None) -> DemoPlan:
    """Draw every random choice of the dataset: the same seed (and day) gives the same plan."""
    rng = random.Random(seed)
    last_day = (today or datetime.now(UTC).date()) - timedelta(days=1)  # yesterday: never "future" in any timezone
    first_day = last_day - timedelta(weeks=weeks) + timedelta(days=1)
    names = _names(rng, users + trainers)
    people = [Person("demo_admin", Role.ADMIN, {"first_name": "Ada", "last_name": "Admin", "timezone": "UTC"})]
    for first, last in names[:trainers]:
        people.append(Person(_username(first, last, people), Role.TRAINER, _profile(rng, first, last, "trainer")))
    trainer_names = [p.username for p in people if p.role == Role.TRAINER]
    for first, last in names[trainers:]:
        person = Person(_username(first, last, people), Role.USER, _profile(rng, first, last, "user"))
        if trainer_names and rng.random() < 0.7:
            person.trainer = rng.choice(trainer_names)
        person.tier = rng.choice([None, "standard", "standard", "premium", "vip"])
        person.client_status = rng.choice(["active", "active", "active", "on_hold"]) if person.tier else "inactive"
        _plan_activity(rng, person, first_day, last_day)
        people.append(person)
    return DemoPlan(people)


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    return rng.sample(pairs, min(count, len(pairs)))


def _username(first: str, last: str, people: list[Person]) -> str:
    base = f"{first}_{last[0]}".lower()
    taken = {p.username for p in people}
    return base if base not in taken else next(f"{base}{n}" for n in range(2, 1000) if f"{base}{n}" not in taken)


def _profile(rng: random.Random, first: str, last: str, role: str) -> dict:
    height = rng.randint(155, 195)
    return {
        "first_name": first,
        "last_name": last,
        "gender": rng.choice(["female", "male", "non_binary", "undisclosed"]),
        "height_cm": height,
        "weight_kg": round(height - 100 + rng.uniform(-8, 14), 1),
        "date_of_birth": date(rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "location": rng.choice(LOCATIONS),
        "timezone": rng.choice(TIMEZONES),
        "bio": "Coach: strength, mobility and good habits."
        if role == "trainer"
        else "Getting fitter, one week at a time.",
    }


def _plan_activity(rng: random.Random, person: Person, first_day: date, last_day: date) -> None:
    days = (last_day - first_day).days + 1
    start_weight = person.profile["weight_kg"]
    goal_type, unit, target, description = rng.choice(GOALS)
    if unit == "kg" and goal_type in ("weight_loss", "muscle_gain"):
        target = round(start_weight + target, 1)
    person.goals.append(
        {
            "goal_type": goal_type,
            "unit": unit,
            "target_value": target,
            "description": description,
            "start_date": first_day.isoformat(),
            "end_date": (last_day + timedelta(weeks=rng.randint(4, 16))).isoformat(),
        }
    )
    person.goals.append(  # one that ended already: analytics and the expiry job have something to show
        {
            "goal_type": "general",
            "description": "Train three times a week for a month",
            "start_date": (first_day - timedelta(weeks=6)).isoformat(),
            "end_date": (first_day - timedelta(weeks=2)).isoformat(),
        }
    )
    trend = {"weight_loss": -0.5, "muscle_gain": 0.25}.get(goal_type, -0.1)
    for week in range(0, days, 7):
        day = first_day + timedelta(days=week)
        person.metrics.append(
            {
                "recorded_at": datetime.combine(day, time(7, rng.randint(0, 59)), UTC).isoformat(),
                "weight_kg": round(start_weight + trend * week / 7 + rng.uniform(-0.4, 0.4), 1),
                "body_fat_pct": round(rng.uniform(14, 30), 1),
                "waist_cm": round(rng.uniform(70, 100), 1),
            }
        )
    adherence = rng.uniform(0.45, 0.95)
    pleasant_action, pleasant_place, pleasant_time = rng.choice(PLEASANT)
    person.habits.append(
        {
            "action": pleasant_action,
            "place": pleasant_place,
            "time": pleasant_time,
            "is_pleasant": True,
            "is_public": True,
        }
    )
    for action, place, at, every, seconds in rng.sample(HABITS, 2):
        habit = {"action": action, "place": place, "time": at, "periodicity_days": every, "duration_sec": seconds}
        if rng.random() < 0.5:
            habit["related_habit"] = 0  # index of the pleasant habit above
        else:
            habit["reward"] = rng.choice(["a square of dark chocolate", "ten minutes of a podcast", "a hot shower"])
        person.habits.append(habit)
    for habit in person.habits:
        habit["start_date"] = first_day.isoformat()
        every = habit.get("periodicity_days", 1)
        habit["completions"] = [
            (first_day + timedelta(days=d)).isoformat() for d in range(0, days, every) if rng.random() < adherence
        ]
    per_week = rng.randint(2, 4)
    for day_index in range(days):
        if rng.random() < per_week / 7:
            training_type, title, groups, (low, high) = rng.choice(WORKOUT_KINDS)
            person.workouts.append(
                {
                    "training_type": training_type,
                    "title": title,
                    "intensity": rng.choice(["low", "medium", "medium", "high"]),
                    "duration_min": rng.randint(low, high),
                    "date": (first_day + timedelta(days=day_index)).isoformat(),
                    "exercises": [
                        {
                            "group": rng.choice(groups),
                            "pick": rng.random(),
                            "sets": rng.randint(3, 5),
                            "reps": rng.choice([5, 8, 10, 12, 15]),
                            "extra_weight_kg": rng.choice([0, 0, 10, 20, 32.5, 40, 60, 80]),
                        }
                        for _ in range(rng.randint(2, 5))
                    ],
                }
            )
    if len(person.workouts) >= 3:
        person.plan = {
            "title": rng.choice(["Base block", "Spring build", "Back to basics", "Strength phase"]),
            "status": rng.choice(["prepared", "active", "active"]),
            "workouts": sorted(rng.sample(range(len(person.workouts)), 3)),
        }


# --- applying the plan ----------------------------------------------------------------------------------------


def existing_demo_accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{DEMO_DOMAIN}")))


def apply_demo(plan: DemoPlan, progress: Callable[[int], None] = lambda steps: None) -> dict[str, int]:
    """Create the planned data through the services; answers the count of each kind of thing created."""
    counts = dict.fromkeys(("users", "assignments", "memberships", "goals", "metrics", "habits"), 0)
    counts |= dict.fromkeys(("completions", "workouts", "plans", "notifications"), 0)
    exercises.seed_catalog(EXERCISES)
    tiers = _tiers()
    progress(1)
    users = {}
    for person in plan.people:
        data = RegisterSchema().load(
            {"username": person.username, "email": f"{person.username}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
            | person.profile
        )
        users[person.username] = auth.create_user(data, person.role)
        counts["users"] += 1
        progress(1)
    admin = users["demo_admin"]
    catalog = _catalog_by_group()
    for person in plan.people:
        if person.role == Role.USER:
            _apply_person(person, users, admin, tiers, catalog, counts)
        progress(1)
    recipients = [users[p.username].id for p in plan.people]
    notifications.notify(
        recipients,
        NotificationType.SYSTEM,
        "Welcome to the Stride demo: every account here is made up.",
        channels=frozenset({Channel.IN_APP}),
    )
    db.session.commit()
    counts["notifications"] += len(recipients)
    progress(1)
    return counts


def _tiers() -> dict[str, int]:
    existing = {tier.access_level: tier.id for tier in db.session.scalars(select(MembershipTier))}
    for level, price, description in TIERS:
        if level not in existing:
            data = TierCreateSchema().load(
                {"access_level": level, "price": price, "currency": "EUR", "description": description}
            )
            existing[level] = memberships.create_tier(data).id
    return existing


def _catalog_by_group() -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    shared = (Exercise.owner_id.is_(None), Exercise.is_archived.is_(False))  # never someone's personal exercise
    rows = db.session.execute(select(Exercise.muscle_group, Exercise.id).where(*shared))
    for group, exercise_id in sorted(rows):
        groups.setdefault(group, []).append(exercise_id)
    return groups


def _apply_person(person: Person, users: dict, admin: User, tiers: dict, catalog: dict, counts: dict) -> None:
    user = users[person.username]
    if person.trainer:
        coaching.assign(admin, users[person.trainer].id, user.id)
        counts["assignments"] += 1
    if person.tier:
        memberships.set_membership(admin, user.id, tiers[person.tier], person.client_status)
        counts["memberships"] += 1
    for goal in person.goals:
        goals.create_goal(user, GoalCreateSchema().load(goal))
        counts["goals"] += 1
    for metric in person.metrics:
        metrics.record(user, MetricCreateSchema().load(metric))
        counts["metrics"] += 1
    created_habits = []
    for habit in person.habits:
        payload = {k: v for k, v in habit.items() if k not in ("completions", "related_habit")}
        if "related_habit" in habit:
            payload["related_habit_id"] = created_habits[habit["related_habit"]].id
        created = habits.create_habit(user, HabitWriteSchema().load(payload))
        created_habits.append(created)
        counts["habits"] += 1
        db.session.add_all(
            HabitCompletion(
                habit_id=created.id,
                done_on=date.fromisoformat(day),
                done_at=datetime.combine(date.fromisoformat(day), time.fromisoformat(habit["time"]), UTC),
            )
            for day in habit["completions"]
        )
        db.session.commit()
        counts["completions"] += len(habit["completions"])
    workout_ids = []
    for workout in person.workouts:
        payload = dict(workout)
        payload["exercises"] = _entries(workout["exercises"], catalog)
        workout_ids.append(workouts.create_workout(user, WorkoutCreateSchema().load(payload)).id)
        counts["workouts"] += 1
    if person.plan:
        author = users[person.trainer] if person.trainer else user
        data = {
            "title": person.plan["title"],
            "status": person.plan["status"],
            "workout_ids": [workout_ids[i] for i in person.plan["workouts"]],
        }
        if person.trainer:
            data["user_id"] = user.id
        plans.create_plan(author, TrainingPlanCreateSchema().load(data))
        counts["plans"] += 1
        if person.trainer:
            notifications.notify(
                [user.id],
                NotificationType.SYSTEM,
                f"{author.first_name} built you a plan: {person.plan['title']}.",
                actor_id=author.id,
                channels=frozenset({Channel.IN_APP}),
            )
            db.session.commit()
            counts["notifications"] += 1


def _entries(planned: list[dict], catalog: dict[str, list[int]]) -> list[dict]:
    """Catalog exercises for the planned entries (by muscle group), each exercise once per workout."""
    entries, used = [], set()
    for entry in planned:
        choices = [i for i in catalog.get(entry["group"]) or sorted(sum(catalog.values(), [])) if i not in used]
        if not choices:
            continue
        exercise_id = choices[int(entry["pick"] * len(choices))]
        used.add(exercise_id)
        entries.append({k: v for k, v in entry.items() if k not in ("group", "pick")} | {"exercise_id": exercise_id})
    return entries


# --- the command ------------------------------------------------------------------------------------------------


@click.command("demo")
@with_appcontext
@click.option("--seed", default=1, show_default=True, help="The same seed (on the same day) gives the same data.")
@click.option("--users", default=12, show_default=True, type=click.IntRange(1, 300), help="People who train.")
@click.option("--trainers", default=2, show_default=True, type=click.IntRange(0, 20))
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(1, 52), help="Weeks of history.")
def seed_demo(seed: int, users: int, trainers: int, weeks: int) -> None:
    """Load a demo dataset: an admin, trainers and their clients with goals, metrics, habits, workouts,
    plans, memberships and notifications. Refuses if demo accounts exist already."""
    existing = existing_demo_accounts()
    if existing:
        raise click.ClickException(
            f"the demo data is already here ({existing} accounts @{DEMO_DOMAIN}); "
            "use a fresh database (or delete those accounts) to load it again"
        )
    plan = plan_demo(seed, users=users, trainers=trainers, weeks=weeks)
    with click.progressbar(length=plan.steps, label="Demo data") as bar:
        counts = apply_demo(plan, bar.update)
    click.echo(", ".join(f"{count} {name}" for name, count in counts.items()))
    click.echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    for person in plan.people:
        trainer = f" (trainer: {person.trainer})" if person.trainer else ""
        click.echo(f"  {person.role:8} {person.username}{trainer}")
