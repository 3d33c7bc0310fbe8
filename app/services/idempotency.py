"""Idempotency keys (SPEC §0): a creating POST sent again with the same `Idempotency-Key` and body within 24 hours
gets the first answer back and creates nothing; the same key with another body is refused.

The key is claimed in the request's own transaction, before the use case runs: the claim commits with what the
use case writes, or not at all, so a retry never finds a thing created without its key (nor a key without its
thing). A concurrent retry waits on the key's unique index until the first transaction ends, then finds the claim.
The answer is kept once the request has answered, encrypted with a key derived from SECRET_KEY (a registration's
answer carries tokens)."""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, RuleViolation
from app.extensions import db
from app.models import IdempotencyKey
from app.models.base import utcnow

KEPT_FOR = timedelta(hours=24)
HEADER = "Idempotency-Key"
IN_PROGRESS = "A request with this Idempotency-Key is still being answered; retry in a moment."
ANSWER_LOST = (
    "The request with this Idempotency-Key was carried out, but its answer was lost (the database failed as it "
    "answered): look its result up instead of retrying, or use a new key to do it again."
)
ANSWERED_WITHIN = timedelta(seconds=30)  # gunicorn's timeout: a claim unanswered longer is not still running
OTHER_REQUEST = "This Idempotency-Key was used with another request (method, path or body); use a new key."
UNREADABLE = "The first answer to this Idempotency-Key can no longer be replayed; use a new key."


@dataclass(frozen=True)
class Claim:
    """A caller's key (`scope`: "user:<id>", or "anonymous" for registration) and its request's fingerprint."""

    scope: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Answer:
    """A kept answer: its status, the headers a client needs (name, value pairs) and its body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def fingerprint(method: str, path: str, parts: list[bytes]) -> str:
    """SHA-256 over the method, the path with its query, and the request's content in canonical parts."""
    digest = hashlib.sha256(f"{method} {path}".encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(claim: Claim, now: datetime | None = None) -> Answer | None:
    """Claim the key for this request in the current transaction (flushed, not committed), or return the first
    answer to replay. Raises `RuleViolation` (422) for another request under the key, `Conflict` (409) while the
    first one is still being answered."""
    now = now or utcnow()
    for _attempt in range(2):
        found = _find(claim)
        if found is not None and found.expires_at <= now:
            db.session.delete(found)  # expired: the key is free again
            db.session.flush()
            found = None
        if found is not None:
            return _answer_of(found, claim.fingerprint)
        db.session.add(_record(claim, now))
        try:
            db.session.flush()
            return None
        except IntegrityError:
            db.session.rollback()  # another request claimed it first (and has committed): read its claim
    raise Conflict(IN_PROGRESS)


def keep(claim: Claim, answer: Answer) -> None:
    """Keep the answer to a claimed key, and commit (the claim too, when the use case did not commit)."""
    sealed = _fernet().encrypt(json.dumps({"headers": answer.headers, "body": answer.body.decode("latin-1")}).encode())
    values = {"status_code": answer.status, "response": sealed}
    kept = db.session.execute(
        update(IdempotencyKey).where(_is(claim), IdempotencyKey.status_code.is_(None)).values(values)
    ).rowcount
    if not kept:  # the use case rolled its transaction back and still answered 2xx: claim and keep at once
        db.session.add(_record(claim, utcnow(), **values))
    db.session.commit()


def release(claim: Claim) -> None:
    """Free a key whose request failed (an error is not kept: a retry runs again)."""
    db.session.rollback()
    db.session.execute(delete(IdempotencyKey).where(_is(claim), IdempotencyKey.status_code.is_(None)))
    db.session.commit()


def prune(now: datetime) -> int:
    """Delete the keys older than 24 hours."""
    return db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now)).rowcount


def _is(claim: Claim):
    return (IdempotencyKey.scope == claim.scope) & (IdempotencyKey.key == claim.key)


def _find(claim: Claim) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(_is(claim)))


def _record(claim: Claim, now: datetime, **values) -> IdempotencyKey:
    return IdempotencyKey(
        scope=claim.scope, key=claim.key, fingerprint=claim.fingerprint, expires_at=now + KEPT_FOR, **values
    )


def _answer_of(found: IdempotencyKey, fingerprint: str) -> Answer:
    if found.fingerprint != fingerprint:
        raise RuleViolation(OTHER_REQUEST, {"headers": {HEADER: [OTHER_REQUEST]}})
    if found.status_code is None:
        raise Conflict(IN_PROGRESS if utcnow() - found.created_at < ANSWERED_WITHIN else ANSWER_LOST)
    try:
        kept = json.loads(_fernet().decrypt(found.response))
    except InvalidToken as error:  # SECRET_KEY changed since
        raise Conflict(UNREADABLE) from error
    return Answer(found.status_code, [tuple(pair) for pair in kept["headers"]], kept["body"].encode("latin-1"))


def _fernet() -> Fernet:
    secret = hashlib.sha256(b"stride idempotency answers\0" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(secret))
