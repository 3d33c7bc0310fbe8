"""Uploaded images and videos, and the renditions a background job makes of them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class MediaStatus(StrEnum):
    PROCESSING = "processing"  # uploaded; the job has not finished
    READY = "ready"  # every rendition exists
    NO_PREVIEW = "no_preview"  # a video kept as uploaded: no tool to make its poster frame here
    FAILED = "failed"  # the job could not decode it; nothing but the row remains


class MediaAsset(db.Model):
    """One upload. Files are stored under random keys (`renditions`: name → storage key) and served only to
    people who may see what the asset is attached to. `attached_at` is null until a post or a profile uses it;
    unattached uploads are pruned."""

    __tablename__ = "media_assets"
    __table_args__ = (
        CheckConstraint(enum_check("kind", MediaKind), name="kind"),
        CheckConstraint(enum_check("status", MediaStatus), name="status"),
        Index("ix_media_assets_owner_id", "owner_id"),
        Index("ix_media_assets_attached_at_created_at", "attached_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=MediaStatus.PROCESSING)
    content_type: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    renditions: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
