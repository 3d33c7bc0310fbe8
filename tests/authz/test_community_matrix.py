"""The authorisation matrix of the community routes (tests/authz/conftest.py): friends, friend requests and blocks,
chat, groups and challenges, each named by id in its route.

alice owns every object (built anew for each caller through the services); bob is her friend, mallory another user,
coach her trainer, stranger a trainer without her, root an admin. SPEC §0: 404 for what the caller may not see,
403 for what they see but may not change; anonymous callers get 401.

Who each caller is to each object:
- friends and requests: `pal` is alice's friend (she unfriends him); bob unfriends alice; `incoming_request` was sent
  to alice by a newcomer, `outgoing_request` by alice to another; alice blocked `blocked`. A request or a friendship
  exists only for its two people: to anyone else (root included) it is a 404.
- chat: `conversation` is alice and bob's, with a message of each; `blocked_conversation` is alice's with `blocked`
  (written before the block: its history stays readable, nothing more may be sent); `group_conversation` is the
  private group's. A conversation one is not in does not exist (404), for admins too.
- groups: alice created (and is the only admin of) `public_group` and `private_group`; bob is a member of both,
  coach of the private one (he runs its challenge), `member` a plain member of both; `group_request` is a newcomer's
  request to join the private group. Anyone finds a group (200), only its admins change it (403, site admins too);
  a private group's members and posts are its members' and staff's (403 for anyone else: the group is visible,
  what is inside is not).
- challenges: only trainers and admins create challenges, so here the "owner" is alice's coach, who created
  `challenge` (for everyone) and `group_challenge` (for the private group); alice joined both. Its creator or an
  admin changes it (403 for the others who see it); a private group's challenge is unseen (404) by non-members.
"""

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Conversation, GroupJoinRequest, User
from app.models.base import utcnow
from app.services import challenges, chat, friends, groups, posts, visibility
from tests.authz.conftest import outcome
from tests.factories import UserFactory
from tests.factories.friends import befriend

EVERYONE = outcome(default=200)
ALICE_ALONE = outcome(default=404, alice=200)
ALICE_DELETES = outcome(default=404, alice=204)
# A 1:1 conversation: its two people, nobody else (admins included).
ALICE_AND_BOB = outcome(default=404, alice=200, bob=200)
# A group's admin acts; everyone else sees the group but is refused.
GROUP_ADMIN = outcome(default=403, alice=200)
GROUP_ADMIN_DELETES = outcome(default=403, alice=204)
# What is inside the private group: its members (alice, bob, coach) and staff (root).
PRIVATE_GROUP_READERS = outcome(default=403, alice=200, bob=200, coach=200, root=200)
# A challenge is changed by its creator (coach) or an admin, refused to the others who see it.
CHALLENGE_CHANGERS = outcome(default=403, coach=200, root=200)
CHALLENGE_DELETERS = outcome(default=403, coach=204, root=204)
# A private group's challenge: unseen by non-members (mallory, stranger), seen by members and staff.
GROUP_CHALLENGE_READERS = outcome(default=404, alice=200, bob=200, coach=200, root=200)
MESSAGE = {"text": "See you at the track", "client_id": "matrix-{n}"}

