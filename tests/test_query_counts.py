"""Every list endpoint costs the same number of SQL statements for one row as for many (no N+1).

The guarded lists are read from the OpenAPI document (a GET answering an array, or `{items, ...}`): a new list
fails `test_every_list_endpoint_has_a_query_count_guard` until it gets a line in GUARDS.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.lib.dates import week_start
from app.models import AccessLevel, ChallengeParticipant, GroupMember
from app.models.base import utcnow
from app.services import leaderboards
from tests.factories import (
    AuditEventFactory,
    AuthSessionFactory,
    BodyMetricFactory,
    DataExportFactory,
    ExerciseFactory,
    GoalFactory,
    HabitCompletionFactory,
    HabitFactory,
    MembershipChangeFactory,
    MembershipTierFactory,
    NotificationFactory,
    PersonalRecordFactory,
    PlanWorkoutFactory,
    ReportFactory,
    TrainerClientFactory,
    TrainingPlanFactory,
    UserFactory,
    WorkoutExerciseFactory,
    WorkoutFactory,
)
from tests.factories.challenges import ChallengeFactory
from tests.factories.chat import MessageFactory, conversation_between
from tests.factories.events import EventFactory, EventRsvpFactory
from tests.factories.friends import BlockFactory, FriendRequestFactory, befriend
from tests.factories.groups import GroupJoinRequestFactory, make_group
from tests.factories.moderation import FlagFactory
from tests.factories.posts import CommentFactory, PostFactory

FEW, MANY = 1, 6


def times(make: Callable[[dict], object]) -> Callable[[dict, int], None]:
    """A seeder that makes `n` rows, one `make(world)` each."""

    def seed(world: dict, n: int) -> None:
        for _ in range(n):
            make(world)

    return seed


def workout_with_an_entry(world: dict) -> None:
    WorkoutExerciseFactory(workout_id=WorkoutFactory(user_id=world["alice"]).id, order=1)


def plan_with_a_workout(world: dict) -> None:
    plan = TrainingPlanFactory(user_id=world["alice"])
    PlanWorkoutFactory(plan_id=plan.id, workout_id=WorkoutFactory(user_id=world["alice"]).id, position=1)


def exercise(world: dict) -> None:
    """Shared and alice's own exercises in turn: the catalog lists both."""
    world["exercises"] = world.get("exercises", 0) + 1
    ExerciseFactory(owner_id=world["alice"] if world["exercises"] % 2 else None)


def completion(world: dict) -> None:
    if "habit_id" not in world:
        world["habit_id"] = HabitFactory(user_id=world["alice"]).id
    world["done"] = world.get("done", 0) + 1
    HabitCompletionFactory(habit_id=world["habit_id"], done_on=date(2026, 1, 1) + timedelta(days=world["done"]))


def comment(world: dict) -> None:
    if "post_id" not in world:
        world["post_id"] = PostFactory(author_id=world["mallory"]).id
    CommentFactory(post_id=world["post_id"], author_id=world["mallory"])


def friends_post(world: dict) -> None:
    if "friend" not in world:
        world["friend"] = UserFactory().id
        befriend(world["alice"], world["friend"])
    PostFactory(author_id=world["friend"])


def conversation(world: dict) -> None:
    """A conversation of alice's with someone new, with a message of theirs."""
    other = UserFactory().id
    MessageFactory(conversation_id=conversation_between(world["alice"], other), author_id=other)


def message(world: dict) -> None:
    if "conversation_id" not in world:
        world["conversation_id"] = conversation_between(world["alice"], world["mallory"])
    MessageFactory(conversation_id=world["conversation_id"], author_id=world["mallory"])


def event(world: dict) -> None:
    """An event of someone new that alice and mallory answered."""
    made = EventFactory(organizer_id=UserFactory().id, capacity=5)
    EventRsvpFactory(event_id=made.id, user_id=world["alice"])
    EventRsvpFactory(event_id=made.id, user_id=world["mallory"], status="maybe")


def alices_group(world: dict) -> int:
    if "group_id" not in world:
        world["group_id"] = make_group(world["alice"], visibility="private")
    return world["group_id"]


def group_member(world: dict) -> None:
    group_id = alices_group(world)
    db.session.add(GroupMember(group_id=group_id, user_id=UserFactory().id, role="member"))
    db.session.commit()


