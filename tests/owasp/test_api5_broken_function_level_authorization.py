"""API5:2023 Broken Function Level Authorization.

Stride guards functions by role with `role_required` (app/security.py: admin ⊇ trainer ⊇ user, read from the
database on every request, never from the token), on whole views or single methods, and in services for
functions whose role depends on the request (a shared exercise, a challenge, a role change). Per-object rules are
API1's (tests/test_permissions.py, tests/authz/*.py); here: the inventory of guarded functions, walked over HTTP
for every role, so a guard dropped or a new unguarded route fails a test."""

import re

import jwt
import pytest

from app.extensions import db
from app.models import Role, User
from tests.conftest import bearer, login

RANKS = {Role.USER: 0, Role.TRAINER: 1, Role.ADMIN: 2}
CALLERS = {"user": Role.USER, "trainer": Role.TRAINER, "admin": Role.ADMIN}

# The functions outside /admin/ that need more than a login, as the views declare them.
TRAINER_FUNCTIONS = {
    ("/api/v1/analytics/active-users/", "GET"),
    ("/api/v1/analytics/challenges/", "GET"),
    ("/api/v1/analytics/goals/", "GET"),
    ("/api/v1/analytics/habits/", "GET"),
    ("/api/v1/analytics/workouts/", "GET"),
    ("/api/v1/trainers/me/clients/", "GET"),
    ("/api/v1/trainers/me/clients/<int:client_id>/", "GET"),
    ("/api/v1/trainers/me/clients/<int:client_id>/", "DELETE"),
    ("/api/v1/moderation/flags/", "GET"),
    ("/api/v1/moderation/flags/<int:flag_id>/resolve/", "POST"),
    ("/api/v1/moderation/<any(post, comment):target_type>/<int:target_id>/hide/", "POST"),
    ("/api/v1/moderation/<any(post, comment):target_type>/<int:target_id>/unhide/", "POST"),
}
ADMIN_FUNCTIONS_ELSEWHERE = {
    ("/api/v1/memberships/", "POST"),
    ("/api/v1/memberships/<int:tier_id>/", "PATCH"),
    ("/api/v1/memberships/<int:tier_id>/", "DELETE"),
}
# What anyone may call without a token: signing up and in, tokens, account recovery, the documentation, and
# Telegram's webhook (authenticated by its secret).
PUBLIC_FUNCTIONS = {
    ("/.well-known/jwks.json", "GET"),
    ("/api/v1/register/", "POST"),
    ("/api/v1/login/", "POST"),
    ("/api/v1/login/mfa/", "POST"),
    ("/api/v1/login/mfa/telegram/", "POST"),
    ("/api/v1/token/refresh/", "POST"),
    ("/api/v1/password-reset/", "POST"),
    ("/api/v1/password-reset/confirm/", "POST"),
    ("/api/v1/verify-email/confirm/", "POST"),
    ("/api/v1/telegram/webhook/<string:secret>", "POST"),
    ("/api/v1/openapi.json", "GET"),
    ("/api/v1/docs", "GET"),
    ("/api/v1/redoc", "GET"),
    ("/health", "GET"),
    ("/ready", "GET"),
    ("/metrics", "GET"),  # guarded by its own token (METRICS_TOKEN), else answered to this machine only
}


