"""Concurrent writes (PostgreSQL or SQLite): one reaction per person however many PUTs race, one notice to the
author, and an upload claimed by one post only."""

from app.extensions import db
from app.models import Notification, PostMedia, Reaction
from tests.concurrency import race, statuses
from tests.factories.posts import PostFactory, ReadyImageFactory

CALLS = 10
KINDS = ("like", "love", "haha", "wow", "sad", "angry")


def test_racing_reactions_of_one_person_leave_one_reaction_and_one_notice(app, social, headers_of):
    headers = headers_of("bob")
    with app.app_context():
        post_id = PostFactory(author_id=social["author"]).id
    url = f"/api/v1/posts/{post_id}/reaction/"

    responses = race(app, CALLS, lambda client, n: client.put(url, json={"kind": KINDS[n % 6]}, headers=headers))

    assert statuses(responses) == {200: CALLS}, [r.json for r in responses if r.status_code != 200]
    with app.app_context():
        assert db.session.query(Reaction).filter_by(post_id=post_id).count() == 1
        assert db.session.query(Notification).filter_by(recipient_id=social["author"], type="reaction").count() == 1


def test_racing_posts_with_the_same_upload_let_one_claim_it(app, social, headers_of):
    headers = headers_of("alice")
    with app.app_context():
        image = ReadyImageFactory(owner_id=social["author"]).id

    responses = race(
        app, CALLS, lambda client, n: client.post("/api/v1/posts/", json={"media_ids": [image]}, headers=headers)
    )

    assert statuses(responses)[201] == 1, [r.json for r in responses]
    assert all(r.status_code in (201, 409, 422) for r in responses), [r.json for r in responses]
    with app.app_context():
        assert db.session.query(PostMedia).filter_by(media_id=image).count() == 1
