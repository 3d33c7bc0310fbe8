"""Media assets: uploads, who may see them, how they are shown, and their use by posts and profiles.

An upload is judged by its content (app/lib/media_probe.py), stored under a random key and processed by a job
(app/services/media_processing.py). A file is served at `/api/v1/media/<id>/<rendition>` only to people who may see
what the asset is attached to: a post's media to whoever may see the post, a profile picture or background to
anyone the person has not blocked (and who has not blocked them), an unattached upload only to its owner.
"""

import logging
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from typing import BinaryIO

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import aliased
from werkzeug.datastructures import FileStorage as Upload

from app.errors import DomainError, NotFound, RuleViolation
from app.extensions import db
from app.integrations.storage import FileStorage, storage_for
from app.lib.media_probe import TooManyPixels, UnknownContent, probe
from app.models import MediaAsset, MediaKind, MediaStatus, Post, PostMedia, User
from app.models.base import utcnow
from app.queueing import JobName, enqueue
from app.services import visibility
from app.transactions import lock_for_write

log = logging.getLogger(__name__)

MAX_IMAGES_PER_POST = 10
USABLE = (MediaStatus.PROCESSING, MediaStatus.READY, MediaStatus.NO_PREVIEW)
ORIGINAL = "original"  # the upload as received: kept only until the job has made the renditions
RENDITIONS = ("display", "thumb", "poster", "video")  # what is ever shown or served
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/x-m4v": "m4v",
    "video/quicktime": "mov",
    "video/webm": "webm",
}
CONTENT_TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}
MULTIPART_SLACK = 64 * 1024  # the request around the file: boundaries and part headers
MIB = 1024 * 1024
FILE_FIELD = "file"
# Built once: an alias built per statement costs more than running it (it adapts its columns again each time).
_POST_AUTHOR = aliased(User, name="post_author")
_PICTURED = aliased(User, name="pictured")


class UploadTooLarge(DomainError):
    code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


class UnsupportedMedia(DomainError):
    code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


# --- views ----------------------------------------------------------------------------------------------------


def rendition_url(media_id: int, rendition: str) -> str:
    return f"/api/v1/media/{media_id}/{rendition}"


def media_view(asset: MediaAsset) -> dict:
    """`{id, kind, status, urls}`: a URL per rendition that exists (none until the job has made them)."""
    names = sorted(name for name in asset.renditions or {} if name in RENDITIONS)
    urls = {name: rendition_url(asset.id, name) for name in names}
    return {"id": asset.id, "kind": asset.kind, "status": asset.status, "urls": urls}


def media_detail(asset: MediaAsset) -> dict:
    """The view, plus what its owner needs to know: why processing failed, and the size."""
    return {**media_view(asset), "error": asset.error, "width": asset.width, "height": asset.height}


def media_storage() -> FileStorage:
    return storage_for("MEDIA_STORAGE_URL")


def new_key(extension: str) -> str:
    """A random storage name: nothing of the uploaded file's name, and not guessable."""
    return f"{secrets.token_urlsafe(24)}.{extension}"


# --- upload ---------------------------------------------------------------------------------------------------


def upload_request_limit() -> int:
    """The largest upload request accepted (the app's MAX_CONTENT_LENGTH is for JSON bodies)."""
    config = current_app.config
    return max(config["MEDIA_MAX_IMAGE_BYTES"], config["MEDIA_MAX_VIDEO_BYTES"]) + MULTIPART_SLACK


