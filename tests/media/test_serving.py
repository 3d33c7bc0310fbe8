"""Files are served only to who may see what owns them: a post's media to who may see the post, a profile image
to anyone not blocked either way, an unattached upload to its owner only — through HTTP, with private caching."""

import pytest

from app.extensions import db
from app.models import Block, Friendship, Privacy, User
from app.models.base import utcnow
from app.services.media import rendition_url
from tests.factories.media import MediaAssetFactory, MediaPostFactory, PostMediaFactory

VIEWERS = ("author", "friend", "friend_of_friend", "stranger", "blocked", "moderator", "admin")


@pytest.fixture
def people(app, make_user) -> dict[str, int]:
    """alice (the author) is friends with bob; bob with carol (a friend of a friend); she blocked mallory."""
    ids = {
        "author": make_user(username="alice"),
        "friend": make_user(username="bob"),
        "friend_of_friend": make_user(username="carol"),
        "stranger": make_user(username="dave"),
        "blocked": make_user(username="mallory"),
        "moderator": make_user(username="mod", role="trainer"),
        "admin": make_user(username="root", role="admin"),
    }
    with app.app_context():
        befriend(ids["author"], ids["friend"])
        befriend(ids["friend"], ids["friend_of_friend"])
        db.session.add(Block(blocker_id=ids["author"], blocked_id=ids["blocked"]))
        db.session.commit()
    return ids


USERNAMES = {
    "author": "alice",
    "friend": "bob",
    "friend_of_friend": "carol",
    "stranger": "dave",
    "blocked": "mallory",
    "moderator": "mod",
    "admin": "root",
}


def befriend(one: int, other: int) -> None:
    db.session.add_all([Friendship(user_id=one, friend_id=other), Friendship(user_id=other, friend_id=one)])


@pytest.fixture
def fetch(client, headers_of):
    """`fetch(viewer, media_id)` → the status of the file (display) and of the view, which must agree."""

    def get(viewer: str, media_id: int, rendition: str = "display") -> int:
        headers = headers_of(USERNAMES[viewer])
        file_status = client.get(rendition_url(media_id, rendition), headers=headers).status_code
        view_status = client.get(f"/api/v1/media/{media_id}/", headers=headers).status_code
        assert file_status == view_status, (viewer, file_status, view_status)
        return file_status

    return get


def post_media(app, author_id: int, **post_fields) -> int:
    with app.app_context():
        post = MediaPostFactory(author_id=author_id, **post_fields)
        return PostMediaFactory(post_id=post.id, media_id=MediaAssetFactory(owner_id=author_id).id).media_id


SEES = {
    Privacy.PUBLIC: {"author", "friend", "friend_of_friend", "stranger", "moderator", "admin"},
    Privacy.FRIENDS: {"author", "friend", "admin"},
    Privacy.PRIVATE: {"author", "admin"},
}


@pytest.mark.parametrize("privacy", list(SEES))
def test_a_posts_media_is_served_to_who_may_see_the_post(app, people, fetch, privacy):
    media_id = post_media(app, people["author"], visibility=privacy)

    seen = {viewer for viewer in VIEWERS if fetch(viewer, media_id) == 200}

    assert seen == SEES[privacy]
    assert all(fetch(viewer, media_id) == 404 for viewer in set(VIEWERS) - seen)


def test_a_hidden_posts_media_is_served_to_its_author_and_moderators_only(app, people, fetch):
    media_id = post_media(app, people["author"], visibility=Privacy.PUBLIC, hidden_at=utcnow())

    seen = {viewer for viewer in VIEWERS if fetch(viewer, media_id) == 200}

    assert seen == {"author", "moderator", "admin"}


def test_blocking_hides_media_both_ways(app, people, fetch):
    media_id = post_media(app, people["blocked"], visibility=Privacy.PUBLIC)  # mallory's post; alice blocked her

    assert fetch("author", media_id) == 404
    assert fetch("stranger", media_id) == 200


def test_a_deactivated_authors_media_is_gone_for_others(app, people, fetch):
    media_id = post_media(app, people["author"], visibility=Privacy.PUBLIC)
    with app.app_context():
        db.session.get(User, people["author"]).deactivated_at = utcnow()
        db.session.commit()

    assert fetch("stranger", media_id) == 404
    assert fetch("friend", media_id) == 404


def test_an_unattached_upload_is_served_to_its_owner_only(app, people, fetch):
    with app.app_context():
        media_id = MediaAssetFactory(owner_id=people["author"]).id

    seen = {viewer for viewer in VIEWERS if fetch(viewer, media_id) == 200}

    assert seen == {"author"}


@pytest.mark.parametrize("slot", ["avatar_id", "background_id"])
def test_a_profile_image_is_served_to_anyone_not_blocked_either_way(app, people, fetch, slot):
    with app.app_context():
        media_id = MediaAssetFactory(owner_id=people["author"], attached_at=utcnow()).id
        author = db.session.get(User, people["author"])
        setattr(author, slot, media_id)
        author.privacy = Privacy.PRIVATE  # a limited card still shows the avatar
        db.session.commit()

    seen = {viewer for viewer in VIEWERS if fetch(viewer, media_id) == 200}

    assert seen == set(VIEWERS) - {"blocked"}


def test_a_profile_image_is_hidden_from_someone_its_owner_blocked_by(app, people, fetch):
    with app.app_context():
        media_id = MediaAssetFactory(owner_id=people["stranger"], attached_at=utcnow()).id
        db.session.get(User, people["stranger"]).avatar_id = media_id
        db.session.add(Block(blocker_id=people["friend"], blocked_id=people["stranger"]))
        db.session.commit()

    assert fetch("friend", media_id) == 404  # bob blocked dave: dave's avatar is gone for bob
    assert fetch("author", media_id) == 200


def test_a_file_is_served_with_its_type_private_caching_and_nosniff(app, people, client, headers_of):
    media_id = post_media(app, people["author"], visibility=Privacy.PUBLIC)

    response = client.get(rendition_url(media_id, "thumb"), headers=headers_of("dave"))

    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data.startswith(b"\xff\xd8")
    assert response.headers["Cache-Control"].startswith("private")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(
        rendition_url(media_id, "thumb"), headers={**headers_of("dave"), "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("rendition", ["original", "poster", "video", "..", "display.jpg", "x" * 300])
def test_a_rendition_that_is_not_served_is_404(app, people, client, headers_of, rendition):
    media_id = post_media(app, people["author"], visibility=Privacy.PUBLIC)

    response = client.get(rendition_url(media_id, rendition), headers=headers_of("alice"))

    assert response.status_code == 404


def test_a_file_missing_from_storage_is_404_not_500(app, people, client, headers_of):
    with app.app_context():
        media_id = MediaAssetFactory(owner_id=people["author"], renditions={"display": "missing.jpg"}).id

    response = client.get(rendition_url(media_id, "display"), headers=headers_of("alice"))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/media/0/", "/api/v1/media/99999999999999999999/", "/api/v1/media/abc/display"]
)
def test_impossible_ids_are_404(people, client, headers_of, path):
    assert client.get(path, headers=headers_of("alice")).status_code == 404


def test_files_need_a_login(app, people, client):
    media_id = post_media(app, people["author"], visibility=Privacy.PUBLIC)

    assert client.get(rendition_url(media_id, "display")).status_code == 401
