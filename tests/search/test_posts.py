"""Searching posts (`type=posts`): ranked by how well they match, and only those the caller may see — the privacy
matrix of tests/posts, with hidden posts never found."""

import pytest

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from tests.factories.posts import PostFactory
from tests.fixtures.social import VIEWERS

SEES = {
    "public": {"author", "friend", "friend_of_friend", "stranger", "moderator", "admin"},
    "friends": {"author", "friend", "admin"},
    "private": {"author", "admin"},
}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("visibility", SEES)
def test_a_post_is_found_by_whoever_may_see_it(found, make, social, visibility, viewer):
    post_id = make(PostFactory, author_id=social["author"], visibility=visibility, text="Deadlift morning")

    assert found(viewer, "deadlift", "posts") == ([post_id] if viewer in SEES[visibility] else [])


@pytest.mark.parametrize("viewer", ["author", "moderator", "admin", "friend"])
def test_a_hidden_post_is_found_by_nobody(found, make, social, viewer):
    make(PostFactory, author_id=social["author"], text="Deadlift morning", hidden_at=utcnow())

    assert found(viewer, "deadlift", "posts") == []


@pytest.mark.parametrize("field", ["deactivated_at", "deleted_at"])
def test_posts_of_an_inactive_author_are_not_found(found, app, make, social, field):
    make(PostFactory, author_id=social["friend"], text="Deadlift morning")
    with app.app_context():
        setattr(db.session.get(User, social["friend"]), field, utcnow())
        db.session.commit()

    assert found("stranger", "deadlift", "posts") == []


def test_posts_matching_better_come_first_then_newer_ones(found, make, social):
    once = make(PostFactory, author_id=social["author"], text="Leg day: one squat set and a long walk home")
    thrice = make(PostFactory, author_id=social["author"], text="Squat, squat, squat")
    newer_once = make(PostFactory, author_id=social["author"], text="Leg day: one squat set and a long walk home")
    make(PostFactory, author_id=social["author"], text="Bench press")

    assert found("stranger", "squat", "posts") == [thrice, newer_once, once]


def test_words_are_matched_by_their_stem(found, make, social):
    post_id = make(PostFactory, author_id=social["author"], text="Squats and lunges")

    assert found("stranger", "squats lunge", "posts") == [post_id]


def test_every_word_must_match(found, make, social):
    both = make(PostFactory, author_id=social["author"], text="Squat and deadlift")
    make(PostFactory, author_id=social["author"], text="Squat only")

    assert found("stranger", "squat deadlift", "posts") == [both]


def test_a_result_is_a_post_as_the_caller_sees_it(search, make, social):
    post_id = make(PostFactory, author_id=social["author"], text="Deadlift morning")

    item = search("friend", "deadlift", "posts").json["items"][0]

    assert item["id"] == post_id and item["author"]["username"] == "alice"
    assert item["reactions"] == {} and item["my_reaction"] is None and item["shared_post"] is None
