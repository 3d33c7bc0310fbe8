"""The authorisation matrix of personal things (tests/authz/conftest.py): goals, metrics, habits, reports and exports,
accounts (admin), memberships and tiers, notifications, sessions and profiles, each named by id in its route.

alice owns every object (built anew for each caller through the services); bob is her friend, mallory another user,
coach her trainer, stranger a trainer without her, root an admin. SPEC §0: 404 for what the caller may not see,
403 for what they see but may not change, or for a role they lack; anonymous callers get 401.

Besides alice, three people own the objects whose outcome hangs on privacy or blocks: `hermit` (a private profile),
`insider` (a friends-only profile, bob's friend) and `grudge` (a public profile and a public habit; grudge blocked
mallory, so to mallory neither exists); `gone`, a deactivated account, owns a public habit."""

import uuid
from datetime import date, time, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AccessLevel, AuthSession, Channel, MembershipTier, NotificationType, User
from app.models.base import utcnow
from app.services import exports, friends, goals, habits, memberships, metrics, notifications, reports, users
from app.services.audit import ClientInfo
from tests.authz.conftest import outcome
from tests.factories.friends import befriend

# Goals, metrics, exports and sessions are their owner's alone: for anyone else, trainers and admins included, they
# do not exist (their services say so: "whatever their role").
OWNER_ONLY = outcome(default=404, alice=200)
OWNER_DELETES = outcome(default=404, alice=204)
ADMIN_ONLY = outcome(default=403, root=200)
ADMIN_DELETES = outcome(default=403, root=204)
EVERYONE = outcome(default=200)
# A public habit is seen by everyone signed in and changed by its owner alone.
PUBLIC_HABIT_WRITES = outcome(default=403, alice=200)
# A report is seen by whoever asked for it and whoever it is about.
ASKER_AND_SUBJECT = outcome(default=404, alice=200, coach=200)
# A membership: one's own, an assigned client's (trainers), anyone's (admins).
MEMBERSHIP_READERS = outcome(default=404, alice=200, coach=200, root=200)

TODAY = date.today()
GOAL = {"goal_type": "strength", "start_date": TODAY.isoformat(), "target_value": 100, "unit": "kg"}
HABIT_TIME, PUBLIC = time(7, 30), {"is_public": True}
HABIT = {"time": "07:30", "action": "walk", "place": "park", "duration_sec": 60}