def join_request(world: dict) -> None:
    GroupJoinRequestFactory(group_id=alices_group(world))


def group_post(world: dict) -> None:
    PostFactory(author_id=world["mallory"], group_id=alices_group(world))
    if "mallory_in" not in world:
        world["mallory_in"] = True
        db.session.add(GroupMember(group_id=world["group_id"], user_id=world["mallory"], role="member"))
        db.session.commit()


def challenge(world: dict) -> None:
    """A running challenge alice joined."""
    made = ChallengeFactory()
    db.session.add(ChallengeParticipant(challenge_id=made.id, user_id=world["alice"], value=1))
    db.session.commit()


def participant(world: dict) -> None:
    if "challenge_id" not in world:
        world["challenge_id"] = ChallengeFactory().id
    user_id = UserFactory().id
    db.session.add(ChallengeParticipant(challenge_id=world["challenge_id"], user_id=user_id, value=3))
    db.session.commit()
    leaderboards.set_scores(leaderboards.challenge_key(world["challenge_id"]), [(user_id, 3)])  # as joining does


def this_weeks_workout(world: dict) -> None:
    user_id = UserFactory().id
    WorkoutFactory(user_id=user_id, date=utcnow().date())
    leaderboards.set_scores(leaderboards.weekly_key(week_start(utcnow().date())), [(user_id, 1)])  # as logging does


def tier(world: dict) -> None:
    taken = world.setdefault("levels", [])
    level = next(level for level in AccessLevel if level not in taken)
    taken.append(level)
    MembershipTierFactory(access_level=level, price_cents=1000 * len(taken))


@dataclass(frozen=True)
class Guard:
    viewer: str  # one of the cast (tests/fixtures/people.py) who lists
    seed: Callable[[dict, int], None]  # add n rows the viewer sees, in an app context
    path_args: dict[str, str] = field(default_factory=dict)  # path parameter -> the world's key
    many: int = MANY
    query: str = "page_size=100"  # one page holds every row (flask-smorest pages hold 10 by default)


