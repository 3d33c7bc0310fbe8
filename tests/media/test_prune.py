"""The periodic prune: unattached uploads past their TTL and assets nothing uses any more go, with their files;
what a post or a profile uses stays. Running it twice changes nothing the second time."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.jobs.media import prune_media
from app.jobs.schedule import PERIODIC_JOBS
from app.models import MediaAsset, Post, User
from app.services import media_processing
from app.services.maintenance import last_outcome
from tests.factories.media import MediaAssetFactory, MediaPostFactory, PostMediaFactory

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=3)


def files_of(media_dir) -> set[str]:
    return {path.name for path in media_dir.iterdir()} if media_dir.exists() else set()


@pytest.fixture
def assets(app, make_user) -> dict[str, int]:
    owner = make_user(username="alice")
    with app.app_context():
        post = MediaPostFactory(author_id=owner)
        doomed_post = MediaPostFactory(author_id=owner)
        made = {
            "fresh_upload": MediaAssetFactory(owner_id=owner),
            "stale_upload": MediaAssetFactory(owner_id=owner, created_at=LONG_AGO),
            "in_post": MediaAssetFactory(owner_id=owner, created_at=LONG_AGO, attached_at=LONG_AGO),
            "in_deleted_post": MediaAssetFactory(owner_id=owner, created_at=LONG_AGO, attached_at=LONG_AGO),
            "avatar": MediaAssetFactory(owner_id=owner, created_at=LONG_AGO, attached_at=LONG_AGO),
            "background": MediaAssetFactory(owner_id=owner, created_at=LONG_AGO, attached_at=LONG_AGO),
            "replaced_avatar": MediaAssetFactory(owner_id=owner, created_at=LONG_AGO, attached_at=LONG_AGO),
            "just_unlinked": MediaAssetFactory(owner_id=owner, attached_at=NOW - timedelta(minutes=5)),
        }
        PostMediaFactory(post_id=post.id, media_id=made["in_post"].id)
        PostMediaFactory(post_id=doomed_post.id, media_id=made["in_deleted_post"].id)
        user = db.session.get(User, owner)
        user.avatar_id, user.background_id = made["avatar"].id, made["background"].id
        db.session.delete(db.session.get(Post, doomed_post.id))  # the link goes with it (ON DELETE CASCADE)
        db.session.commit()
        return {name: asset.id for name, asset in made.items()}


def remaining(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(db.select(MediaAsset.id)))


def test_prune_deletes_stale_uploads_and_orphans_with_their_files(app, assets, media_dir):
    before = files_of(media_dir)
    with app.app_context():
        gone_keys = {
            key
            for name in ("stale_upload", "in_deleted_post", "replaced_avatar")
            for key in db.session.get(MediaAsset, assets[name]).renditions.values()
        }

        removed = prune_media()

    assert removed == {"unattached": 1, "orphaned": 2, "files": 6}
    kept = {"fresh_upload", "in_post", "avatar", "background", "just_unlinked"}
    assert remaining(app) == {assets[name] for name in kept}
    assert files_of(media_dir) == before - gone_keys


def test_prune_twice_changes_nothing_the_second_time(app, assets, media_dir):
    with app.app_context():
        prune_media()
        files = files_of(media_dir)

        assert prune_media() == {"unattached": 0, "orphaned": 0, "files": 0}
    assert files_of(media_dir) == files


def test_the_ttl_is_configurable(app_factory, make_user):
    app = app_factory(MEDIA_UNATTACHED_TTL=60)
    owner = make_user(username="alice")
    with app.app_context():
        MediaAssetFactory(owner_id=owner, created_at=NOW - timedelta(minutes=2))

        assert media_processing.prune_media()["unattached"] == 1


def test_prune_runs_in_batches(app, make_user, monkeypatch):
    monkeypatch.setattr(media_processing, "PRUNE_BATCH", 2)
    owner = make_user(username="alice")
    with app.app_context():
        for _ in range(5):
            MediaAssetFactory(owner_id=owner, created_at=LONG_AGO, renditions={})

        assert media_processing.prune_media()["unattached"] == 5


def test_prune_is_scheduled_and_records_its_runs(app, assets):
    assert "app.jobs.media.prune_media" in {job.name for job in PERIODIC_JOBS}
    with app.app_context():
        prune_media()
        assert last_outcome("prune_media")["ok"] is True
