"""Small secrets kept at rest (TOTP seeds): Fernet (AES-CBC + HMAC-SHA256) under a key derived from the app's.

`MFA_ENCRYPTION_KEY` names the key; unset, it is derived from SECRET_KEY, so rotating SECRET_KEY without
setting MFA_ENCRYPTION_KEY to the old value makes stored seeds unreadable (their owners use a recovery code).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


class UnreadableSecret(Exception):
    """The stored secret was sealed under another key (or altered)."""


def _box() -> Fernet:
    key = current_app.config["MFA_ENCRYPTION_KEY"] or current_app.config["SECRET_KEY"]
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"stride/secretbox/" + key.encode()).digest()))


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise UnreadableSecret from exc
