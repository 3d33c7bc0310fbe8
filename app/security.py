"""Request authentication: flask-jwt-extended wired to our revocation list, error format and roles."""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps

from flask import Flask, current_app, g, request
from flask_jwt_extended import (
    current_user,
    get_jwt,
    get_jwt_identity,
    get_jwt_request_location,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from socketio.exceptions import ConnectionRefusedError as SocketConnectionRefused

from app.errors import Forbidden, Unauthorized, error_body
from app.extensions import db, jwt
from app.models import Role, User
from app.services import tokens
from app.services.audit import ClientInfo
from app.services.jwks import key_id


def client_info() -> ClientInfo:
    return ClientInfo(ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))


def _unauthorized(message: str):
    return error_body(401, message), 401


@jwt.token_in_blocklist_loader
def _is_revoked(_header: dict, payload: dict) -> bool:
    return tokens.is_revoked(payload)  # a Redis failure raises → 503, never "not revoked"


@jwt.user_lookup_loader
def _load_user(_header: dict, payload: dict) -> User | None:
    user = db.session.get(User, int(payload["sub"]))
    return user if user is not None and user.is_active else None


@jwt.unauthorized_loader
def _missing(reason: str):
    return _unauthorized(f"Authentication required: {reason[:1].lower() + reason[1:]}.")


@jwt.invalid_token_loader
def _invalid(reason: str):
    return _unauthorized(f"The token is not valid: {reason[:1].lower() + reason[1:]}.")


@jwt.expired_token_loader
def _expired(_header: dict, _payload: dict):
    return _unauthorized("The token has expired.")


@jwt.revoked_token_loader
def _revoked(_header: dict, _payload: dict):
    return _unauthorized("The token has been revoked.")


@jwt.user_lookup_error_loader
def _no_user(_header: dict, _payload: dict):
    return _unauthorized("The account no longer exists or is inactive.")


@jwt.needs_fresh_token_loader
def _not_fresh(_header: dict, _payload: dict):
    return _unauthorized("A fresh login is required.")


@jwt.token_verification_failed_loader
def _failed(_header: dict, _payload: dict):
    return _unauthorized("The token was refused.")


@jwt.additional_headers_loader
def _key_id(_identity) -> dict:
    kid = key_id(current_app.config)
    return {"kid": kid} if kid else {}


def role_required(role: Role) -> Callable:
    """Route guard: an authenticated caller with at least `role` (admin ⊇ trainer ⊇ user)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            verify_jwt_in_request()
            if not current_user.has_role(role):
                raise Forbidden(f"This needs the {role} role.")
            return view(*args, **kwargs)

        wrapper.required_role = role  # read by app/openapi.py: the operation needs a bearer token
        return wrapper

    return decorator


def login_required(view: Callable) -> Callable:
    return role_required(Role.USER)(view)


def authenticate_socket(auth: dict | None) -> User:
    """For Socket.IO `connect` handlers: the user of `auth: {token}`; refused with the reason otherwise."""
    return socket_identity(auth)[0]


def socket_identity(auth: dict | None) -> tuple[User, dict]:
    """The user and the token's claims (its `sid` names the login session)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    try:
        return tokens.verify_access_token(token)
    except Unauthorized as exc:
        # python-socketio's own exception: its message reaches the client's connect_error (the builtin's does not)
        raise SocketConnectionRefused(exc.message) from exc


def refuse_if_authenticated() -> None:
    """/register/ and /login/ are for anonymous callers; an invalid or expired token counts as none."""
    try:
        verify_jwt_in_request(optional=True)
    except (JWTExtendedException, PyJWTError):
        return
    if get_jwt_identity() is not None:
        raise Forbidden("You are already logged in; log out first.")


def refresh_expiring_cookie(response):
    """Cookie mode: swap an access cookie close to expiry for a fresh one, within its session."""
    if not current_app.config["AUTH_COOKIE_MODE"] or response.status_code >= 400:
        return response
    if g.get("issued_tokens") is not None or g.get("clear_auth_cookies"):
        return response  # the route set new cookies or logged out: renewing now would undo that
    try:
        payload = get_jwt()
    except RuntimeError:  # this request carried no verified token
        return response
    if not payload or payload.get("type") != "access" or get_jwt_request_location() != "cookies":
        return response  # only a token that came in the cookie is renewed in the cookie
    left = payload["exp"] - datetime.now(UTC).timestamp()
    if left < current_app.config["JWT_COOKIE_REFRESH_WITHIN"]:
        set_access_cookies(response, tokens.issue_access_token(payload["sub"], payload["sid"]))
    return response


def apply_auth_cookies(response):
    """Cookie mode: set the cookies of tokens a route issued, or clear them on logout."""
    if not current_app.config["AUTH_COOKIE_MODE"]:
        return response
    pair = g.get("issued_tokens")
    if pair is not None:
        set_access_cookies(response, pair.access_token)
        set_refresh_cookies(response, pair.refresh_token)
    elif g.get("clear_auth_cookies"):
        unset_jwt_cookies(response)
    return response


def register_security(app: Flask) -> None:
    app.after_request(refresh_expiring_cookie)
    app.after_request(apply_auth_cookies)
