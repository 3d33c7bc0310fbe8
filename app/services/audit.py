"""The security audit log: who did what to which account, from where."""

from dataclasses import dataclass

from app.extensions import db
from app.models import AuditEvent, AuditType


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from; routes build it, services record it."""

    ip: str | None = None
    user_agent: str | None = None

    def trimmed(self) -> "ClientInfo":
        return ClientInfo((self.ip or "")[:45] or None, (self.user_agent or "")[:255] or None)


def record(
    type: AuditType,
    *,
    user_id: int | None = None,
    actor_id: int | None = None,
    client: ClientInfo | None = None,
    **details,
) -> AuditEvent:
    """Add an event to the current transaction; the use case's commit stores it."""
    client = (client or ClientInfo()).trimmed()
    event = AuditEvent(
        type=type,
        user_id=user_id,
        actor_id=actor_id,
        ip=client.ip,
        user_agent=client.user_agent,
        details=details,
    )
    db.session.add(event)
    return event


def list_events(*, user_id: int | None = None, type: str | None = None):
    """Newest first, as a select for pagination."""
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc())
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if type is not None:
        query = query.where(AuditEvent.type == type)
    return query
