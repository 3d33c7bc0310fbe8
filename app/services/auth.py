"""Authentication use cases: registration, login, token rotation, sessions, password and email flows."""

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, or_, select, update

from app.errors import Conflict, NotFound, RuleViolation, Unauthorized
from app.extensions import db
from app.integrations import mail
from app.models import AuditType, AuthSession, OneTimeToken, Role, TokenPurpose, User
from app.models.base import utcnow
from app.models.users import password_hasher
from app.queueing import JobName, Live, emit, enqueue
from app.services import audit, mfa, notifications, tokens
from app.services.audit import ClientInfo
from app.services.tokens import TokenPair
from app.transactions import lock_for_write

BAD_CREDENTIALS = "Invalid username or password."


# --- registration and login -------------------------------------------------------------------------


def register(data: dict, client: ClientInfo) -> tuple[User, TokenPair]:
    """Create the account and log it in at once."""
    tokens.require_store()
    user = _add_user(data, Role.USER)
    session = _start_session(user, client)
    audit.record(AuditType.REGISTER, user_id=user.id, client=client)
    return user, _commit_and_issue(user, session)


def create_user(data: dict, role: Role) -> User:
    """Operators: an account with a role and no session; `data` is validated like a registration."""
    user = _add_user(data, role)
    audit.record(AuditType.REGISTER, user_id=user.id, via="cli", role=str(role))
    db.session.commit()
    return user