def upload_media(owner: User, upload: Upload) -> MediaAsset:
    """Check the file by its content, store it under a random key and queue its processing (202: poll the view)."""
    stream = upload.stream
    size = _size(stream)
    if size == 0:
        raise RuleViolation("The file is empty.", {"files": {FILE_FIELD: ["The file is empty."]}})
    config = current_app.config
    limits = {MediaKind.IMAGE: config["MEDIA_MAX_IMAGE_BYTES"], MediaKind.VIDEO: config["MEDIA_MAX_VIDEO_BYTES"]}
    if size > max(limits.values()):
        raise UploadTooLarge(f"The file is larger than {max(limits.values()) // MIB} MiB.")
    found = _probe(stream, config["MEDIA_MAX_PIXELS"])
    if size > limits[found.kind]:
        raise UploadTooLarge(f"An {found.kind} may be at most {limits[found.kind] // MIB} MiB.")
    storage = media_storage()
    key = storage.save_stream(new_key(EXTENSIONS[found.content_type]), stream)
    asset = MediaAsset(
        owner_id=owner.id,
        kind=found.kind,
        status=MediaStatus.PROCESSING,
        content_type=found.content_type,
        byte_size=size,
        width=found.width,
        height=found.height,
        renditions={ORIGINAL: key},
    )
    try:
        db.session.add(asset)
        db.session.flush()
        enqueue(JobName.PROCESS_MEDIA, asset.id, job_id=f"media-{asset.id}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.delete(key)
        raise
    return asset


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _probe(stream: BinaryIO, max_pixels: int):
    try:
        return probe(stream, max_pixels)
    except UnknownContent:
        raise UnsupportedMedia(
            "Only JPEG, PNG, WebP or GIF images and MP4 or WebM videos are accepted (judged by the content)."
        ) from None
    except TooManyPixels:
        message = f"The image has more than {max_pixels:,} pixels; send a smaller one."
        raise RuleViolation(message, {"files": {FILE_FIELD: [message]}}) from None


# --- who may see an asset -------------------------------------------------------------------------------------


def viewable_by(viewer: User) -> ColumnElement[bool]:
    """SQL over `MediaAsset`: the viewer's own uploads, the media of posts the viewer may see, and the profile
    pictures and backgrounds of people not blocked either way."""
    author = _POST_AUTHOR
    on_post = (
        select(PostMedia.media_id)
        .join(Post, Post.id == PostMedia.post_id)
        .join(author, author.id == Post.author_id)
        .where(
            PostMedia.media_id == MediaAsset.id,
            or_(  # as posts.seen_by: a group's post by the group's rule, the others by their privacy
                and_(
                    Post.group_id.is_(None),
                    visibility.visible_to(viewer, owner_id=Post.author_id, privacy=Post.visibility),
                ),
                and_(
                    Post.group_id.is_not(None),
                    visibility.visible_in_group_to(viewer, owner_id=Post.author_id, group_id=Post.group_id),
                ),
            ),
            visibility.not_hidden_from(viewer, Post.hidden_at, Post.author_id),
            or_(author.is_active, author.id == viewer.id),
        )
        .exists()
    )
    person = _PICTURED
    on_profile = exists().where(
        or_(person.avatar_id == MediaAsset.id, person.background_id == MediaAsset.id),
        or_(person.id == viewer.id, person.is_active),
        true() if visibility.is_staff(viewer) else visibility.not_blocked(viewer, person.id),
    )
    return or_(MediaAsset.owner_id == viewer.id, on_post, on_profile)


def get_media_for(viewer: User, media_id: int) -> MediaAsset:
    """Fetch and authorise: an asset the viewer may not see does not exist for them (404)."""
    asset = db.session.scalar(select(MediaAsset).where(MediaAsset.id == media_id, viewable_by(viewer)))
    if asset is None:
        raise NotFound("No such media.")
    return asset


@dataclass(frozen=True)
class MediaFile:
    stream: BinaryIO
    content_type: str
    key: str  # unique to this file's content: an ETag


def media_file_for(viewer: User, media_id: int, rendition: str) -> MediaFile:
    """An open stream of one rendition, for a viewer who may see the asset; 404 otherwise or while it is missing."""
    if rendition not in RENDITIONS:
        raise NotFound("No such rendition.")
    asset = get_media_for(viewer, media_id)
    key = (asset.renditions or {}).get(rendition)
    if key is None:
        raise NotFound(f"This {asset.kind} has no {rendition} rendition ({asset.status}).")
    try:
        stream = media_storage().open(key)
    except FileNotFoundError:
        log.error("media %s: the file of rendition %s is missing from storage", asset.id, rendition)
        raise NotFound("The file is no longer stored.") from None
    return MediaFile(stream, CONTENT_TYPES.get(key.rpartition(".")[2], "application/octet-stream"), key)


# --- use by profiles ------------------------------------------------------------------------------------------

PROFILE_IMAGES = {"avatar": ("avatar_id", "avatar"), "background": ("background_id", "background")}


def set_profile_image(user: User, slot: str, media_id: int) -> User:
    """Make one of the caller's images their avatar or background (a URL of its display size on the profile).
    The image may be a fresh upload or one of their profile images already, never a post's."""
    id_attribute, url_attribute = PROFILE_IMAGES[slot]
    lock_for_write(db.session)
    asset = db.session.scalar(
        select(MediaAsset).where(MediaAsset.id == media_id, MediaAsset.owner_id == user.id).with_for_update()
    )
    if asset is None:
        raise NotFound(f"No such upload: {media_id}.")
    if asset.kind != MediaKind.IMAGE:
        raise RuleViolation(f"Only an image can be your {slot}.", field="media_id")
    if asset.status not in USABLE:
        raise RuleViolation("This upload failed to process and cannot be used.", field="media_id")
    if db.session.scalar(select(exists().where(PostMedia.media_id == asset.id))):
        raise RuleViolation("This upload belongs to a post; upload the image again.", field="media_id")
    setattr(user, id_attribute, asset.id)
    setattr(user, url_attribute, rendition_url(asset.id, "display"))
    asset.attached_at = utcnow()  # (re)attached now: the orphan pruner's grace starts again
    db.session.commit()
    return user


def clear_profile_image(user: User, slot: str) -> None:
    """Remove the avatar or background; the image itself is pruned later if nothing else uses it."""
    id_attribute, url_attribute = PROFILE_IMAGES[slot]
    setattr(user, id_attribute, None)
    setattr(user, url_attribute, None)
    db.session.commit()


# --- use by posts ---------------------------------------------------------------------------------------------


def claim_for_post(owner: User, media_ids: list[int], field: str = "media_ids") -> list[MediaAsset]:
    """The owner's unattached, usable uploads in the order given, marked attached (the caller commits): up to
    10 images or one video, never both. Someone else's upload is "no such upload", as if it did not exist."""
    if not media_ids:
        return []
    if len(set(media_ids)) != len(media_ids):
        raise RuleViolation("The same upload is listed twice.", field=field)
    found = db.session.scalars(
        select(MediaAsset).where(MediaAsset.id.in_(media_ids), MediaAsset.owner_id == owner.id).with_for_update()
    ).all()
    by_id = {asset.id: asset for asset in found}
    missing = [media_id for media_id in media_ids if media_id not in by_id]
    if missing:
        raise NotFound(f"No such upload: {missing[0]}.")
    assets = [by_id[media_id] for media_id in media_ids]
    _check_post_media(assets, field)
    now = utcnow()
    for asset in assets:
        asset.attached_at = now
    return assets


def _check_post_media(assets: list[MediaAsset], field: str) -> None:
    if any(asset.attached_at is not None for asset in assets):
        raise RuleViolation("An upload is already used elsewhere; upload it again.", field=field)
    if any(asset.status not in USABLE for asset in assets):
        raise RuleViolation("An upload failed to process and cannot be used.", field=field)
    videos = [asset for asset in assets if asset.kind == MediaKind.VIDEO]
    if videos and len(assets) > 1:
        raise RuleViolation("A post has up to 10 images or one video, not both.", field=field)
    if len(assets) > MAX_IMAGES_PER_POST:
        raise RuleViolation("A post has at most 10 images.", field=field)
