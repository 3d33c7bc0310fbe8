"""Second factors: TOTP from an authenticator app, codes sent by the Telegram bot, single-use recovery codes,
and the login challenge that asks for one of them.

A login that needs a second factor gets a challenge (`open_challenge`): a random token whose SHA-256 names a
Redis hash holding the user and the wrong answers so far; it lives 5 minutes and dies after 5 wrong answers or
one right one. Every code is good once: a TOTP code's 30-second step must be newer than the last one accepted
(one conditional UPDATE, so two requests with the same code cannot both pass), a Telegram code is deleted by the
request that uses it, a recovery code is marked used by a conditional UPDATE.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from app.errors import Conflict, NotFound, RuleViolation, ServiceUnavailable, Unauthorized
from app.extensions import db, redis_store
from app.integrations import telegram
from app.lib import secretbox
from app.models import AuditType, MfaSettings, RecoveryCode, User
from app.models.base import utcnow
from app.services import audit, notifications
from app.services.audit import ClientInfo

TOTP_STEP = 30
CHALLENGE = "stride:mfa:challenge:{}"
CHALLENGE_TTL = 5 * 60
CHALLENGE_ATTEMPTS = 5
TELEGRAM_CODE = "stride:mfa:telegram-code:{}"
TELEGRAM_CODE_TTL = 5 * 60
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
WRONG_CODE = "The code is wrong, was already used or has expired."

_clock = time.time  # tests move it


# --- what a person has --------------------------------------------------------------------------------------


def settings_of(user: User) -> MfaSettings | None:
    return db.session.get(MfaSettings, user.id)


def methods_of(user: User) -> list[str]:
    settings = settings_of(user)
    return settings.methods if settings is not None else []


def is_required_for(user: User) -> bool:
    """The configuration makes a second factor compulsory for this person's role."""
    return user.role in current_app.config["MFA_REQUIRED_ROLES"]


def needs_enrolment(user: User) -> bool:
    return is_required_for(user) and not methods_of(user)


def status(user: User) -> dict:
    settings = settings_of(user)
    left = db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return {
        "methods": settings.methods if settings is not None else [],
        "totp_pending": bool(settings and settings.totp_secret and settings.totp_confirmed_at is None),
        "recovery_codes_left": left,
        "required": is_required_for(user),
    }


# --- turning factors on and off ----------------------------------------------------------------------------


def start_totp(user: User) -> dict:
    """A new secret, in force once a code from it is confirmed; starting again replaces an unconfirmed one."""
    settings = _own_settings(user)
    if settings.totp_confirmed_at is not None:
        raise Conflict("An authenticator app is already set up; turn the second factor off first (DELETE /2fa/).")
    secret = pyotp.random_base32()
    settings.totp_secret, settings.totp_last_step = secretbox.seal(secret), None
    db.session.commit()
    account = user.email or user.username
    url = pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=current_app.config["MFA_ISSUER"])
    return {"secret": secret, "otpauth_url": url}


def confirm_totp(user: User, code: str, client: ClientInfo) -> list[str]:
    """Put the authenticator app in force with a code from it; answers new recovery codes (shown this once)."""
    settings = settings_of(user)
    if settings is None or settings.totp_secret is None:
        raise Conflict("No authenticator app is being set up; start with POST /2fa/totp/setup/.")
    if settings.totp_confirmed_at is not None:
        raise Conflict("The authenticator app is already confirmed.")
    if not _accept_totp(settings, code):
        _refuse(user, client, "totp_confirm")
    settings.totp_confirmed_at = utcnow()
    return _enabled(user, "totp", client)


def enable_telegram(user: User, client: ClientInfo) -> dict:
    """Use the linked Telegram chat as a second factor; answers recovery codes when it is the first factor."""
    _require_telegram(user)
    settings = _own_settings(user)
    if settings.telegram_enabled_at is not None:
        raise Conflict("Telegram is already a second factor.")
    first = not settings.methods
    settings.telegram_enabled_at = utcnow()
    codes = _enabled(user, "telegram", client, new_codes=first)
    return {"methods": settings.methods, "recovery_codes": codes}


