"""Friendship state transitions: every ordered pair of actions (send, accept, decline, cancel, unfriend, block,
unblock — by either of two people) against a small model of what each answers and leaves behind, plus a longer
random walk. The database is read after every step: the pair's pending request, both friendship rows or none,
and the blocks."""

import random
from dataclasses import dataclass, replace
from itertools import product

import pytest
from sqlalchemy import delete

from app.extensions import db
from app.models import Block, FriendRequest, Friendship, Notification

PEOPLE = ("ann", "bob")
KINDS = ("send", "accept", "decline", "cancel", "unfriend", "block", "unblock")
ACTIONS = [(kind, actor) for kind in KINDS for actor in PEOPLE]


@dataclass(frozen=True)
class State:
    pending: tuple[str, str] | None = None  # (sender, recipient)
    friends: bool = False
    blocks: frozenset = frozenset()  # {(blocker, blocked)}


def other(actor: str) -> str:
    return PEOPLE[1 - PEOPLE.index(actor)]


def expect(state: State, kind: str, actor: str) -> tuple[int, State]:
    """The model: the status `actor` gets for `kind`, and the state after it."""
    them = other(actor)
    if kind == "send":
        if state.blocks:
            return 404, state  # blocked either way: "no such user"
        if state.friends or state.pending == (actor, them):
            return 409, state
        if state.pending == (them, actor):
            return 201, replace(state, pending=None, friends=True)
        return 201, replace(state, pending=(actor, them))
    if kind in ("accept", "decline", "cancel"):
        if state.pending is None:
            return 404, state
        may_act = state.pending[1 if kind != "cancel" else 0] == actor
        if not may_act:
            return 403, state
        after = replace(state, pending=None, friends=state.friends or kind == "accept")
        return (200 if kind == "accept" else 204), after
    if kind == "unfriend":
        return (204, replace(state, friends=False)) if state.friends else (404, state)
    if kind == "block":
        code = 200 if (actor, them) in state.blocks else 201
        return code, State(pending=None, friends=False, blocks=state.blocks | {(actor, them)})
    if kind == "unblock":
        if (actor, them) not in state.blocks:
            return 404, state
        return 204, replace(state, blocks=state.blocks - {(actor, them)})
    raise AssertionError(kind)


class Walker:
    """Runs actions through the API and checks each against the model."""

    def __init__(self, social):
        self.social = social
        self.state = State()
        self.last_request_id = 999_999  # answering when nothing is pending targets a request that is gone

    def reset(self) -> None:
        with self.social.app.app_context():
            for model in (FriendRequest, Friendship, Block, Notification):
                db.session.execute(delete(model))
            db.session.commit()
        self.state = State()

    def request_id(self) -> int:
        if self.state.pending is not None:
            self.last_request_id = self.social.pending_id(*self.state.pending)
        return self.last_request_id

    def act(self, kind: str, actor: str):
        social, them = self.social, other(actor)
        if kind == "send":
            return social.send(actor, them)
        if kind in ("accept", "decline"):
            return social.answer(actor, self.request_id(), kind)
        if kind == "cancel":
            return social.cancel(actor, self.request_id())
        return getattr(social, kind)(actor, them)

    def step(self, kind: str, actor: str, history: list) -> None:
        history.append((kind, actor))
        code, after = expect(self.state, kind, actor)
        response = self.act(kind, actor)
        assert response.status_code == code, (history, response.json)
        if code >= 400:
            assert response.json["code"] == code and response.json["message"]
        assert self.social.pair_state(*PEOPLE) == {
            "pending": after.pending,
            "friends": after.friends,
            "blocks": after.blocks,
        }, history
        self.state = after


@pytest.mark.parametrize("first", ACTIONS, ids=[f"{k}-by-{a}" for k, a in ACTIONS])
def test_every_pair_of_actions_answers_and_leaves_what_the_model_says(social, first):
    """For one first action, every second action from a fresh start (and each from the state after a send, so
    the answers to a pending request are covered from both sides)."""
    walker = Walker(social)
    openings = [[first], [("send", "ann"), first], [("send", "ann"), ("accept", "bob"), first]]
    for opening, second in product(openings, ACTIONS):
        walker.reset()
        history: list = []
        for kind, actor in [*opening, second]:
            walker.step(kind, actor, history)


def test_a_long_random_walk_agrees_with_the_model_at_every_step(social):
    walker, history = Walker(social), []
    steps = random.Random(13)
    for _ in range(150):
        walker.step(*steps.choice(ACTIONS), history)
