"""Listing posts costs a constant number of SQL statements: 5 posts or 50, with authors, media, reactions, the
viewer's reaction, comments, shares and shared originals (visible ones and tombstones)."""

import pytest

from tests.factories.posts import (
    CommentFactory,
    PostFactory,
    PostImageFactory,
    ReactionFactory,
    ReadyImageFactory,
    ShareFactory,
)


def seed(social: dict, n: int) -> None:
    """n posts by bob as busy as posts get: two images, three reactions (one his friend alice's), a comment, a
    share; every other one a share of someone's post (a visible original, or a friends-only one alice cannot see)."""
    bob, others = social["friend"], [social["stranger"], social["friend_of_friend"], social["author"]]
    for i in range(n):
        if i % 2:
            original = PostFactory(author_id=others[i % 3], visibility="friends" if i % 4 == 1 else "public")
            PostImageFactory(post_id=original.id, media_id=ReadyImageFactory(owner_id=original.author_id).id)
            post = ShareFactory(author_id=bob, shared_post_id=original.id)
        else:
            post = PostFactory(author_id=bob)
        for position in range(2):
            PostImageFactory(post_id=post.id, position=position, media_id=ReadyImageFactory(owner_id=bob).id)
        for user_id, kind in zip(others, ("like", "love", "wow"), strict=True):
            ReactionFactory(post_id=post.id, user_id=user_id, kind=kind)
        CommentFactory(post_id=post.id, author_id=others[i % 3])
        ShareFactory(author_id=others[(i + 1) % 3], shared_post_id=post.id)


@pytest.fixture
def listed(app, api, social, count_queries, headers_of):
    """`listed(n)`: seed n more of bob's posts, list them as alice; (number of posts, statements)."""
    headers_of("alice")  # logged in before counting

    def run(n: int) -> tuple[int, int]:
        with app.app_context():
            seed(social, n)
        with count_queries() as counter:
            response = api("author", "GET", f"/users/{social['friend']}/posts/?limit=100")
        assert response.status_code == 200
        return len(response.json["items"]), counter.count

    return run


def test_listing_50_posts_costs_what_listing_5_does(listed):
    few, few_statements = listed(5)
    many, many_statements = listed(45)

    assert (few, many) == (5, 50)
    assert many_statements == few_statements


def test_a_listed_post_carries_everything(app, api, social):
    with app.app_context():
        seed(social, 4)

    items = api("author", "GET", f"/users/{social['friend']}/posts/").json["items"]

    share, post, unseen_share, _ = items
    assert len(post["media"]) == 2 and post["reactions"] == {"like": 1, "love": 1, "wow": 1}
    assert post["my_reaction"] == "wow" and post["comments_count"] == 1 and post["shares_count"] == 1
    assert share["shared_post"]["is_available"] is True and len(share["shared_post"]["media"]) == 1
    assert share["shared_post"]["author"]["id"] == social["stranger"]
    assert unseen_share["shared_post"] == {"id": None, "is_available": False}  # carol's friends-only post


def test_reading_one_post_costs_a_few_statements(app, api, social, count_queries):
    with app.app_context():
        seed(social, 2)
    share_id = api("author", "GET", f"/users/{social['friend']}/posts/").json["items"][0]["id"]

    with count_queries() as counter:
        assert api("author", "GET", f"/posts/{share_id}/").status_code == 200

    assert counter.count <= 12, counter.statements


def test_a_comment_thread_costs_the_same_for_5_and_50(app, api, social, make, count_queries, headers_of):
    headers_of("alice")
    post_id = make(PostFactory, author_id=social["author"])

    def thread(n: int) -> tuple[int, int]:
        with app.app_context():
            for i in range(n):
                CommentFactory(post_id=post_id, author_id=[social["friend"], social["stranger"]][i % 2])
        with count_queries() as counter:
            response = api("author", "GET", f"/posts/{post_id}/comments/?limit=100")
        return len(response.json["items"]), counter.count

    (few, few_statements), (many, many_statements) = thread(5), thread(45)

    assert (few, many) == (5, 50) and few_statements == many_statements
