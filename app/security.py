"""Request authentication: flask-jwt-extended wired to our revocation list, error format and roles."""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlsplit

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
from werkzeug.middleware.proxy_fix import ProxyFix

from app.errors import Forbidden, Unauthorized, error_body
from app.extensions import db, jwt, limiter
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


@jwt.token_verification_loader
def _has_sane_claims(_header: dict, payload: dict) -> bool:
    return tokens.has_sane_claims(payload)  # else 401 through _failed below, never a 500 on lookup


@jwt.user_lookup_loader
def _load_user(_header: dict, payload: dict) -> User | None:
    user = db.session.get(User, tokens.subject_id(payload))
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


# What a token of a role that needs a second factor, and has none yet, may reach (`tokens.ENROL_MFA`).
ENROLMENT_ENDPOINTS = frozenset(
    {
        "auth.MfaStatusView",
        "auth.TotpSetupView",
        "auth.TotpConfirmView",
        "auth.TelegramFactorView",
        "auth.LogoutView",
        "auth.LogoutAllView",
        "auth.SessionsView",
        "telegram.TelegramLinkView",
        "users.ProfileView",
    }
)


def role_required(role: Role) -> Callable:
    """Route guard: an authenticated caller with at least `role` (admin ⊇ trainer ⊇ user)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            verify_jwt_in_request()
            if get_jwt().get(tokens.ENROL_MFA) and request.endpoint not in ENROLMENT_ENDPOINTS:
                raise Forbidden(
                    "Your role needs a second factor: turn one on (POST /2fa/totp/setup/ or /2fa/telegram/), "
                    "then refresh your tokens."
                )
            if not current_user.has_role(role):
                raise Forbidden(f"This needs the {role} role.")
            return view(*args, **kwargs)

        wrapper.required_role = role  # read by app/openapi.py: the operation needs a bearer token
        return wrapper

    return decorator


def login_required(view: Callable) -> Callable:
    return role_required(Role.USER)(view)


def per_user_limit(setting: str) -> Callable:
    """Rate-limit a view method per signed-in caller, at the rate the config `setting` names ("30 per hour").

    Decorate the method (`post`) of a MethodView whose `decorators` hold `login_required`: the limit reads the
    caller, so the login check must have run first."""

    return limiter.limit(lambda: current_app.config[setting], key_func=lambda: f"user:{current_user.id}:{setting}")


def authenticate_socket(auth: dict | None) -> User:
    """For Socket.IO `connect` handlers: the user of `auth: {token}`; refused with the reason otherwise."""
    return socket_identity(auth)[0]


def socket_identity(auth: dict | None) -> tuple[User, dict]:
    """The user and the token's claims (its `sid` names the login session).

    The token is `auth: {token}`; in cookie mode, failing that, the access cookie — but only from a page the
    origin check admits, because a browser attaches cookies to a connection opened by any site."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not token and current_app.config["AUTH_COOKIE_MODE"]:
        token = request.cookies.get(current_app.config["JWT_ACCESS_COOKIE_NAME"])
        if token and not _cookie_origin_allowed():
            raise SocketConnectionRefused("The access cookie is accepted only from an allowed origin.")
    try:
        return tokens.verify_access_token(token)
    except Unauthorized as exc:
        # python-socketio's own exception: its message reaches the client's connect_error (the builtin's does not)
        raise SocketConnectionRefused(exc.message) from exc


def _cookie_origin_allowed() -> bool:
    """Browsers send `Origin` on every cross-origin request and WebSocket; a same-origin polling GET may
    carry none, and then `Sec-Fetch-Site` says where it came from. A request with neither is refused."""
    origin = request.headers.get("Origin")
    if origin:
        return socket_origin_allowed(origin, request.environ)
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def socket_origin_allowed(origin: str | None, environ: dict) -> bool:
    """python-engineio's origin check (`cors_allowed_origins`): an origin in CORS_ORIGINS, or the server's own.

    The server's own origin is the scheme and host the client addressed; behind TRUST_PROXY_HOPS proxies, the
    forwarded ones, read exactly as ProxyFix reads them (Socket.IO sees the raw environ, outside ProxyFix)."""
    if not origin:
        return False
    config = environ["flask.app"].config
    if "*" in config["CORS_ORIGINS"]:
        return True
    wanted = _normal_origin(origin)
    if wanted is None:
        return False
    if wanted in {_normal_origin(allowed) for allowed in config["CORS_ORIGINS"]}:
        return True
    hops = config["TRUST_PROXY_HOPS"]
    seen = _through_proxy_fix(environ, hops) if hops else environ
    host = seen.get("HTTP_HOST") or f"{seen.get('SERVER_NAME')}:{seen.get('SERVER_PORT')}"
    return wanted == _normal_origin(f"{seen.get('wsgi.url_scheme', 'http')}://{host}")


def _normal_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in; None for "null" or anything unparsable."""
    try:
        parts = urlsplit(value.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _through_proxy_fix(environ: dict, hops: int) -> dict:
    """The environ as the app sees it behind ProxyFix(x_for, x_proto, x_host = hops)."""
    seen: dict = {}

    def capture(fixed: dict, _start_response):
        seen.update(fixed)
        return []

    ProxyFix(capture, x_for=hops, x_proto=hops, x_host=hops)(dict(environ), lambda *_args: None)
    return seen


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
        set_access_cookies(response, tokens.renew_access_token(payload))
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