# (method, path, body, expected status per actor)
MATRIX = [
    # --- accounts and memberships, administered ---
    ("GET", "/admin/users/{alice}/", None, ADMIN_ONLY),
    ("PATCH", "/admin/users/{alice}/", {"role": "trainer"}, ADMIN_ONLY),
    ("PATCH", "/admin/users/{alice}/", {"is_active": False}, ADMIN_ONLY),
    ("GET", "/admin/users/{alice}/membership/", None, ADMIN_ONLY),
    ("PUT", "/admin/users/{alice}/membership/", {"tier_id": "{tier}", "client_status": "on_hold"}, ADMIN_ONLY),
    ("PUT", "/admin/users/{alice}/membership/", {"tier_id": None, "client_status": "inactive"}, ADMIN_ONLY),
    ("GET", "/admin/users/{alice}/membership/history/", None, ADMIN_ONLY),
    # --- fitness goals ---
    ("GET", "/fitness-goals/{goal}/", None, OWNER_ONLY),
    ("PUT", "/fitness-goals/{goal}/", GOAL, OWNER_ONLY),
    ("PATCH", "/fitness-goals/{goal}/", {"description": "Squat my weight"}, OWNER_ONLY),
    ("DELETE", "/fitness-goals/{goal}/", None, OWNER_DELETES),
    ("PATCH", "/fitness-goals/{goal}/deactivate/", None, OWNER_ONLY),
    ("GET", "/fitness-goals/{goal}/progress/", None, OWNER_ONLY),
    # --- body metrics ---
    ("DELETE", "/metrics/{metric}/", None, OWNER_DELETES),
    # --- habits: a private one is alice's alone; a public one is read by all, changed by alice ---
    ("GET", "/habits/{habit}/", None, OWNER_ONLY),
    ("PUT", "/habits/{habit}/", HABIT, OWNER_ONLY),
    ("PATCH", "/habits/{habit}/", {"action": "run"}, OWNER_ONLY),
    ("DELETE", "/habits/{habit}/", None, OWNER_DELETES),
    ("GET", "/habits/{habit}/completions/", None, OWNER_ONLY),
    ("POST", "/habits/{habit}/done/", None, outcome(default=404, alice=201)),
    ("GET", "/habits/{habit}/streaks/", None, OWNER_ONLY),
    ("GET", "/habits/{public_habit}/", None, EVERYONE),
    ("PUT", "/habits/{public_habit}/", {**HABIT, "is_public": True}, PUBLIC_HABIT_WRITES),
    ("PATCH", "/habits/{public_habit}/", {"action": "run"}, PUBLIC_HABIT_WRITES),
    ("DELETE", "/habits/{public_habit}/", None, outcome(default=403, alice=204)),
    ("GET", "/habits/{public_habit}/completions/", None, PUBLIC_HABIT_WRITES),
    ("POST", "/habits/{public_habit}/done/", None, outcome(default=403, alice=201)),
    ("GET", "/habits/{public_habit}/streaks/", None, PUBLIC_HABIT_WRITES),
    # grudge blocked mallory: to her, grudge's public habit does not exist (SPEC §6: a block hides everything)
    ("GET", "/habits/{grudge_habit}/", None, outcome(default=200, mallory=404)),
    ("PATCH", "/habits/{grudge_habit}/", {"action": "run"}, outcome(default=403, mallory=404)),
    # a deactivated account's things are gone for everyone, as its posts and profile are (and /habits/public/)
    ("GET", "/habits/{gone_habit}/", None, outcome(default=404)),
    # --- data exports and reports (done, with a file) ---
    ("GET", "/export/{export}/", None, OWNER_ONLY),
    ("GET", "/export/{export}/download", None, OWNER_ONLY),
    ("GET", "/reports/{report}/", None, OWNER_ONLY),
    ("GET", "/reports/{report}/download", None, OWNER_ONLY),
    ("GET", "/reports/{coach_report}/", None, ASKER_AND_SUBJECT),
    ("GET", "/reports/{coach_report}/download", None, ASKER_AND_SUBJECT),
    # --- membership tiers: read by everyone signed in, managed by admins ---
    ("GET", "/memberships/{tier}/", None, EVERYONE),
    ("PATCH", "/memberships/{tier}/", {"description": "Coaching included", "price": "24.99"}, ADMIN_ONLY),
    ("DELETE", "/memberships/{tier}/", None, ADMIN_DELETES),
    ("DELETE", "/memberships/{held_tier}/", None, outcome(default=403, root=409)),  # alice holds it
    # --- notifications and sessions ---
    ("DELETE", "/notifications/{notification}/", None, OWNER_DELETES),
    ("DELETE", "/sessions/{session}/", None, OWNER_DELETES),
    # --- profiles: a private or friends-only one shows its card (200); a block hides the person (404) ---
    ("GET", "/users/{alice}/", None, EVERYONE),
    ("GET", "/users/{hermit}/", None, EVERYONE),
    ("GET", "/users/{insider}/", None, EVERYONE),
    ("GET", "/users/{grudge}/", None, outcome(default=200, mallory=404)),
    ("GET", "/users/{alice}/membership/", None, MEMBERSHIP_READERS),
    ("GET", "/users/{hermit}/membership/", None, outcome(default=404, root=200)),
]


@pytest.fixture
def app(app_factory, tmp_path):
    """Jobs run at once (the testing default), writing report and export files under a temporary folder."""
    return app_factory(REPORTS_DIR=str(tmp_path / "reports"), EXPORTS_DIR=str(tmp_path / "exports"))