GUARDS = {
    "/api/v1/admin/audit-events/": Guard("root", times(lambda w: AuditEventFactory(user_id=w["mallory"]))),
    "/api/v1/admin/trainer-clients/": Guard("root", times(lambda w: TrainerClientFactory())),
    "/api/v1/admin/users/": Guard("root", times(lambda w: UserFactory())),
    "/api/v1/admin/users/{user_id}/membership/history/": Guard(
        "root", times(lambda w: MembershipChangeFactory(user_id=w["mallory"])), {"user_id": "mallory"}
    ),
    "/api/v1/blocks/": Guard("alice", times(lambda w: BlockFactory(blocker_id=w["alice"]))),
    "/api/v1/challenges/": Guard("alice", times(challenge), query="limit=50"),
    "/api/v1/challenges/{challenge_id}/leaderboard/": Guard(
        "alice", times(participant), {"challenge_id": "challenge_id"}, query="page_size=100"
    ),
    "/api/v1/clients/me/trainers/": Guard("alice", times(lambda w: TrainerClientFactory(client_id=w["alice"]))),
    "/api/v1/conversations/": Guard("alice", times(conversation), query="limit=50"),
    "/api/v1/conversations/{conversation_id}/messages/": Guard(
        "alice", times(message), {"conversation_id": "conversation_id"}, query="limit=50"
    ),
    "/api/v1/events/": Guard("alice", times(event), query="limit=50"),
    "/api/v1/exercises/": Guard("alice", times(exercise)),
    "/api/v1/export/": Guard("alice", times(lambda w: DataExportFactory(user_id=w["alice"]))),
    "/api/v1/feed/": Guard("alice", times(friends_post), query="limit=50"),
    "/api/v1/feed/for-you/": Guard("alice", times(lambda w: PostFactory(author_id=w["mallory"])), query="limit=50"),
    "/api/v1/fitness-goals/": Guard("alice", times(lambda w: GoalFactory(user_id=w["alice"]))),
    "/api/v1/friend-requests/": Guard("alice", times(lambda w: FriendRequestFactory(recipient_id=w["alice"]))),
    "/api/v1/friends/": Guard("alice", times(lambda w: befriend(w["alice"], UserFactory().id))),
    "/api/v1/groups/": Guard("alice", times(lambda w: make_group(w["mallory"])), query="limit=50"),
    "/api/v1/groups/{group_id}/members/": Guard(
        "alice", times(group_member), {"group_id": "group_id"}, query="limit=50"
    ),
    "/api/v1/groups/{group_id}/posts/": Guard("alice", times(group_post), {"group_id": "group_id"}, query="limit=50"),
    "/api/v1/groups/{group_id}/requests/": Guard(
        "alice", times(join_request), {"group_id": "group_id"}, query="limit=50"
    ),
    "/api/v1/habits/": Guard("alice", times(lambda w: HabitFactory(user_id=w["alice"]))),
    "/api/v1/habits/public/": Guard("alice", times(lambda w: HabitFactory(user_id=w["mallory"], is_public=True))),
    "/api/v1/habits/{habit_id}/completions/": Guard("alice", times(completion), {"habit_id": "habit_id"}),
    "/api/v1/leaderboards/weekly/": Guard("alice", times(this_weeks_workout), query="page_size=100"),
    "/api/v1/memberships/": Guard("alice", times(tier), many=len(AccessLevel)),  # one tier per access level
    "/api/v1/metrics/": Guard("alice", times(lambda w: BodyMetricFactory(user_id=w["alice"]))),
    "/api/v1/moderation/flags/": Guard("coach", times(lambda w: FlagFactory(reporter_id=w["mallory"]))),
    "/api/v1/notifications/": Guard(
        "alice", times(lambda w: NotificationFactory(recipient_id=w["alice"])), query="limit=50"
    ),
    "/api/v1/posts/{post_id}/comments/": Guard("alice", times(comment), {"post_id": "post_id"}, query="limit=50"),
    "/api/v1/reports/": Guard("alice", times(lambda w: ReportFactory(user_id=w["alice"]))),
    "/api/v1/search/": Guard(
        "alice",
        times(lambda w: PostFactory(author_id=w["mallory"], text="Squat day")),
        query="q=squat&type=posts&limit=50",
    ),
    "/api/v1/sessions/": Guard("alice", times(lambda w: AuthSessionFactory(user_id=w["alice"]))),
    "/api/v1/stats/records/": Guard("alice", times(lambda w: PersonalRecordFactory(user_id=w["alice"]))),
    "/api/v1/trainers/me/clients/": Guard("coach", times(lambda w: TrainerClientFactory(trainer_id=w["coach"]))),
    "/api/v1/training-plans/": Guard("alice", times(plan_with_a_workout)),
    "/api/v1/users/": Guard("alice", times(lambda w: UserFactory())),
    "/api/v1/users/{user_id}/posts/": Guard(
        "alice", times(lambda w: PostFactory(author_id=w["mallory"])), {"user_id": "mallory"}, query="limit=50"
    ),
    "/api/v1/workouts/": Guard("alice", times(workout_with_an_entry)),
}


def rows(body) -> list:
    return body if isinstance(body, list) else body["items"]


def is_list(operation: dict, schemas: dict) -> bool:
    schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return schema.get("type") == "array" or "items" in schema.get("properties", {})


def test_every_list_endpoint_has_a_query_count_guard(client):
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    lists = {
        path
        for path, operations in spec["paths"].items()
        if "get" in operations and is_list(operations["get"], schemas)
    }

    assert lists == set(GUARDS)


@pytest.mark.parametrize("path", sorted(GUARDS))
def test_a_list_costs_the_same_queries_for_one_row_as_for_many(app, client, cast, headers_of, count_queries, path):
    guard = GUARDS[path]
    world = dict(cast)
    headers = headers_of(guard.viewer)

    def seed(n: int) -> str:
        with app.app_context():
            guard.seed(world, n)
        return path.format(**{arg: world[key] for arg, key in guard.path_args.items()}) + "?" + guard.query

    def listed(url: str) -> tuple[int, list[str]]:
        with count_queries() as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        return len(rows(response.json)), counter.statements

    url = seed(FEW)
    listed(url)  # the first request of a test may warm caches; count from the second
    few, few_statements = listed(url)
    seed(guard.many - FEW)
    many, many_statements = listed(url)

    assert many - few == guard.many - FEW  # every new row is listed, so the count below covers them
    assert len(many_statements) <= len(few_statements), "\n".join(many_statements)