# (method, path, body, expected status per actor)
MATRIX = [
    # --- friendships and blocks ---
    ("DELETE", "/friends/{pal}/", None, ALICE_DELETES),
    ("DELETE", "/friends/{alice}/", None, outcome(default=404, bob=204)),  # alice is no friend of her own
    ("DELETE", "/blocks/{blocked}/", None, ALICE_DELETES),
    # --- friend requests: the recipient answers, the sender cancels, the other party is refused (403) ---
    ("DELETE", "/friend-requests/{outgoing_request}/", None, ALICE_DELETES),
    ("DELETE", "/friend-requests/{incoming_request}/", None, outcome(default=404, alice=403)),
    ("POST", "/friend-requests/{incoming_request}/accept/", None, ALICE_ALONE),
    ("POST", "/friend-requests/{outgoing_request}/accept/", None, outcome(default=404, alice=403)),
    ("POST", "/friend-requests/{incoming_request}/decline/", None, ALICE_DELETES),
    ("POST", "/friend-requests/{outgoing_request}/decline/", None, outcome(default=404, alice=403)),
    # --- chat ---
    ("GET", "/conversations/{conversation}/messages/", None, ALICE_AND_BOB),
    ("POST", "/conversations/{conversation}/messages/", MESSAGE, outcome(default=404, alice=201, bob=201)),
    ("POST", "/conversations/{conversation}/read/", {"message_id": "{message}"}, ALICE_AND_BOB),
    ("DELETE", "/messages/{message}/", None, outcome(default=404, alice=204, bob=403)),
    ("DELETE", "/messages/{bob_message}/", None, outcome(default=404, alice=403, bob=204)),
    ("GET", "/conversations/{blocked_conversation}/messages/", None, ALICE_ALONE),
    ("POST", "/conversations/{blocked_conversation}/messages/", MESSAGE, outcome(default=404, alice=403)),
    ("POST", "/conversations/{blocked_conversation}/read/", {"message_id": "{blocked_message}"}, ALICE_ALONE),
    ("GET", "/conversations/{group_conversation}/messages/", None, outcome(default=404, alice=200, bob=200, coach=200)),
    (
        "POST",
        "/conversations/{group_conversation}/messages/",
        MESSAGE,
        outcome(default=404, alice=201, bob=201, coach=201),
    ),
    # --- groups ---
    ("GET", "/groups/{public_group}/", None, EVERYONE),
    ("GET", "/groups/{private_group}/", None, EVERYONE),
    ("PATCH", "/groups/{public_group}/", {"description": "Morning runs"}, GROUP_ADMIN),
    ("PATCH", "/groups/{private_group}/", {"name": "Track club {n}", "visibility": "public"}, GROUP_ADMIN),
    ("DELETE", "/groups/{public_group}/", None, GROUP_ADMIN_DELETES),
    ("DELETE", "/groups/{private_group}/", None, GROUP_ADMIN_DELETES),
    ("POST", "/groups/{public_group}/join/", None, EVERYONE),
    ("POST", "/groups/{private_group}/join/", None, outcome(default=202, alice=200, bob=200, coach=200)),
    # leaving: alice is the groups' last admin (422), members leave, the others are not in it (404)
    ("DELETE", "/groups/{public_group}/join/", None, outcome(default=404, alice=422, bob=204)),
    ("DELETE", "/groups/{private_group}/join/", None, outcome(default=404, alice=422, bob=204, coach=204)),
    ("GET", "/groups/{public_group}/members/", None, EVERYONE),
    ("GET", "/groups/{private_group}/members/", None, PRIVATE_GROUP_READERS),
    ("PATCH", "/groups/{public_group}/members/{member}/", {"role": "admin"}, GROUP_ADMIN),
    ("PATCH", "/groups/{private_group}/members/{member}/", {"role": "admin"}, GROUP_ADMIN),
    ("DELETE", "/groups/{public_group}/members/{member}/", None, GROUP_ADMIN_DELETES),
    ("DELETE", "/groups/{private_group}/members/{member}/", None, GROUP_ADMIN_DELETES),
    ("GET", "/groups/{public_group}/posts/", None, EVERYONE),
    ("GET", "/groups/{private_group}/posts/", None, PRIVATE_GROUP_READERS),
    ("GET", "/groups/{private_group}/requests/", None, GROUP_ADMIN),
    ("POST", "/groups/{private_group}/requests/{group_request}/accept/", None, GROUP_ADMIN),
    ("POST", "/groups/{private_group}/requests/{group_request}/decline/", None, GROUP_ADMIN),
    # --- challenges (created by coach, joined by alice) ---
    ("GET", "/challenges/{challenge}/", None, EVERYONE),
    ("PATCH", "/challenges/{challenge}/", {"title": "Run every day"}, CHALLENGE_CHANGERS),
    ("DELETE", "/challenges/{challenge}/", None, CHALLENGE_DELETERS),
    ("POST", "/challenges/{challenge}/join/", None, EVERYONE),
    ("DELETE", "/challenges/{challenge}/join/", None, ALICE_DELETES),
    ("GET", "/challenges/{challenge}/leaderboard/", None, EVERYONE),
    ("GET", "/challenges/{challenge}/leaderboard/?scope=friends", None, EVERYONE),
    ("GET", "/challenges/{group_challenge}/", None, GROUP_CHALLENGE_READERS),
    (
        "PATCH",
        "/challenges/{group_challenge}/",
        {"description": "Members only"},
        CHALLENGE_CHANGERS | {"mallory": 404, "stranger": 404},
    ),
    ("DELETE", "/challenges/{group_challenge}/", None, CHALLENGE_DELETERS | {"mallory": 404, "stranger": 404}),
    # root sees a private group's challenge (staff) but joins only a group's challenge he is a member of
    ("POST", "/challenges/{group_challenge}/join/", None, GROUP_CHALLENGE_READERS | {"root": 403}),
    ("DELETE", "/challenges/{group_challenge}/join/", None, ALICE_DELETES),
    ("GET", "/challenges/{group_challenge}/leaderboard/", None, GROUP_CHALLENGE_READERS),
    ("GET", "/challenges/{group_challenge}/leaderboard/?scope=friends", None, GROUP_CHALLENGE_READERS),
]


