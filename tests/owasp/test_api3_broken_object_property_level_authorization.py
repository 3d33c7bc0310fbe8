"""API3:2023 Broken Object Property Level Authorization.

Stride reads request bodies through schemas that refuse any field they do not name (`BaseSchema`: unknown → 422),
so owners, roles, timestamps and counters cannot be mass-assigned; it answers through output schemas that never
name a password hash or a secret, and shows other people only what their privacy allows (a card otherwise).
Also tested in tests/users/ (test_profile.py, test_privacy_matrix.py, test_phone_number.py) and
tests/auth/test_register_login.py; this module is the risk's checklist across domains."""

from datetime import date

import pytest

from app.extensions import db
from app.models import BodyMetric, Event, Exercise, Goal, Habit, Post, TrainingPlan, User, Workout
from tests.conftest import bearer, login
from tests.factories import (
    DEFAULT_PASSWORD,
    ExerciseFactory,
    GoalFactory,
    HabitFactory,
    TrainingPlanFactory,
    WorkoutFactory,
)
from tests.factories.challenges import ChallengeFactory
from tests.factories.events import EventFactory
from tests.factories.friends import befriend
from tests.factories.groups import make_group
from tests.factories.posts import CommentFactory, PostFactory

PRIVATE_DETAILS = {
    "email": "alice.private@example.org",
    "phone_number": "+493012345678",
    "date_of_birth": "1990-04-17",
    "gender": "female",
    "weight_kg": 61.5,
    "height_cm": 170,
}
# What only alice herself (and admins) may read of her account: neither the values nor the fields reach others.
PRIVATE_VALUES = ("alice.private@example.org", "+493012345678", "1990-04-17")
PRIVATE_FIELDS = {"email", "phone_number", "date_of_birth", "gender", "weight_kg", "height_cm", "last_login"}
PRIVATE_FIELDS |= {"email_verified_at", "role_changed_at", "deactivated_at", "is_active"}
SECRET_KEYS = {"password", "password_hash", "telegram_chat_id", "totp_secret", "secret", "recovery_codes"}


@pytest.fixture
def people(app, make_user) -> dict[str, int]:
    ids = {
        "alice": make_user(username="alice"),
        "bob": make_user(username="bob"),
        "mallory": make_user(username="mallory"),
        "coach": make_user(username="coach", role="trainer"),
        "root": make_user(username="root", role="admin"),
    }
    with app.app_context():
        befriend(ids["alice"], ids["bob"])
    return ids


def call(client, headers, method: str, path: str, body=None):
    return client.open("/api/v1" + path, method=method, json=body, headers=headers)


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for child in value.values() for key in keys_in(child)}
    if isinstance(value, list):
        return {key for child in value for key in keys_in(child)}
    return set()


def assert_no_secrets(response) -> None:
    text = response.get_data(as_text=True)
    assert "$argon2" not in text, text[:300]
    leaked = {key for key in keys_in(response.json) if key in SECRET_KEYS or "password" in key or "hash" in key}
    assert not leaked, leaked


# --- mass assignment: the account ----------------------------------------------------------------------------

PRIVILEGED = {
    "role": "admin",
    "id": 1,
    "email_verified_at": "2026-01-01T00:00:00+00:00",
    "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaA",
    "password": "a new password",
    "deleted_at": None,
    "deactivated_at": None,
    "is_active": True,
    "created_at": "2000-01-01T00:00:00+00:00",
    "last_login": "2000-01-01T00:00:00+00:00",
    "telegram_chat_id": 12345,
    "telegram_linked": True,
    "friends_count": 1000,
    "badges": [{"kind": "podium"}],
}


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_the_profile_refuses_every_field_that_is_not_the_users_to_set(app, client, people, method):
    headers = bearer(login(client, "alice")["access_token"])
    before = call(client, headers, "GET", "/profile/").json
    base = {"username": "alice", "email": "alice@example.com"} if method == "PUT" else {}

    answers = {
        field: call(client, headers, method, "/profile/", {**base, field: value}) for field, value in PRIVILEGED.items()
    }

    for field, response in answers.items():
        assert response.status_code == 422, (field, response.status_code)
        assert list(response.json["errors"]["json"]) == [field]
    assert call(client, headers, "GET", "/profile/").json == before
    with app.app_context():
        alice = db.session.get(User, people["alice"])
        assert (alice.role, alice.email_verified_at, alice.telegram_chat_id) == ("user", None, None)
        assert alice.check_password(DEFAULT_PASSWORD)


