"""`PUT /profile/avatar/` and `/profile/background/`: one of the caller's images, never someone else's or a post's."""

import pytest

from app.extensions import db
from app.models import MediaAsset, MediaKind, MediaStatus, User
from app.models.base import utcnow
from tests.factories.media import MediaAssetFactory, MediaPostFactory, PostMediaFactory
from tests.media.conftest import image_bytes, upload

SLOTS = ["avatar", "background"]


@pytest.fixture
def alice(make_user, headers_of):
    make_user(username="alice")
    return headers_of("alice")


@pytest.fixture
def alice_id(app, alice) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.username == "alice"))


def put(client, headers, slot, body):
    return client.put(f"/api/v1/profile/{slot}/", json=body, headers=headers)


@pytest.mark.parametrize("slot", SLOTS)
def test_an_uploaded_image_becomes_the_profile_image(app, client, alice, alice_id, slot):
    media_id = upload(client, alice, image_bytes(), "me.jpg").json["id"]

    response = put(client, alice, slot, {"media_id": media_id})

    assert response.status_code == 200, response.json
    url = f"/api/v1/media/{media_id}/display"
    assert response.json[slot] == url and response.json[f"{slot}_id"] == media_id
    with app.app_context():
        user = db.session.get(User, alice_id)
        assert (getattr(user, slot), getattr(user, f"{slot}_id")) == (url, media_id)
        assert db.session.get(MediaAsset, media_id).attached_at is not None
    assert client.get(url, headers=alice).status_code == 200


def test_one_image_may_be_both_avatar_and_background_and_set_again(client, alice):
    media_id = upload(client, alice, image_bytes(), "me.jpg").json["id"]

    assert put(client, alice, "avatar", {"media_id": media_id}).status_code == 200
    assert put(client, alice, "background", {"media_id": media_id}).status_code == 200
    assert put(client, alice, "avatar", {"media_id": media_id}).status_code == 200
    assert client.delete("/api/v1/profile/avatar/", headers=alice).status_code == 204
    assert put(client, alice, "avatar", {"media_id": media_id}).status_code == 200  # attached, but to nothing else


@pytest.mark.parametrize("slot", SLOTS)
def test_deleting_clears_the_profile_image(app, client, alice, alice_id, slot):
    media_id = upload(client, alice, image_bytes(), "me.jpg").json["id"]
    put(client, alice, slot, {"media_id": media_id})

    assert client.delete(f"/api/v1/profile/{slot}/", headers=alice).status_code == 204
    assert client.delete(f"/api/v1/profile/{slot}/", headers=alice).status_code == 204  # again: still none

    with app.app_context():
        user = db.session.get(User, alice_id)
        assert getattr(user, slot) is None and getattr(user, f"{slot}_id") is None


def test_someone_elses_image_is_404(app, client, alice, make_user):
    with app.app_context():
        other = MediaAssetFactory(owner_id=make_user(username="bob")).id

    assert put(client, alice, "avatar", {"media_id": other}).status_code == 404
    assert put(client, alice, "avatar", {"media_id": 999_999}).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": MediaKind.VIDEO, "content_type": "video/mp4"}, "Only an image"),
        ({"status": MediaStatus.FAILED, "renditions": {}}, "failed"),
    ],
)
def test_a_video_or_a_failed_upload_is_422_naming_media_id(app, client, alice, alice_id, fields, message):
    with app.app_context():
        media_id = MediaAssetFactory(owner_id=alice_id, **fields).id

    response = put(client, alice, "avatar", {"media_id": media_id})

    assert response.status_code == 422
    assert message in response.json["errors"]["json"]["media_id"][0]


def test_a_posts_image_is_422(app, client, alice, alice_id):
    with app.app_context():
        post = MediaPostFactory(author_id=alice_id)
        media_id = PostMediaFactory(post_id=post.id, media_id=MediaAssetFactory(owner_id=alice_id).id).media_id
        db.session.get(MediaAsset, media_id).attached_at = utcnow()
        db.session.commit()

    response = put(client, alice, "avatar", {"media_id": media_id})

    assert response.status_code == 422
    assert "post" in response.json["errors"]["json"]["media_id"][0]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"media_id": None},
        {"media_id": "one"},
        {"media_id": [1]},
        {"media_id": 0},
        {"media_id": 2**80},
        {"media_id": 1, "extra": 1},
    ],
)
def test_a_bad_body_is_422(client, alice, body):
    response = put(client, alice, "avatar", body)

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) <= {"media_id", "extra"}


def test_profile_images_need_a_login(client):
    assert client.put("/api/v1/profile/avatar/", json={"media_id": 1}).status_code == 401
    assert client.delete("/api/v1/profile/background/").status_code == 401
