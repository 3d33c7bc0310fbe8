import re

import marshmallow as ma
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from app.blueprints.common import BAD_CURSOR, Keyset, TimelineArgsSchema, timeline_schema
from app.blueprints.shared import PostSchema
from app.models import FeedEntry
from app.models.base import MAX_ID
from app.services.for_you import SnapshotCursor

# The timeline's own key, in its index's order; the items are posts, whose created_at and id carry the same values.
HOME = Keyset("feed", FeedEntry.created_at, FeedEntry.post_id, attributes=("created_at", "id"))

FeedPageSchema = timeline_schema(PostSchema)


class FeedArgsSchema(TimelineArgsSchema):
    """Newest first."""

    keyset = HOME


_SNAPSHOT = re.compile(r"[A-Za-z0-9_-]{1,64}")


class SnapshotCursors:
    """The for-you feed's cursors: a ranking snapshot, an offset into it and its owner, signed with SECRET_KEY and
    named like the keyset timelines' cursors, so a cursor of another list (or a forged one) is a 422 naming
    `cursor`. Whose it is and whether it expired is the service's call."""

    name = "for-you"

    def encode(self, cursor: SnapshotCursor) -> str:
        return _serializer().dumps([self.name, cursor.snapshot, cursor.offset, cursor.user_id])

    def decode(self, token: str) -> SnapshotCursor:
        try:
            payload = _serializer().loads(token)
        except BadData:
            raise ma.ValidationError(BAD_CURSOR) from None
        if not (isinstance(payload, list) and len(payload) == 4 and payload[0] == self.name):
            raise ma.ValidationError(BAD_CURSOR)
        _, snapshot, offset, user_id = payload
        if not (isinstance(snapshot, str) and _SNAPSHOT.fullmatch(snapshot) and _is_id(offset) and _is_id(user_id)):
            raise ma.ValidationError(BAD_CURSOR)
        return SnapshotCursor(snapshot, offset, user_id)


def _is_id(value) -> bool:
    return type(value) is int and 0 < value <= MAX_ID


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="cursor")


FOR_YOU = SnapshotCursors()


class ForYouArgsSchema(TimelineArgsSchema):
    """Ranked; later pages follow the first page's ranking."""

    keyset = FOR_YOU  # not a keyset: what the timeline arguments need of one is `decode`, which it has