def test_registration_cannot_set_a_role_verification_or_status(app, client):
    body = {"username": "newcomer", "email": "newcomer@example.com", "password": "long enough pass"}

    answers = {
        field: client.post("/api/v1/register/", json={**body, field: value})
        for field, value in PRIVILEGED.items()
        if field != "password"
    }

    assert {field: r.status_code for field, r in answers.items()} == dict.fromkeys(answers, 422)
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "newcomer")) is None


@pytest.mark.parametrize("field", ["email", "username", "password_hash", "email_verified_at", "id"])
def test_admins_change_a_role_and_activation_and_nothing_else(app, client, people, field):
    root = bearer(login(client, "root")["access_token"])
    value = {"email": "taken@example.com", "username": "renamed", "id": 999}.get(field, PRIVILEGED.get(field))

    response = call(client, root, "PATCH", f"/admin/users/{people['alice']}/", {field: value})

    assert response.status_code == 422 and list(response.json["errors"]["json"]) == [field]
    with app.app_context():
        alice = db.session.get(User, people["alice"])
        assert (alice.username, alice.email, alice.email_verified_at) == ("alice", "alice@example.com", None)


# --- mass assignment: owners, authors and counters of other objects --------------------------------------------

CREATES = [
    ("/fitness-goals/", {"goal_type": "general"}, "user_id", Goal),
    ("/habits/", {"time": "07:30", "action": "read"}, "user_id", Habit),
    ("/workouts/", {"title": "Run"}, "user_id", Workout),
    ("/metrics/", {"weight_kg": 70}, "user_id", BodyMetric),
    ("/training-plans/", {"title": "Plan"}, "created_by_id", TrainingPlan),
    ("/posts/", {"text": "Hello", "visibility": "public"}, "author_id", Post),
    ("/exercises/", {"title": "Mine", "muscle_group": "core", "is_personal": True}, "owner_id", Exercise),
    (
        "/events/",
        {"title": "Run", "starts_at": "2099-01-05T08:00:00+00:00", "ends_at": "2099-01-05T09:00:00+00:00"},
        "organizer_id",
        Event,
    ),
]


@pytest.mark.parametrize(("path", "body", "field", "model"), CREATES, ids=[p for p, *_ in CREATES])
def test_creating_an_object_cannot_name_its_owner(app, client, headers_of, people, path, body, field, model):
    """The owner is the caller, never a field: naming someone else is refused and creates nothing for anyone."""
    response = call(client, headers_of("alice"), "POST", path, {**body, field: people["mallory"]})

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]) == [field]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0


def test_a_plan_for_someone_one_does_not_train_is_refused(app, client, headers_of, people):
    """`user_id` is a real field of a plan (trainers plan for their clients), so it is checked, not refused."""
    response = call(
        client, headers_of("alice"), "POST", "/training-plans/", {"title": "Yours", "user_id": people["mallory"]}
    )

    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(TrainingPlan)) == 0


@pytest.fixture
def owned(app, people) -> dict[str, int]:
    """One of each kind of alice's objects (the challenge is her coach's, who created it)."""
    alice = people["alice"]
    with app.app_context():
        post = PostFactory(author_id=alice).id
        return {
            "goal": GoalFactory(user_id=alice).id,
            "habit": HabitFactory(user_id=alice).id,
            "workout": WorkoutFactory(user_id=alice).id,
            "plan": TrainingPlanFactory(user_id=alice).id,
            "post": post,
            "comment": CommentFactory(post_id=post, author_id=alice).id,
            "exercise": ExerciseFactory(title="Own move", owner_id=alice, created_by_id=alice).id,
            "event": EventFactory(organizer_id=alice).id,
            "group": make_group(alice),
            "challenge": ChallengeFactory(creator_id=people["coach"]).id,
        }