def disable(user: User, password: str, code: str, client: ClientInfo) -> None:
    """Turn every second factor off: needs the password and a current code (any method, or a recovery code)."""
    settings = settings_of(user)
    if settings is None or not settings.methods:
        raise NotFound("No second factor is on.")
    if is_required_for(user):
        raise RuleViolation(f"A second factor is required for the {user.role} role; it cannot be turned off.")
    if not user.check_password(password):
        raise RuleViolation("The password is wrong.", field="password")
    if verify(user, settings, code) is None:
        _refuse(user, client, "disable")
    _remove(user)
    audit.record(AuditType.MFA_DISABLED, user_id=user.id, client=client)
    _tell(user, "The second factor of your account was turned off.", "mfa_disabled")
    db.session.commit()


def reset(user: User, actor: str) -> None:
    """Operators: take every second factor off an account whose owner lost them all."""
    _remove(user)
    audit.record(AuditType.MFA_DISABLED, user_id=user.id, via=actor)
    _tell(user, "An operator turned off the second factor of your account.", "mfa_disabled")
    db.session.commit()


def send_telegram_code(user: User) -> dict:
    """Send a 6-digit code to the person's Telegram chat (good once, for 5 minutes)."""
    settings = settings_of(user)
    if settings is None or settings.telegram_enabled_at is None:
        raise Conflict("Telegram is not a second factor of this account.")
    _require_telegram(user)
    code = f"{secrets.randbelow(10**6):06d}"
    redis_store.client.set(TELEGRAM_CODE.format(user.id), _digest(code), ex=TELEGRAM_CODE_TTL)
    telegram.send_after_commit(
        user.telegram_chat_id,
        f"Your Stride code: {code}\nIt works once, within 5 minutes. If you did not just log in, change your password.",
    )
    db.session.commit()
    return {"message": "A code is on its way to your Telegram chat.", "expires_in": TELEGRAM_CODE_TTL}


def _own_settings(user: User) -> MfaSettings:
    settings = settings_of(user)
    if settings is None:
        settings = MfaSettings(user_id=user.id)
        db.session.add(settings)
    return settings


def _enabled(user: User, method: str, client: ClientInfo, *, new_codes: bool = True) -> list[str]:
    codes = _issue_recovery_codes(user) if new_codes else []
    audit.record(AuditType.MFA_ENABLED, user_id=user.id, client=client, method=method)
    _tell(user, f"A second factor ({method}) was turned on for your account.", "mfa_enabled")
    db.session.commit()
    return codes


