"""Media assets: how they are shown and claimed by what uses them (posts, profiles).

A file is served at `/api/v1/media/<id>/<rendition>` only to people who may see what the asset is attached to;
an unattached upload only to its owner."""

from sqlalchemy import select

from app.errors import NotFound, RuleViolation
from app.extensions import db
from app.models import MediaAsset, MediaKind, MediaStatus, User
from app.models.base import utcnow

MAX_IMAGES_PER_POST = 10
USABLE = (MediaStatus.PROCESSING, MediaStatus.READY, MediaStatus.NO_PREVIEW)


def rendition_url(media_id: int, rendition: str) -> str:
    return f"/api/v1/media/{media_id}/{rendition}"


def media_view(asset: MediaAsset) -> dict:
    """`{id, kind, status, urls}`: a URL per rendition that exists (none until the job has made them)."""
    urls = {name: rendition_url(asset.id, name) for name in sorted(asset.renditions or {})}
    return {"id": asset.id, "kind": asset.kind, "status": asset.status, "urls": urls}


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
