"""The media job's work: make an upload's renditions and settle its status; and prune what nothing uses.

Images become `display` (1280 px) and `thumb` (320 px), re-encoded without metadata, and the original is deleted:
it may carry where the photo was taken. Videos get a `poster` frame and a `thumb` (ffmpeg, re-encoded by Pillow)
and are kept as `video`, re-packaged without metadata; without ffmpeg a video is kept as uploaded, `no_preview`.
A file that cannot be decoded marks the asset `failed` with the reason, and its file is deleted.
"""

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, delete, exists, or_, select

from app.extensions import db
from app.integrations.storage import FileStorage
from app.lib.media_render import CannotRender, Ffmpeg, Rendered, render_image, render_video
from app.models import MediaAsset, MediaKind, MediaStatus, PostMedia, User
from app.services.media import EXTENSIONS, ORIGINAL, media_storage, new_key

log = logging.getLogger(__name__)

ORPHAN_GRACE = timedelta(hours=1)  # an attached asset nothing uses any more is pruned this long after attaching
PRUNE_BATCH = 500


@dataclass
class Outcome:
    status: str
    renditions: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    width: int | None = None
    height: int | None = None
    keeps_original: bool = False


def process_media(media_id: int, *, is_final_attempt: bool) -> str | None:
    """Make the renditions and settle the status; idempotent (a settled or deleted asset is left alone).
    A decoding failure is final at once; anything else (storage down) is retried, then failed."""
    asset = db.session.get(MediaAsset, media_id)
    if asset is None or asset.status != MediaStatus.PROCESSING:
        return None
    original = (asset.renditions or {}).get(ORIGINAL)
    storage = media_storage()
    saved: list[str] = []
    try:
        outcome = _produce(asset, original, storage, saved)
    except CannotRender as error:
        outcome = Outcome(MediaStatus.FAILED, error=str(error))
    except FileNotFoundError:
        outcome = Outcome(MediaStatus.FAILED, error="The uploaded file was lost before it could be processed.")
    except Exception as error:
        _delete_files(storage, saved)
        log.warning("media %s: processing failed (final: %s)", media_id, is_final_attempt, exc_info=error)
        if not is_final_attempt:
            raise
        outcome = Outcome(MediaStatus.FAILED, error=f"Processing failed: {type(error).__name__}.")
    return _settle(asset, original, outcome, storage)


def _produce(asset: MediaAsset, original: str | None, storage: FileStorage, saved: list[str]) -> Outcome:
    if original is None:
        raise FileNotFoundError(original)
    max_pixels = current_app.config["MEDIA_MAX_PIXELS"]
    if asset.kind == MediaKind.IMAGE:
        rendered = render_image(storage.read(original), max_pixels)
        return Outcome(MediaStatus.READY, _save(rendered, storage, saved), None, rendered.width, rendered.height)
    command = shutil.which(current_app.config["MEDIA_FFMPEG"])
    if command is None:
        return Outcome(MediaStatus.NO_PREVIEW, {"video": original}, keeps_original=True)
    ffmpeg = Ffmpeg(command, current_app.config["MEDIA_FFMPEG_TIMEOUT"])
    with tempfile.TemporaryDirectory(prefix="stride-media-") as folder:
        source = Path(folder) / f"source.{EXTENSIONS[asset.content_type]}"
        with storage.open(original) as stream, source.open("wb") as file:
            shutil.copyfileobj(stream, file)
        rendered, packaged = render_video(ffmpeg, source, asset.content_type, max_pixels)
        renditions = _save(rendered, storage, saved)
        with packaged.open("rb") as stream:
            renditions["video"] = storage.save_stream(new_key(packaged.suffix.lstrip(".")), stream)
        saved.append(renditions["video"])
    return Outcome(MediaStatus.READY, renditions, None, rendered.width, rendered.height)


def _save(rendered: Rendered, storage: FileStorage, saved: list[str]) -> dict[str, str]:
    keys = {}
    for rendition in rendered.renditions:
        keys[rendition.name] = storage.save(new_key(rendition.extension), rendition.data)
        saved.append(keys[rendition.name])
    return keys


def _settle(asset: MediaAsset, original: str | None, outcome: Outcome, storage: FileStorage) -> str:
    asset.status = outcome.status
    asset.renditions = outcome.renditions
    asset.error = outcome.error[:500] if outcome.error else None
    if outcome.width:
        asset.width, asset.height = outcome.width, outcome.height
    db.session.commit()
    if original and not outcome.keeps_original:
        _delete_files(storage, [original])  # after the commit: the row no longer names it
    log.info("media %s: %s", asset.id, outcome.status)
    return outcome.status


def _delete_files(storage: FileStorage, keys: list[str]) -> int:
    deleted = 0
    for key in keys:
        try:
            storage.delete(key)
            deleted += 1
        except Exception:  # a file left behind is harmless (never served); the pruning job must go on
            log.exception("could not delete stored media file %s", key)
    return deleted


# --- pruning --------------------------------------------------------------------------------------------------


def prune_media(now: datetime | None = None) -> dict[str, int]:
    """Delete uploads never used within MEDIA_UNATTACHED_TTL, and assets nothing uses any more (their post was
    deleted, or they were replaced as a profile image), with their files. Set-based and idempotent."""
    now = now or datetime.now(UTC)
    ttl = timedelta(seconds=current_app.config["MEDIA_UNATTACHED_TTL"])
    used = or_(
        exists().where(PostMedia.media_id == MediaAsset.id),
        exists().where(or_(User.avatar_id == MediaAsset.id, User.background_id == MediaAsset.id)),
    )
    conditions = {
        "unattached": and_(MediaAsset.attached_at.is_(None), MediaAsset.created_at < now - ttl),
        "orphaned": and_(MediaAsset.attached_at.is_not(None), MediaAsset.attached_at < now - ORPHAN_GRACE, ~used),
    }
    removed = {name: 0 for name in conditions}
    keys: list[str] = []
    for name, condition in conditions.items():
        while True:
            batch = db.session.scalars(select(MediaAsset.id).where(condition).limit(PRUNE_BATCH)).all()
            if not batch:
                break
            # The condition is checked again by the DELETE itself: an upload claimed meanwhile stays.
            statement = delete(MediaAsset).where(MediaAsset.id.in_(batch), condition)
            rows = db.session.execute(
                statement.returning(MediaAsset.renditions), execution_options={"synchronize_session": False}
            ).all()
            removed[name] += len(rows)
            keys += [key for (renditions,) in rows for key in (renditions or {}).values()]
            if len(batch) < PRUNE_BATCH:
                break
    db.session.commit()
    removed["files"] = _delete_files(media_storage(), keys)
    return removed