def _remove(user: User) -> None:
    db.session.execute(delete(MfaSettings).where(MfaSettings.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    redis_store.client.delete(TELEGRAM_CODE.format(user.id))


def _refuse(user: User, client: ClientInfo, step: str) -> None:
    """A wrong code: audited (the caller's rate limit counts it), then refused."""
    audit.record(AuditType.MFA_FAILED, user_id=user.id, client=client, step=step)
    db.session.commit()
    raise RuleViolation(WRONG_CODE, field="code")


def _tell(user: User, message: str, event: str) -> None:
    notifications.notify_account(user, f"{message} If it was not you, change your password.", event=event)


def _require_telegram(user: User) -> None:
    if not current_app.config["TELEGRAM_BOT_TOKEN"]:
        raise ServiceUnavailable("Telegram is not configured on this server.")
    if user.telegram_chat_id is None:
        raise RuleViolation("Link a Telegram chat first (POST /telegram/link/).")


# --- checking a code -----------------------------------------------------------------------------------------


def verify(user: User, settings: MfaSettings, code: str) -> str | None:
    """The method a code is good for, using it up; None when it is good for none."""
    code = "".join(code.split()).replace("-", "").lower()
    if len(code) == 6 and code.isdigit():
        if settings.totp_confirmed_at is not None and _accept_totp(settings, code):
            return "totp"
        if settings.telegram_enabled_at is not None and _accept_telegram_code(user, code):
            return "telegram"
        return None
    if len(code) == 10 and _use_recovery_code(user, code):
        return "recovery_code"
    return None


def _accept_totp(settings: MfaSettings, code: str) -> bool:
    """A code of the current 30-second step or either neighbour, newer than the last one accepted."""
    code = code.strip()
    if not (len(code) == 6 and code.isdigit()):
        return False
    try:
        totp = pyotp.TOTP(secretbox.unseal(settings.totp_secret))
    except secretbox.UnreadableSecret:
        return False
    now = int(_clock()) // TOTP_STEP
    step = next((s for s in (now - 1, now, now + 1) if hmac.compare_digest(totp.generate_otp(s), code)), None)
    if step is None:
        return False
    claimed = db.session.execute(
        update(MfaSettings)
        .where(
            MfaSettings.user_id == settings.user_id,
            or_(MfaSettings.totp_last_step.is_(None), MfaSettings.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _accept_telegram_code(user: User, code: str) -> bool:
    key = TELEGRAM_CODE.format(user.id)
    stored = redis_store.client.get(key)
    if stored is None or not hmac.compare_digest(_text(stored), _digest(code)):
        return False
    return redis_store.client.delete(key) == 1  # of two requests with the code, the one that deletes it wins


def _issue_recovery_codes(user: User) -> list[str]:
    """Ten new codes (`abcde-fghjk`) replacing any earlier ones; only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _use_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


# --- the login challenge ---------------------------------------------------------------------------------------


def open_challenge(user: User, methods: list[str]) -> dict:
    """What `/login/` answers instead of tokens when the account has a second factor."""
    token = secrets.token_urlsafe(32)
    key = CHALLENGE.format(_digest(token))
    with redis_store.client.pipeline() as pipe:
        pipe.hset(key, mapping={"user_id": user.id, "wrong": 0})
        pipe.expire(key, CHALLENGE_TTL)
        pipe.execute()
    return {
        "mfa_required": True,
        "mfa_token": token,
        "methods": [*methods, "recovery_code"],
        "expires_in": CHALLENGE_TTL,
    }


def challenge_user_id(token: str) -> int | None:
    """Whose login a challenge token is for (None when it is unknown or has expired)."""
    if not token or len(token) > 100:
        return None
    user_id = redis_store.client.hget(CHALLENGE.format(_digest(token)), "user_id")
    return int(user_id) if user_id is not None else None


def challenge_user(token: str) -> User:
    user_id = challenge_user_id(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise Unauthorized("This login has expired or is unknown; log in again.")
    return user


def answer_challenge(token: str, code: str, client: ClientInfo) -> tuple[User, str]:
    """The user and the method that answered; a wrong code is audited and counted (the fifth ends the login)."""
    user = challenge_user(token)
    settings = settings_of(user)
    method = verify(user, settings, code) if settings is not None else None
    key = CHALLENGE.format(_digest(token))
    if method is None:
        wrong = redis_store.client.hincrby(key, "wrong", 1)
        if wrong >= CHALLENGE_ATTEMPTS:
            redis_store.client.delete(key)
        audit.record(AuditType.MFA_FAILED, user_id=user.id, client=client, step="login", attempt=wrong)
        db.session.commit()
        raise Unauthorized(WRONG_CODE)
    if redis_store.client.delete(key) != 1:  # answered at the same moment by another request: one login only
        db.session.rollback()
        raise Unauthorized("This login has expired or is unknown; log in again.")
    if method == "recovery_code":
        left = status(user)["recovery_codes_left"]
        _tell(user, f"A recovery code was used to log in; {left} left.", "recovery_code_used")
    return user, method
