"""Media jobs: process an upload (retried with backoff; a file that cannot be decoded fails at once), and prune
uploads nothing uses."""

from app.jobs.periodic import periodic
from app.jobs.reports import is_final_attempt
from app.services import media_processing


def process_media(media_id: int) -> str | None:
    """Make the upload's renditions and mark it ready, no_preview or failed; idempotent."""
    return media_processing.process_media(media_id, is_final_attempt=is_final_attempt())


@periodic
def prune_media() -> dict[str, int]:
    """Delete unattached uploads past MEDIA_UNATTACHED_TTL and assets nothing uses any more, with their files."""
    return media_processing.prune_media()
