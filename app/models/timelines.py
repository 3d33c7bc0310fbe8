"""Home timelines, kept on write: one row per post per person whose `GET /feed/` shows it.

A post is copied (its id, author and instant) into its author's and each of their friends' timelines when it is
written (a group's post into its members' timelines; joining copies the group's recent posts in, leaving removes
them); befriending copies each one's recent posts into the other's timeline, unfriending and blocking remove
them. Reading a feed page is then one range of one index, however many posts and friends there are (the README
says why this was chosen over reading friends' posts at request time). The timeline decides what is *offered*;
privacy, blocks and moderation are still decided at read time, by the one visibility rule.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime


class FeedEntry(db.Model):
    __tablename__ = "feed_entries"
    __table_args__ = (Index("ix_feed_entries_post_id", "post_id"),)

    # The key is the feed's order: a page is a range of (owner_id, created_at, post_id).
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