# (who changes it, PATCH path, forbidden change, the GET that shows it)
PATCHES = [
    ("alice", "/fitness-goals/{goal}/", {"user_id": "{mallory}"}, "/fitness-goals/{goal}/"),
    ("alice", "/fitness-goals/{goal}/", {"created_at": "2000-01-01T00:00:00+00:00"}, "/fitness-goals/{goal}/"),
    ("alice", "/habits/{habit}/", {"user_id": "{mallory}"}, "/habits/{habit}/"),
    ("alice", "/workouts/{workout}/", {"user_id": "{mallory}"}, "/workouts/{workout}/"),
    ("alice", "/workouts/{workout}/", {"volume_kg": 99999}, "/workouts/{workout}/"),
    ("alice", "/training-plans/{plan}/", {"user_id": "{mallory}"}, "/training-plans/{plan}/"),
    ("alice", "/training-plans/{plan}/", {"created_by_id": "{coach}"}, "/training-plans/{plan}/"),
    ("alice", "/posts/{post}/", {"author_id": "{mallory}"}, "/posts/{post}/"),
    ("alice", "/posts/{post}/", {"is_hidden": True}, "/posts/{post}/"),
    ("alice", "/posts/{post}/", {"shares_count": 1000}, "/posts/{post}/"),
    ("alice", "/comments/{comment}/", {"post_id": "{post}", "text": "moved"}, "/posts/{post}/comments/"),
    ("alice", "/comments/{comment}/", {"author_id": "{mallory}"}, "/posts/{post}/comments/"),
    ("alice", "/exercises/{exercise}/", {"is_personal": False}, "/exercises/{exercise}/"),
    ("alice", "/exercises/{exercise}/", {"owner_id": "{mallory}"}, "/exercises/{exercise}/"),
    ("alice", "/events/{event}/", {"organizer_id": "{mallory}"}, "/events/{event}/"),
    ("alice", "/events/{event}/", {"going_count": 500}, "/events/{event}/"),
    ("alice", "/groups/{group}/", {"members_count": 500}, "/groups/{group}/"),
    ("alice", "/groups/{group}/", {"is_admin": True}, "/groups/{group}/"),
    ("coach", "/challenges/{challenge}/", {"metric": "minutes"}, "/challenges/{challenge}/"),
    ("coach", "/challenges/{challenge}/", {"end_date": "2099-12-31"}, "/challenges/{challenge}/"),
    ("coach", "/challenges/{challenge}/", {"participants_count": 500}, "/challenges/{challenge}/"),
]


def fill(value, world: dict):
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    return value.format(**world) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("who", "path", "change", "reader"), PATCHES, ids=[f"{p.split('/')[1]} {next(iter(c))}" for _w, p, c, _r in PATCHES]
)
def test_an_owner_cannot_change_what_is_not_the_owners_to_set(
    client, headers_of, people, owned, who, path, change, reader
):
    world = {**people, **owned}
    headers = headers_of(who)
    before = call(client, headers, "GET", fill(reader, world)).json

    response = call(client, headers, "PATCH", fill(path, world), fill(change, world))

    assert response.status_code == 422, response.json
    assert set(response.json["errors"]["json"]) & set(change)
    assert call(client, headers, "GET", fill(reader, world)).json == before


# --- what responses show --------------------------------------------------------------------------------------


def test_no_answer_about_an_account_holds_its_password_hash_or_secrets(client, people):
    registered = client.post(
        "/api/v1/register/", json={"username": "newcomer", "email": "new@example.com", "password": "long enough pass"}
    )
    logged_in = client.post("/api/v1/login/", json={"username": "alice", "password": DEFAULT_PASSWORD})
    alice, root = bearer(logged_in.json["access_token"]), bearer(login(client, "root")["access_token"])
    reads = [
        (alice, "GET", "/profile/", None),
        (alice, "PATCH", "/profile/", {"bio": "Runner"}),
        (alice, "PUT", "/profile/", {"username": "alice", "email": "alice@example.com"}),
        (alice, "GET", f"/users/{people['bob']}/", None),
        (alice, "GET", "/users/?q=bob", None),
        (alice, "GET", "/friends/", None),
        (root, "GET", "/admin/users/?include_inactive=true&page_size=100", None),
        (root, "GET", f"/admin/users/{people['alice']}/", None),
        (root, "PATCH", f"/admin/users/{people['bob']}/", {"role": "trainer"}),
    ]
    answers = [registered, logged_in] + [call(client, headers, *request) for headers, *request in reads]

    assert [r.status_code for r in answers] == [201] + [200] * (len(answers) - 1)
    for response in answers:
        assert_no_secrets(response)


