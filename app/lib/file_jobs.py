"""Files made by background jobs (reports, data exports): the status a row keeps while its job runs,
the retry policy, and handing a finished file out as a download.

The status goes queued → running → done, or failed with a reason once every retry has failed; a failed
attempt that will be retried goes back to queued, never stays running.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Protocol

from flask import Response, current_app, send_file
from rq import Retry

from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import FileStatus
from app.models.base import utcnow
from app.queueing import DEFAULT_RETRY

log = logging.getLogger(__name__)

MIMETYPES = {"csv": "text/csv", "pdf": "application/pdf", "html": "text/html", "zip": "application/zip"}


class Readable(Protocol):
    def read(self, key: str) -> bytes: ...


@dataclass(frozen=True)
class Download:
    data: bytes
    mimetype: str
    filename: str


def job_retry() -> Retry:
    """The queue's default backoff, unless REPORT_RETRY_INTERVALS overrides it (tests use zeros)."""
    intervals = current_app.config.get("REPORT_RETRY_INTERVALS")
    if intervals is None:
        return DEFAULT_RETRY
    return Retry(max=len(intervals), interval=list(intervals))


def run_tracked(model: type, row_id: int, *, is_final_attempt: bool, produce: Callable) -> str | None:
    """Run `produce(row)` → storage key, keeping the row's status true at every step; idempotent
    (a settled row is left alone)."""
    row = db.session.get(model, row_id)
    if row is None or row.status in (FileStatus.DONE, FileStatus.FAILED):
        return None
    row.status = FileStatus.RUNNING
    row.attempts = (row.attempts or 0) + 1
    db.session.commit()
    try:
        key = produce(row)
    except Exception as error:
        db.session.rollback()
        _record_failure(model, row_id, error, is_final_attempt)
        raise
    row.status = FileStatus.DONE
    row.file_key = key
    row.error = None
    row.finished_at = utcnow()
    db.session.commit()
    return key


def _record_failure(model: type, row_id: int, error: Exception, is_final_attempt: bool) -> None:
    """Back to queued while a retry is coming; failed, with a reason, after the last one."""
    log.warning("%s %s: attempt failed (final: %s)", model.__tablename__, row_id, is_final_attempt, exc_info=error)
    row = db.session.get(model, row_id)
    if row is None:
        return
    # The reason names the kind of error only: its text may carry internals (paths, SQL).
    reason = f"Rendering failed after {row.attempts} attempt(s): {type(error).__name__}."
    row.status = FileStatus.FAILED if is_final_attempt else FileStatus.QUEUED
    row.error = reason
    if is_final_attempt:
        row.finished_at = utcnow()
    db.session.commit()


def read_finished(row, storage: Readable, noun: str) -> bytes:
    """The stored file of a finished row (a report, an export); 409 while it is not done."""
    if row.status == FileStatus.FAILED:
        raise Conflict(f"The {noun} failed and has no file; ask for a new one. {row.error or ''}".strip())
    if row.status != FileStatus.DONE:
        raise Conflict(f"The {noun} is not ready yet: it is {row.status}.")
    try:
        return storage.read(row.file_key)
    except FileNotFoundError:
        raise NotFound(f"The {noun}'s file is no longer stored; ask for a new one.") from None


def send_download(download: Download) -> Response:
    """The file as an attachment, for a route to return."""
    return send_file(
        BytesIO(download.data), mimetype=download.mimetype, as_attachment=True, download_name=download.filename
    )