def operations(app) -> dict[tuple[str, str], Role | None]:
    """Every (rule, method) of the app and the role its guards need (None: no guard), read as app/openapi.py
    reads it: `required_role` on the view (class decorators) and on the method."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            handlers = [view, getattr(getattr(view, "view_class", None), method.lower(), None)]
            roles = [getattr(h, "required_role", None) for h in handlers if h is not None]
            roles = [role for role in roles if role is not None]
            found[(rule.rule, method)] = max(roles, key=RANKS.get) if roles else None
    return found


def url_of(rule: str) -> str:
    """The rule with every variable filled: 1, or the first choice of an `any(...)` part."""

    def fill(part: re.Match) -> str:
        choices = re.match(r"<any\(([^,)]+)", part.group(0))
        return choices.group(1).strip() if choices else "1"

    return re.sub(r"<[^>]+>", fill, rule)


@pytest.fixture
def callers(client, make_user) -> dict[str, dict]:
    """Bearer headers of a plain user, a trainer and an admin, and none for `anonymous`."""
    for name, role in CALLERS.items():
        make_user(username=name, role=str(role))
    return {"anonymous": {}} | {name: bearer(login(client, name)["access_token"]) for name in CALLERS}


# --- the inventory -------------------------------------------------------------------------------------------


def test_every_admin_route_is_guarded_for_admins_only(app):
    admin_routes = {op: role for op, role in operations(app).items() if op[0].startswith("/api/v1/admin/")}

    assert len(admin_routes) >= 10
    assert {op for op, role in admin_routes.items() if role != Role.ADMIN} == set()


def test_the_functions_that_need_a_role_are_exactly_the_known_ones(app):
    """A guard removed, or a new privileged function, changes this inventory: review it, then update it."""
    ops = operations(app)
    outside_admin = {op: role for op, role in ops.items() if not op[0].startswith("/api/v1/admin/")}

    assert {op for op, role in outside_admin.items() if role == Role.TRAINER} == TRAINER_FUNCTIONS
    assert {op for op, role in outside_admin.items() if role == Role.ADMIN} == ADMIN_FUNCTIONS_ELSEWHERE


def test_every_function_without_a_login_guard_is_a_known_public_one(app):
    unguarded = {op for op, role in operations(app).items() if role is None}

    assert unguarded - PUBLIC_FUNCTIONS == set()
    assert PUBLIC_FUNCTIONS <= unguarded  # the list names real functions


# --- the inventory, over HTTP --------------------------------------------------------------------------------


def test_every_guarded_function_answers_401_to_anonymous_callers(app, client):
    failures = []
    for (rule, method), role in sorted(operations(app).items()):
        if role is None:
            continue
        response = client.open(url_of(rule), method=method, json={})
        if response.status_code != 401 or response.json["code"] != 401:
            failures.append((method, rule, response.status_code))

    assert failures == []


@pytest.mark.parametrize("caller", list(CALLERS))
def test_every_function_above_the_callers_role_answers_403_and_the_others_let_them_in(app, client, callers, caller):
    """Ids are 1 and bodies empty: a caller with the role gets past the guard (a 404 or 422 from what follows),
    one without it is refused before anything is looked up."""
    rank = RANKS[CALLERS[caller]]
    failures, refused = [], 0
    for (rule, method), role in sorted(operations(app).items()):
        if role is None or role == Role.USER or rule in ("/api/v1/logout/", "/api/v1/logout-all/"):
            continue
        response = client.open(url_of(rule), method=method, json={}, headers=callers[caller])
        if RANKS[role] > rank:
            refused += 1
            if response.status_code != 403 or not response.json["message"]:
                failures.append((method, rule, response.status_code))
        elif response.status_code in (401, 403):
            failures.append((method, rule, response.status_code))

    assert failures == []
    assert refused >= {"user": 20, "trainer": 10, "admin": 0}[caller]


# --- functions whose role the services check ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/exercises/", {"title": "Shared move", "muscle_group": "core"}),
        (
            "/challenges/",
            {"title": "Run more", "metric": "workouts", "start_date": "2099-01-01", "end_date": "2099-01-31"},
        ),
    ],
    ids=["shared exercise", "challenge"],
)
def test_trainer_only_creations_refuse_plain_users(client, callers, path, body):
    as_user = client.post("/api/v1" + path, json=body, headers=callers["user"])
    as_trainer = client.post("/api/v1" + path, json=body, headers=callers["trainer"])

    assert as_user.status_code == 403 and as_user.json["message"]
    assert as_trainer.status_code == 201, as_trainer.json


def test_a_plain_user_cannot_promote_a_personal_exercise_into_the_shared_catalog(client, callers):
    created = client.post(
        "/api/v1/exercises/",
        json={"title": "Mine", "muscle_group": "core", "is_personal": True},
        headers=callers["user"],
    )
    assert created.status_code == 201 and created.json["is_personal"] is True

    response = client.patch(
        f"/api/v1/exercises/{created.json['id']}/", json={"is_personal": False}, headers=callers["user"]
    )

    assert response.status_code == 422
    shared = client.get("/api/v1/exercises/?personal=false", headers=callers["user"]).json
    assert created.json["id"] not in [exercise["id"] for exercise in shared]


@pytest.fixture
def ids(app, callers) -> dict[str, int]:
    with app.app_context():
        return {u.username: u.id for u in db.session.scalars(db.select(User))}


@pytest.mark.parametrize("caller", ["user", "trainer"])
def test_only_admins_change_roles(client, callers, ids, caller):
    answers = {
        target: client.patch(f"/api/v1/admin/users/{ids[target]}/", json={"role": role}, headers=callers[caller])
        for target, role in (("user", "admin"), ("trainer", "admin"), ("admin", "user"), (caller, "admin"))
    }

    assert {target: r.status_code for target, r in answers.items()} == dict.fromkeys(answers, 403)
    roles = {u["username"]: u["role"] for u in client.get("/api/v1/admin/users/", headers=callers["admin"]).json}
    assert roles == {"user": "user", "trainer": "trainer", "admin": "admin"}


def test_an_admin_cannot_demote_or_deactivate_themself(client, callers, ids):
    for change in ({"role": "user"}, {"is_active": False}):
        response = client.patch(f"/api/v1/admin/users/{ids['admin']}/", json=change, headers=callers["admin"])
        assert response.status_code == 403, response.json

    assert client.get("/api/v1/admin/users/", headers=callers["admin"]).status_code == 200


def test_a_role_change_applies_to_live_tokens_at_once(client, callers, ids):
    """The role is read from the account on each request: a demoted admin's token loses the admin functions, a
    promoted user's token gains the trainer ones, without logging in again."""
    client.post("/api/v1/register/", json={"username": "second", "email": "s@example.com", "password": "long enough"})
    root = callers["admin"]
    second_id = next(u["id"] for u in client.get("/api/v1/admin/users/?q=second", headers=root).json)
    assert client.patch(f"/api/v1/admin/users/{second_id}/", json={"role": "admin"}, headers=root).status_code == 200
    second = bearer(login(client, "second", "long enough")["access_token"])
    assert client.get("/api/v1/admin/users/", headers=second).status_code == 200

    demoted = client.patch(f"/api/v1/admin/users/{second_id}/", json={"role": "user"}, headers=root)
    promoted = client.patch(f"/api/v1/admin/users/{ids['user']}/", json={"role": "trainer"}, headers=root)

    assert (demoted.status_code, promoted.status_code) == (200, 200)
    assert client.get("/api/v1/admin/users/", headers=second).status_code == 403
    assert client.get("/api/v1/trainers/me/clients/", headers=callers["user"]).status_code == 200


def test_a_role_claim_written_into_a_token_grants_nothing(app, client, callers):
    """Even signed with the server's own key (as a leaked signing key would allow), extra claims do not carry a
    role: only the account's does."""
    claims = jwt.decode(callers["user"]["Authorization"].split()[1], options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "role": "admin", "roles": ["admin"], "is_admin": True},
        app.config["JWT_SECRET_KEY"],
        algorithm="HS256",
    )

    response = client.get("/api/v1/admin/users/", headers=bearer(forged))

    assert response.status_code == 403


@pytest.mark.parametrize("header", ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"])
def test_a_method_override_header_does_not_reach_another_function(client, callers, header):
    """A GET, which plain users may make, does not become the admin-only POST (or the reverse) by a header."""
    body = {"access_level": "premium", "price": "9.99", "description": "Sneaky"}

    as_get = client.get("/api/v1/memberships/", json=body, headers={**callers["user"], header: "POST"})
    as_post = client.post("/api/v1/memberships/", json=body, headers={**callers["user"], header: "GET"})

    assert as_get.status_code == 200 and as_get.json == []
    assert as_post.status_code == 403
    assert client.get("/api/v1/memberships/", headers=callers["admin"]).json == []