def _add_user(data: dict, role: Role) -> User:
    data = dict(data)
    password = data.pop("password")
    data["username"], data["email"] = data["username"].lower(), data["email"].lower()
    ensure_unique_identity(data["username"], data["email"])
    user = User(**data, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def ensure_unique_identity(username: str | None, email: str | None, exclude_id: int | None = None) -> None:
    """Name the field that clashes (the unique constraints still guard against races: → 409)."""
    for field, value in (("username", username), ("email", email)):
        if value is None:
            continue
        query = select(User.id).where(getattr(User, field) == value)
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if db.session.scalar(query) is not None:
            raise Conflict(f"That {field} is already taken.", {"json": {field: ["Already taken."]}})


def login_limit_key(identifier: str) -> str:
    """What failed logins are counted against: the account they name, so its username and email share one
    budget; when no account matches, the normalised identifier."""
    identifier = identifier.strip().lower()[:254]
    found = select(User.id).where(or_(User.username == identifier, User.email == identifier))
    user_id = db.session.scalar(found) if identifier else None
    return f"user:{user_id}" if user_id is not None else f"name:{identifier}"


def login(identifier: str, password: str, client: ClientInfo) -> tuple[User, TokenPair] | dict:
    """Log in by username or email. Every failure answers the same, so accounts cannot be enumerated.

    An account with a second factor gets a challenge (`mfa.open_challenge`) instead of tokens: `finish_login`
    answers it."""
    tokens.require_store()
    identifier = identifier.strip().lower()
    user = db.session.scalar(select(User).where(or_(User.username == identifier, User.email == identifier)))
    if user is None:
        _spend_a_hash(password)  # take as long as a real check does
        audit.record(AuditType.LOGIN_FAILED, client=client, identifier=identifier[:254], reason="unknown")
        db.session.commit()
        raise Unauthorized(BAD_CREDENTIALS)
    if not user.check_password(password) or not user.is_active:
        reason = "password" if user.is_active else "inactive"
        audit.record(AuditType.LOGIN_FAILED, user_id=user.id, client=client, reason=reason)
        db.session.commit()
        raise Unauthorized(BAD_CREDENTIALS)
    methods = mfa.methods_of(user)
    if methods:
        challenge = mfa.open_challenge(user, methods)
        audit.record(AuditType.MFA_CHALLENGED, user_id=user.id, client=client, methods=methods)
        db.session.commit()  # a rehashed password is kept
        return challenge
    return _complete_login(user, client)


def finish_login(mfa_token: str, code: str, client: ClientInfo) -> tuple[User, TokenPair]:
    """The second step of a login that needs a second factor: a TOTP, Telegram or recovery code."""
    tokens.require_store()
    user, method = mfa.answer_challenge(mfa_token, code, client)
    return _complete_login(user, client, mfa=method)


def _complete_login(user: User, client: ClientInfo, **details) -> tuple[User, TokenPair]:
    user.last_login = utcnow()
    if _is_new_device(user, client):
        notifications.notify_account(
            user,
            f"New login to your account from {client.user_agent or 'an unknown device'} "
            f"({client.ip or 'unknown address'}). If it was not you, change your password.",
            event="new_device_login",
        )
    session = _start_session(user, client)
    audit.record(AuditType.LOGIN_SUCCEEDED, user_id=user.id, client=client, session_id=session.id, **details)
    return user, _commit_and_issue(user, session)


def _commit_and_issue(user: User, session: AuthSession) -> TokenPair:
    """Commit the use case, then sign its token pair from what was known before the commit (the commit expires
    the session, which would otherwise be read again only for its id)."""
    user_id, session_id, enrol = user.id, session.id, mfa.needs_enrolment(user)
    db.session.commit()
    return tokens.issue_pair(user_id, session_id, enrol_mfa=enrol)


def _is_new_device(user: User, client: ClientInfo) -> bool:
    """A device (user agent) this account has never logged in from, when it has logged in before: two EXISTS
    probes on the (user_id, user_agent) index in one statement, however long the session history."""
    agent = client.trimmed().user_agent
    mine = AuthSession.user_id == user.id
    same_agent = AuthSession.user_agent == agent if agent is not None else AuthSession.user_agent.is_(None)
    has_sessions, seen_here = db.session.execute(select(exists().where(mine), exists().where(mine, same_agent))).one()
    return has_sessions and not seen_here


_DUMMY_HASH: dict[str, str] = {}


def _spend_a_hash(password: str) -> None:
    hasher = password_hasher()
    key = repr(hasher)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash(secrets.token_hex(16))
    try:
        hasher.verify(_DUMMY_HASH[key], password)
    except Exception:
        pass


def _start_session(user: User, client: ClientInfo) -> AuthSession:
    client = client.trimmed()
    now = utcnow()
    session = AuthSession(
        id=uuid.uuid4().hex,
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=tokens.session_expiry(now),
        ip=client.ip,
        user_agent=client.user_agent,
    )
    db.session.add(session)
    return session


# --- refresh rotation and revocation -------------------------------------------------------------------


def refresh(payload: dict, client: ClientInfo) -> tuple[User, TokenPair]:
    """Rotate: a new pair for a refresh token used once. A second use revokes the whole session."""
    session = db.session.get(AuthSession, payload.get("sid") or "")
    now = utcnow()
    if session is None or not session.is_live(now) or str(session.user_id) != payload["sub"]:
        raise Unauthorized("This session has ended; log in again.")
    if not tokens.claim_refresh_token(payload):
        _revoke([session], "refresh_reuse")
        audit.record(AuditType.REFRESH_REUSE, user_id=session.user_id, client=client, session_id=session.id)
        notifications.notify_account(
            db.session.get(User, session.user_id),
            "A sign-in session was ended because its refresh token was used twice, which may mean it was stolen. "
            "Log in again; if this keeps happening, change your password.",
            event="refresh_reuse",
        )
        db.session.commit()
        raise Unauthorized("This refresh token was already used; the session has been revoked for safety.")
    user = db.session.get(User, session.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The account no longer exists or is inactive.")
    client = client.trimmed()
    session.last_used_at = now
    session.expires_at = tokens.session_expiry(now)
    session.ip, session.user_agent = client.ip or session.ip, client.user_agent or session.user_agent
    return user, _commit_and_issue(user, session)


def _revoke(sessions: list[AuthSession], reason: str) -> None:
    """Revoke in Redis first (what every process checks), then mark the rows; the caller commits."""
    tokens.revoke_sessions_in_redis(sessions)
    session_ids = [session.id for session in sessions]
    emit(Live.DISCONNECT_SESSIONS, session_ids)
    now = utcnow()
    for session in sessions:
        if session.revoked_at is None:
            session.revoked_at, session.revoke_reason = now, reason


def live_sessions(user: User) -> list[AuthSession]:
    query = (
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > utcnow())
        .order_by(AuthSession.last_used_at.desc())
    )
    return list(db.session.scalars(query))


def list_sessions(user: User, current_sid: str | None) -> list[dict]:
    """The user's live sessions, most recently used first, each marked `is_current` when it is the one asking."""
    fields = ("id", "created_at", "last_used_at", "ip", "user_agent")
    return [
        {name: getattr(session, name) for name in fields} | {"is_current": session.id == current_sid}
        for session in live_sessions(user)
    ]


def revoke_all_sessions(user: User, reason: str, *, keep: str | None = None) -> int:
    """Revoke every live session of the user except `keep`; the caller records and commits."""
    sessions = [s for s in live_sessions(user) if s.id != keep]
    _revoke(sessions, reason)
    return len(sessions)


def logout(user: User, payload: dict, client: ClientInfo) -> None:
    """End the current session: its access token and its refresh tokens stop working."""
    tokens.revoke_token(payload)
    session = db.session.get(AuthSession, payload.get("sid") or "")
    if session is not None and session.user_id == user.id:
        _revoke([session], "logout")
    audit.record(AuditType.LOGOUT, user_id=user.id, client=client, session_id=payload.get("sid"))
    db.session.commit()


def logout_all(user: User, client: ClientInfo) -> int:
    count = revoke_all_sessions(user, "logout_all")
    audit.record(AuditType.LOGOUT_ALL, user_id=user.id, client=client, sessions=count)
    db.session.commit()
    return count


def get_session_for(user: User, session_id: str) -> AuthSession:
    """Fetch and authorise: one's own live sessions; ended ones and anyone else's do not exist (404)."""
    session = db.session.get(AuthSession, session_id)
    if session is None or session.user_id != user.id or not session.is_live(utcnow()):
        raise NotFound("No such session.")
    return session


def revoke_session(user: User, session_id: str, client: ClientInfo) -> None:
    session = get_session_for(user, session_id)
    _revoke([session], "revoked_by_user")
    audit.record(AuditType.SESSION_REVOKED, user_id=user.id, client=client, session_id=session_id)
    db.session.commit()


# --- passwords ---------------------------------------------------------------------------------------------


def change_password(user: User, current: str, new: str, current_sid: str | None, client: ClientInfo) -> int:
    """Change the password and end every other session; this one stays logged in.

    Changes of one account take turns on its row (FOR NO KEY UPDATE), and the hash is read again under the
    lock: of several changes sent at once with the same current password exactly one succeeds, and the
    others find it no longer current."""
    lock_for_write(db.session)
    db.session.refresh(user, with_for_update={"key_share": True})
    if not user.check_password(current):
        raise RuleViolation("The current password is wrong.", field="current_password")
    if current == new:
        raise RuleViolation("The new password must differ from the current one.", field="new_password")
    user.set_password(new)
    retire_one_time_tokens(user, TokenPurpose.PASSWORD_RESET)
    revoked = revoke_all_sessions(user, "password_changed", keep=current_sid)
    audit.record(AuditType.PASSWORD_CHANGED, user_id=user.id, client=client, sessions_revoked=revoked)
    notifications.notify_account(
        user, "Your password was changed and your other sessions were ended.", event="password_changed"
    )
    db.session.commit()
    return revoked


def request_password_reset(email: str, client: ClientInfo) -> None:
    """Answer at once, whether or not the account exists: a job looks it up and sends the link,
    so neither the answer nor its timing tells who has an account."""
    enqueue(JobName.SEND_PASSWORD_RESET, email.strip().lower(), client.ip, client.user_agent, queue="high")
    db.session.commit()


def send_password_reset(email: str, client: ClientInfo) -> bool:
    """Issue a single-use reset token and email its link; False when there is no such active account."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return False
    token = _issue_one_time_token(user, TokenPurpose.PASSWORD_RESET, current_app.config["PASSWORD_RESET_TTL"])
    link = f"{current_app.config['FRONTEND_URL']}/reset-password?token={token}"
    audit.record(AuditType.PASSWORD_RESET_REQUESTED, user_id=user.id, client=client)
    db.session.commit()
    # Delivered by this job itself: if SMTP fails the job is retried, and its new token retires this one.
    mail.deliver(
        mail.Email(
            to=user.email,
            subject="Reset your Stride password",
            text=f"Hello {user.username},\n\nSomeone asked to reset your Stride password. If it was you, open:\n\n"
            f"{link}\n\nThe link works once, within an hour. If it was not you, ignore this email.\n",
        )
    )
    return True


def confirm_password_reset(token: str, new_password: str, client: ClientInfo) -> None:
    """Set the new password; the token dies and every session ends."""
    record = _redeem_one_time_token(token, TokenPurpose.PASSWORD_RESET)
    user = db.session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise RuleViolation("This reset link is invalid or has expired.", field="token")
    user.set_password(new_password)
    revoked = revoke_all_sessions(user, "password_reset")
    audit.record(AuditType.PASSWORD_RESET, user_id=user.id, client=client, sessions_revoked=revoked)
    db.session.commit()


# --- email verification ------------------------------------------------------------------------------------


def request_email_verification(user: User) -> None:
    if user.email_verified_at is not None:
        raise Conflict("This email address is already verified.")
    token = _issue_one_time_token(user, TokenPurpose.EMAIL_VERIFICATION, current_app.config["EMAIL_VERIFICATION_TTL"])
    link = f"{current_app.config['FRONTEND_URL']}/verify-email?token={token}"
    mail.send_after_commit(
        mail.Email(
            to=user.email,
            subject="Confirm your email for Stride",
            text=f"Hello {user.username},\n\nConfirm this address for your Stride account:\n\n{link}\n\n"
            "The link works once, within 48 hours.\n",
        )
    )
    db.session.commit()


def confirm_email_verification(token: str) -> User:
    record = _redeem_one_time_token(token, TokenPurpose.EMAIL_VERIFICATION)
    user = db.session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise RuleViolation("This verification link is invalid or has expired.", field="token")
    user.email_verified_at = utcnow()
    audit.record(AuditType.EMAIL_VERIFIED, user_id=user.id, email=user.email)
    db.session.commit()
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def retire_one_time_tokens(user: User, purpose: TokenPurpose) -> None:
    """Unused links of this purpose stop working (a newer link, a new password, a new email address)."""
    db.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose, OneTimeToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _issue_one_time_token(user: User, purpose: TokenPurpose, ttl_seconds: int) -> str:
    """A new token retires the user's earlier unused ones of the same purpose."""
    now = utcnow()
    retire_one_time_tokens(user, purpose)
    token = secrets.token_urlsafe(32)
    db.session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash_token(token),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    return token


def _redeem_one_time_token(token: str, purpose: TokenPurpose) -> OneTimeToken:
    """Mark the token used in one conditional UPDATE, so two concurrent redemptions cannot both win."""
    now = utcnow()
    token_hash = _hash_token(token)
    result = db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.token_hash == token_hash,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        raise RuleViolation("This link is invalid, was already used or has expired.", field="token")
    return db.session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == token_hash))


# --- housekeeping ------------------------------------------------------------------------------------------


def prune(now: datetime) -> int:
    """Delete sessions and one-time tokens that can no longer be used (kept 7 days for the audit trail)."""
    horizon = now - timedelta(days=7)
    sessions = db.session.execute(
        AuthSession.__table__.delete().where(or_(AuthSession.expires_at < horizon, AuthSession.revoked_at < horizon))
    ).rowcount
    one_time = db.session.execute(
        OneTimeToken.__table__.delete().where(or_(OneTimeToken.expires_at < horizon, OneTimeToken.used_at < horizon))
    ).rowcount
    return sessions + one_time
