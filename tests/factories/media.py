"""Media assets (ready, with real files in the configured media storage) and the posts that use them, made
directly as rows: the tests of media permissions do not depend on the posts service."""

from io import BytesIO

import factory
from PIL import Image

from app.models import PostMedia
from app.services.media import media_storage, new_key
from tests.factories.base import BaseFactory
from tests.factories.posts import PostFactory, ReadyImageFactory


def jpeg_bytes(size: tuple[int, int] = (48, 32), color: str = "green") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def stored_renditions(*names: str) -> dict[str, str]:
    """Save a small JPEG per rendition name in the media storage; `{name: key}`."""
    storage = media_storage()
    return {name: storage.save(new_key("jpg"), jpeg_bytes()) for name in names}


class MediaAssetFactory(ReadyImageFactory):
    """A ready image whose `display` and `thumb` files exist; unattached unless `attached_at` is given."""

    renditions = factory.LazyFunction(lambda: stored_renditions("display", "thumb"))


class MediaPostFactory(PostFactory):
    text = "A post with media"


class PostMediaFactory(BaseFactory):
    class Meta:
        model = PostMedia

    post_id = factory.LazyFunction(lambda: MediaPostFactory().id)
    position = 0
    media_id = factory.LazyFunction(lambda: MediaAssetFactory().id)