def _tier(access_level: str, price: str) -> int:
    """The tier of that level (one per level), created if missing."""
    tier = db.session.scalar(select(MembershipTier).where(MembershipTier.access_level == access_level))
    if tier is None:
        tier = memberships.create_tier({"access_level": access_level, "price": Decimal(price), "description": "A tier"})
    return tier.id


@pytest.fixture
def world(app, actors, make_user):
    """A builder of alice's objects, anew on each call (so one caller's DELETE leaves the next one's world whole):
    a goal, a metric entry, a private and a public habit, a finished export, a finished report she asked for and
    one her coach asked for, a notification, a login session, her membership (of the `held_tier`), and a tier
    nobody holds. The people of the privacy rows are made once."""
    others = {
        "hermit": make_user(username="hermit", privacy="private"),
        "insider": make_user(username="insider", privacy="friends"),
        "grudge": make_user(username="grudge"),
        "gone": make_user(username="gone"),
    }
    with app.app_context():
        befriend(others["insider"], actors["bob"])
        grudge = db.session.get(User, others["grudge"])
        friends.block(grudge, actors["mallory"])
        grudge_habit = habits.create_habit(grudge, {"time": HABIT_TIME, "action": "row"} | PUBLIC)
        others["grudge_habit"] = grudge_habit.id
        gone = db.session.get(User, others["gone"])
        others["gone_habit"] = habits.create_habit(gone, {"time": HABIT_TIME, "action": "swim"} | PUBLIC).id
        users.admin_update_user(db.session.get(User, actors["root"]), gone.id, {"is_active": False}, ClientInfo())
    numbers = count(1)

    def build() -> dict:
        n = next(numbers)
        with app.app_context():
            alice, coach, root = (db.session.get(User, actors[name]) for name in ("alice", "coach", "root"))
            goal = goals.create_goal(
                alice, {"goal_type": "weight_loss", "target_value": 70, "end_date": TODAY + timedelta(days=90)}
            )
            metric = metrics.record(alice, {"weight_kg": 80.0})
            habit = habits.create_habit(alice, {"time": HABIT_TIME, "action": f"stretch {n}"})
            public_habit = habits.create_habit(alice, {"time": HABIT_TIME, "action": f"walk {n}"} | PUBLIC)
            export = exports.request_export(alice)
            span = {"format": "csv", "date_from": TODAY - timedelta(days=30), "date_to": TODAY}
            report = reports.request_report(alice, span)
            coach_report = reports.request_report(coach, {**span, "user_id": alice.id})
            held_tier = _tier(AccessLevel.STANDARD, "9.99")
            memberships.set_membership(root, alice.id, held_tier, "active")
            tier = _tier(AccessLevel.PREMIUM, "19.99")
            notice = notifications.notify(
                [alice.id], NotificationType.SYSTEM, f"Welcome {n}", channels=frozenset({Channel.IN_APP})
            )
            session = AuthSession(
                id=uuid.uuid4().hex, user_id=alice.id, created_at=utcnow(), expires_at=utcnow() + timedelta(days=30)
            )
            db.session.add(session)
            db.session.commit()
            ids = {
                "goal": goal["id"],
                "metric": metric.id,
                "habit": habit.id,
                "public_habit": public_habit.id,
                "export": export.id,
                "report": report.id,
                "coach_report": coach_report.id,
                "held_tier": held_tier,
                "tier": tier,
                "notification": notice[0]["id"],
                "session": session.id,
            }
            db.session.expire_all()
            for row in (export, report, coach_report):  # the inline jobs ran at the commit
                assert row.status == "done", (row, row.status, row.error)
            return {**actors, **others, **ids}

    return build


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p} {i}" for i, (m, p, *_) in enumerate(MATRIX)]
)
def test_personal_matrix(check_row, world, method, path, body, expected):
    check_row(world, method, path, body, expected)
