"""Media assets (ready, with real files in the configured media storage) and the posts that use them, made
directly as rows: the tests of media permissions do not depend on the posts service."""

from io import BytesIO

import factory
from PIL import Image

from app.models import MediaAsset, MediaKind, MediaStatus, Post, PostMedia, Privacy
from app.services.media import media_storage, new_key
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


def jpeg_bytes(size: tuple[int, int] = (48, 32), color: str = "green") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def stored_renditions(*names: str) -> dict[str, str]:
    """Save a small JPEG per rendition name in the media storage; `{name: key}`."""
    storage = media_storage()
    return {name: storage.save(new_key("jpg"), jpeg_bytes()) for name in names}


class MediaAssetFactory(BaseFactory):
    """A ready image whose `display` and `thumb` files exist; unattached unless `attached_at` is given."""

    class Meta:
        model = MediaAsset

    owner_id = factory.LazyFunction(owner_id)
    kind = MediaKind.IMAGE
    status = MediaStatus.READY
    content_type = "image/jpeg"
    byte_size = 1000
    width = 48
    height = 32
    renditions = factory.LazyFunction(lambda: stored_renditions("display", "thumb"))


class MediaPostFactory(BaseFactory):
    class Meta:
        model = Post

    author_id = factory.LazyFunction(owner_id)
    text = "A post with media"
    visibility = Privacy.PUBLIC


class PostMediaFactory(BaseFactory):
    class Meta:
        model = PostMedia

    post_id = factory.LazyFunction(lambda: MediaPostFactory().id)
    position = 0
    media_id = factory.LazyFunction(lambda: MediaAssetFactory().id)