@pytest.fixture
def alices_traces(app, client, people, headers_of) -> dict:
    """alice with private details, and traces of her everywhere others see people: a public post and a comment on
    it, a workout this week (the weekly leaderboard), a public group, a conversation with bob, a friend request
    to mallory."""
    alice = headers_of("alice")
    assert call(client, alice, "PATCH", "/profile/", PRIVATE_DETAILS).status_code == 200
    post = call(client, alice, "POST", "/posts/", {"text": "Morning run", "visibility": "public"}).json["id"]
    assert call(client, alice, "POST", f"/posts/{post}/comments/", {"text": "Felt great"}).status_code == 201
    assert (
        call(client, alice, "POST", "/workouts/", {"title": "Run", "date": date.today().isoformat()}).status_code == 201
    )
    group = call(client, alice, "POST", "/groups/", {"name": "Track club", "visibility": "public"}).json["id"]
    assert call(client, alice, "POST", "/conversations/", {"user_id": people["bob"]}).status_code in (200, 201)
    assert call(client, alice, "POST", "/friend-requests/", {"user_id": people["mallory"]}).status_code == 201
    return {"post": post, "group": group}


@pytest.mark.parametrize("viewer", ["bob", "mallory"])
def test_what_others_see_of_a_person_never_holds_her_private_details(client, headers_of, people, alices_traces, viewer):
    """A friend (bob) and a stranger (mallory) read every list that shows alice: her username is there, her email,
    phone number, birth date, gender, body measures and login times are not."""
    world = {**people, **alices_traces}
    pages = [
        "/users/{alice}/",
        "/users/?q=alice",
        "/search/?q=alice&type=users",
        "/search/?q=morning&type=posts",
        "/users/{alice}/posts/",
        "/posts/{post}/",
        "/posts/{post}/comments/",
        "/groups/{group}/members/",
        "/leaderboards/weekly/",
        "/friends/?user_id={bob}",
    ]
    pages += {"bob": ["/friends/", "/conversations/"], "mallory": ["/friend-requests/"]}[viewer]
    leaks = {}
    for page in pages:
        response = call(client, headers_of(viewer), "GET", page.format(**world))
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and '"alice"' in text, (page, response.status_code, text[:300])
        found = [value for value in PRIVATE_VALUES if value in text] + sorted(keys_in(response.json) & PRIVATE_FIELDS)
        if found:
            leaks[page] = found
        assert_no_secrets(response)

    assert leaks == {}


def test_a_friends_only_profile_shows_a_stranger_only_its_card(app, client, headers_of, people):
    alice = headers_of("alice")
    call(
        client,
        alice,
        "PATCH",
        "/profile/",
        {"privacy": "friends", "bio": "Runner", "first_name": "Alice", "job": "Nurse"},
    )

    as_friend = call(client, headers_of("bob"), "GET", f"/users/{people['alice']}/").json
    as_stranger = call(client, headers_of("mallory"), "GET", f"/users/{people['alice']}/").json

    assert as_friend["is_limited"] is False and as_friend["bio"] == "Runner" and as_friend["job"] == "Nurse"
    assert as_stranger["is_limited"] is True
    assert set(as_stranger) == {"id", "username", "avatar", "privacy", "is_limited", "mutual_friends_count"}
    assert set(as_stranger) < set(as_friend)


def test_a_private_profile_is_a_card_even_to_a_friend_and_whole_to_its_owner_and_admins(client, headers_of, people):
    call(client, headers_of("alice"), "PATCH", "/profile/", {"privacy": "private", "bio": "Runner"})
    url = f"/users/{people['alice']}/"

    seen = {who: call(client, headers_of(who), "GET", url).json for who in ("bob", "mallory", "alice", "root")}

    assert {who: body["is_limited"] for who, body in seen.items()} == {
        "bob": True,
        "mallory": True,
        "alice": False,
        "root": False,
    }
    assert "bio" not in seen["bob"] and seen["alice"]["bio"] == "Runner"
