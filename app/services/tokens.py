"""JWTs: issuing token pairs, and the revocation list in Redis (shared by every web process at once).

Keys expire with the tokens they describe, so the list never outgrows the live tokens.
"""

import re
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from app.errors import Unauthorized
from app.extensions import db, redis_store
from app.models import AuthSession, User
from app.models.base import MAX_ID

REVOKED_SESSION = "stride:auth:revoked-session:{}"
REVOKED_TOKEN = "stride:auth:revoked-token:{}"
USED_REFRESH = "stride:auth:used-refresh:{}"
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # auth_sessions.id is a String(32)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


ENROL_MFA = "mfa_enrolment"  # a claim: the role needs a second factor and has none; see app.security


def issue_pair(user_id: int, session_id: str, *, enrol_mfa: bool = False) -> TokenPair:
    claims: dict = {"sid": session_id}
    if enrol_mfa:
        claims[ENROL_MFA] = True
    identity = str(user_id)
    lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return TokenPair(
        access_token=create_access_token(identity=identity, additional_claims=claims),
        refresh_token=create_refresh_token(identity=identity, additional_claims=claims),
        expires_in=int(lifetime.total_seconds()),
    )


def issue_access_token(user_id: str, session_id: str) -> str:
    return create_access_token(identity=user_id, additional_claims={"sid": session_id})


def renew_access_token(payload: dict) -> str:
    """A fresh access token with the same subject, session and restrictions (cookie mode's implicit refresh)."""
    claims = {name: payload[name] for name in ("sid", ENROL_MFA) if name in payload}
    return create_access_token(identity=payload["sub"], additional_claims=claims)


def _seconds_left(exp: float) -> int:
    return max(1, int(exp - time.time()) + 1)


def require_store() -> None:
    """Issue no tokens that could not be revoked: a Redis failure raises (→ 503)."""
    redis_store.client.ping()


def is_revoked(payload: dict) -> bool:
    """True when the token itself or its whole session was revoked. Redis errors propagate (→ 503)."""
    keys = [REVOKED_TOKEN.format(payload["jti"])]
    if payload.get("sid"):
        keys.append(REVOKED_SESSION.format(payload["sid"]))
    return redis_store.client.exists(*keys) > 0


def revoke_token(payload: dict) -> None:
    redis_store.client.set(REVOKED_TOKEN.format(payload["jti"]), 1, ex=_seconds_left(payload["exp"]))


def revoke_sessions_in_redis(sessions: list[AuthSession]) -> None:
    """Kill every access and refresh token of these sessions at once, in every process."""
    if not sessions:
        return
    with redis_store.client.pipeline(transaction=False) as pipe:
        for session in sessions:
            pipe.set(REVOKED_SESSION.format(session.id), 1, ex=_seconds_left(session.expires_at.timestamp()))
        pipe.execute()


def claim_refresh_token(payload: dict) -> bool:
    """Mark a refresh token used, atomically; False means it had been used before (reuse)."""
    key = USED_REFRESH.format(payload["jti"])
    return bool(redis_store.client.set(key, 1, nx=True, ex=_seconds_left(payload["exp"])))


def subject_id(payload: dict) -> int | None:
    """The user id a token's `sub` names, or None when it names none (a token we did not issue)."""
    sub = payload.get("sub")
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 10):
        return None
    return int(sub) if 1 <= int(sub) <= MAX_ID else None


def has_sane_claims(payload: dict) -> bool:
    """Claims we can look up safely: a user id for `sub`, a session id for `sid` when present."""
    sid = payload.get("sid")
    return subject_id(payload) is not None and (sid is None or (isinstance(sid, str) and bool(_SESSION_ID.match(sid))))


def user_from_access_token(token: str | None) -> User:
    return verify_access_token(token)[0]


def verify_access_token(token: str | None) -> tuple[User, dict]:
    """The same checks as a protected route (signature, expiry, type, revocation, live account),
    for callers outside a request's JWT machinery, such as a Socket.IO `connect` with `auth: {token}`."""
    if not token:
        raise Unauthorized("An access token is required.")
    try:
        payload = decode_token(token)
    except Exception as exc:  # expired, bad signature, malformed: all the same to the caller
        raise Unauthorized(f"The access token is not valid: {exc}.") from exc
    if payload.get("type") != "access":
        raise Unauthorized("An access token is required, not a refresh token.")
    if not has_sane_claims(payload):
        raise Unauthorized("The access token was refused.")
    if is_revoked(payload):
        raise Unauthorized("The access token has been revoked.")
    if payload.get(ENROL_MFA):
        raise Unauthorized("Your role needs a second factor: turn one on, then refresh your tokens.")
    user = db.session.get(User, subject_id(payload))
    if user is None or not user.is_active:
        raise Unauthorized("The account no longer exists or is inactive.")
    return user, payload


def session_expiry(now: datetime) -> datetime:
    return now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