def _newcomer() -> User:
    return UserFactory()


def _group_with(admin: User, name: str, members: list[User], *, private: bool) -> int:
    """A group alice creates public, the members join at once, then (private) she makes it private."""
    group_id = groups.create_group(admin, {"name": name, "visibility": "public"})["id"]
    for person in members:
        assert groups.join_group(person, group_id) == "member"
    if private:
        groups.update_group(admin, group_id, {"visibility": "private"})
    return group_id


@pytest.fixture
def world(app, actors):
    """A builder of alice's objects, anew on each call (one caller's DELETE or accept leaves the next one's world
    whole); see the module's docstring for who is who. Returns the actors' ids and the objects' ids."""
    numbers = count(1)

    def build() -> dict:
        n = next(numbers)
        with app.app_context():
            alice, bob, coach = (db.session.get(User, actors[name]) for name in ("alice", "bob", "coach"))
            if not visibility.are_friends(alice.id, bob.id):  # a previous caller (bob) unfriended her
                befriend(alice.id, bob.id)
            pal, suitor, crush, blocked, member, asker = (_newcomer() for _ in range(6))
            befriend(alice.id, pal.id)
            incoming = friends.send_friend_request(suitor, alice.id)
            outgoing = friends.send_friend_request(alice, crush.id)

            conversation = chat.start_conversation(alice, bob.id)[0]["id"]
            message = chat.send_message(alice, conversation, f"Run at {n}?", f"alice-{n}")[0]["id"]
            bob_message = chat.send_message(bob, conversation, "Sure", f"bob-{n}")[0]["id"]
            blocked_conversation = chat.start_conversation(alice, blocked.id)[0]["id"]
            blocked_message = chat.send_message(blocked, blocked_conversation, "Hi", f"blocked-{n}")[0]["id"]
            friends.block(alice, blocked.id)

            public_group = _group_with(alice, f"Runners {n}", [bob, member], private=False)
            private_group = _group_with(alice, f"Track {n}", [bob, coach, member], private=True)
            assert groups.join_group(asker, private_group) == "requested"
            group_request = db.session.scalar(
                select(GroupJoinRequest.id).where(
                    GroupJoinRequest.group_id == private_group, GroupJoinRequest.user_id == asker.id
                )
            )
            group_conversation = db.session.scalar(
                select(Conversation.id).where(Conversation.group_id == private_group)
            )
            posts.create_post(alice, {"text": "Intervals on Tuesday", "group_id": public_group})
            posts.create_post(alice, {"text": "Members: 5 km time trial", "group_id": private_group})

            today = utcnow().date()
            window = {"metric": "workouts", "start_date": today, "end_date": today + timedelta(days=30)}
            challenge = challenges.create_challenge(coach, {"title": f"Thirty days {n}", **window})["id"]
            group_challenge = challenges.create_challenge(
                coach, {"title": f"Track month {n}", "group_id": private_group, **window}
            )["id"]
            for joined in (challenge, group_challenge):
                challenges.join_challenge(alice, joined)

            return {
                **actors,
                "n": n,
                "pal": pal.id,
                "blocked": blocked.id,
                "member": member.id,
                "incoming_request": incoming["id"],
                "outgoing_request": outgoing["id"],
                "conversation": conversation,
                "message": message,
                "bob_message": bob_message,
                "blocked_conversation": blocked_conversation,
                "blocked_message": blocked_message,
                "group_conversation": group_conversation,
                "public_group": public_group,
                "private_group": private_group,
                "group_request": group_request,
                "challenge": challenge,
                "group_challenge": group_challenge,
            }

    return build


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p} {i}" for i, (m, p, *_) in enumerate(MATRIX)]
)
def test_community_matrix(check_row, world, method, path, body, expected):
    check_row(world, method, path, body, expected)
