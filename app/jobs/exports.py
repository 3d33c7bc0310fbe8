"""Data export jobs: build a person's zip; retried like reports."""

from app.jobs.reports import is_final_attempt
from app.services import exports


def build_export(export_id: int) -> str | None:
    """Build and store the export; the service keeps its status true whatever happens."""
    return exports.build_export(export_id, is_final_attempt=is_final_attempt())
