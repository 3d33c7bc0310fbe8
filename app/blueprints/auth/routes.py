from flask import current_app, g, request
from flask.views import MethodView
from flask_jwt_extended import current_user, get_jwt, verify_jwt_in_request

from app.blueprints.auth import blp, wellknown
from app.blueprints.auth.schemas import (
    ChangePasswordSchema,
    CodeSentSchema,
    JWKSetSchema,
    LoginAnswerSchema,
    LoginSchema,
    MessageSchema,
    MfaCodeSchema,
    MfaDisableSchema,
    MfaLoginSchema,
    MfaStatusSchema,
    MfaTokenSchema,
    PasswordResetConfirmSchema,
    PasswordResetRequestSchema,
    RecoveryCodesSchema,
    RefreshSchema,
    RegisterSchema,
    RevokedCountSchema,
    SessionSchema,
    TelegramFactorSchema,
    TokenConfirmSchema,
    TokenPairSchema,
    TotpSetupSchema,
)
from app.blueprints.shared import UserSchema
from app.extensions import limiter
from app.idempotency import idempotent
from app.security import client_info, login_required, refuse_if_authenticated
from app.services import auth, jwks, mfa


def _limit(name: str):
    return lambda: current_app.config[name]


def _body_text(name: str) -> str:
    """A string field of the JSON body, whatever the body is (an array or a string too: the schema answers)."""
    body = request.get_json(silent=True)
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def login_account_key() -> str:
    """Failed logins count per account, however it was named (username or email, any case or spacing). Looked
    up once a request: flask-limiter asks for the key when it checks the limit and again when it counts."""
    if "login_account_key" not in g:
        g.login_account_key = f"login:{auth.login_limit_key(_body_text('username'))}"
    return g.login_account_key


def mfa_account_key() -> str:
    """Second-factor attempts count per account, named by the login's challenge token."""
    user_id = mfa.challenge_user_id(_body_text("mfa_token"))
    return f"mfa:user:{user_id}" if user_id is not None else "mfa:unknown"


def _per_caller(setting: str, *, deduct_on: int | None = None):
    """A limit per signed-in caller; with `deduct_on`, only answers of that status count (wrong codes)."""
    deduct = (lambda response: response.status_code == deduct_on) if deduct_on else None
    return limiter.limit(_limit(setting), key_func=lambda: f"{setting}:user:{current_user.id}", deduct_when=deduct)


def reset_account_key() -> str:
    return f"reset:{_body_text('email').strip().lower()[:254]}"


def token_response(user, pair) -> dict:
    """The token pair and the user; in cookie mode the tokens travel only as HttpOnly cookies."""
    g.issued_tokens = pair
    body = {"token_type": pair.token_type, "expires_in": pair.expires_in, "user": user, "mfa_required": False}
    if not current_app.config["AUTH_COOKIE_MODE"]:
        body.update(access_token=pair.access_token, refresh_token=pair.refresh_token)
    return body


@blp.route("/register/")
class RegisterView(MethodView):
    @limiter.limit(_limit("RATELIMIT_REGISTER"))
    @blp.arguments(RegisterSchema)
    @blp.response(201, TokenPairSchema)
    @blp.alt_response(403, description="Already logged in.")
    @blp.alt_response(409, description="The username or email is taken.")
    @idempotent
    def post(self, data):
        """Create an account and log in at once."""
        refuse_if_authenticated()
        return token_response(*auth.register(data, client_info()))


@blp.route("/login/")
class LoginView(MethodView):
    @limiter.limit(_limit("RATELIMIT_LOGIN"))
    @limiter.limit(
        _limit("RATELIMIT_LOGIN_ACCOUNT"), key_func=login_account_key, deduct_when=lambda r: r.status_code == 401
    )
    @blp.arguments(LoginSchema)
    @blp.response(200, LoginAnswerSchema)
    @blp.alt_response(401, description="Wrong credentials (one message for every cause).")
    def post(self, data):
        """Log in with a username or email and a password (then /login/mfa/ if a second factor is on)."""
        refuse_if_authenticated()
        outcome = auth.login(data["username"], data["password"], client_info())
        return outcome if isinstance(outcome, dict) else token_response(*outcome)


@blp.route("/login/mfa/")
class LoginMfaView(MethodView):
    @limiter.limit(_limit("RATELIMIT_LOGIN"))
    @limiter.limit(_limit("RATELIMIT_MFA"), key_func=mfa_account_key, deduct_when=lambda r: r.status_code == 401)
    @blp.arguments(MfaLoginSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="The code is wrong or used, or the login expired (5 minutes, 5 wrong codes).")
    def post(self, data):
        """Finish a login with a second-factor code (authenticator app, Telegram or recovery code)."""
        refuse_if_authenticated()
        return token_response(*auth.finish_login(data["mfa_token"], data["code"], client_info()))


@blp.route("/login/mfa/telegram/")
class LoginMfaTelegramView(MethodView):
    @limiter.limit(_limit("RATELIMIT_LOGIN"))
    @limiter.limit(_limit("RATELIMIT_MFA_CODES"), key_func=mfa_account_key)
    @blp.arguments(MfaTokenSchema)
    @blp.response(202, CodeSentSchema)
    @blp.alt_response(401, description="The login expired or is unknown.")
    @blp.alt_response(409, description="Telegram is not a second factor of the account.")
    @blp.alt_response(503, description="Telegram is not configured on this server.")
    def post(self, data):
        """Have the Telegram bot send a login code to the account's linked chat."""
        return mfa.send_telegram_code(mfa.challenge_user(data["mfa_token"]))


@blp.route("/2fa/")
class MfaStatusView(MethodView):
    decorators = [login_required]

    @blp.response(200, MfaStatusSchema)
    def get(self):
        """Show the caller's second factors and how many recovery codes are left."""
        return mfa.status(current_user)

    @_per_caller("RATELIMIT_MFA", deduct_on=422)
    @blp.arguments(MfaDisableSchema)
    @blp.response(204)
    @blp.alt_response(404, description="No second factor is on.")
    @blp.alt_response(422, description="Wrong password or code, or the caller's role requires a second factor.")
    def delete(self, data):
        """Turn the second factor off (needs the password and a current code)."""
        mfa.disable(current_user, data["password"], data["code"], client_info())


@blp.route("/2fa/totp/setup/")
class TotpSetupView(MethodView):
    decorators = [login_required]

    @blp.response(200, TotpSetupSchema)
    @blp.alt_response(409, description="An authenticator app is already in force.")
    def post(self):
        """Start setting up an authenticator app: a secret and its otpauth:// URL (for a QR code)."""
        return mfa.start_totp(current_user)


@blp.route("/2fa/totp/confirm/")
class TotpConfirmView(MethodView):
    decorators = [login_required]

    @_per_caller("RATELIMIT_MFA", deduct_on=422)
    @blp.arguments(MfaCodeSchema)
    @blp.response(200, RecoveryCodesSchema)
    @blp.alt_response(409, description="No setup was started, or it is already confirmed.")
    @blp.alt_response(422, description="The code is wrong.")
    def post(self, data):
        """Confirm the authenticator app with a code from it; answers ten recovery codes, shown once."""
        return {"recovery_codes": mfa.confirm_totp(current_user, data["code"], client_info())}


@blp.route("/2fa/telegram/")
class TelegramFactorView(MethodView):
    decorators = [login_required]

    @blp.response(200, TelegramFactorSchema)
    @blp.alt_response(409, description="Telegram is already a second factor.")
    @blp.alt_response(422, description="No Telegram chat is linked.")
    @blp.alt_response(503, description="Telegram is not configured on this server.")
    def post(self):
        """Use the linked Telegram chat as a second factor (the bot sends a code at each login)."""
        return mfa.enable_telegram(current_user, client_info())


@blp.route("/2fa/telegram/code/")
class TelegramCodeView(MethodView):
    decorators = [login_required]

    @_per_caller("RATELIMIT_MFA_CODES")
    @blp.response(202, CodeSentSchema)
    @blp.alt_response(409, description="Telegram is not a second factor of the caller.")
    @blp.alt_response(503, description="Telegram is not configured on this server.")
    def post(self):
        """Have the Telegram bot send a code, e.g. to turn the second factor off."""
        return mfa.send_telegram_code(current_user)


@blp.route("/token/refresh/")
class RefreshView(MethodView):
    @limiter.limit(_limit("RATELIMIT_REFRESH"))
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenPairSchema)
    @blp.alt_response(401, description="Invalid, expired, revoked or already-used refresh token.")
    def post(self, data):
        """Rotate a refresh token: a new pair, and the old refresh token stops working."""
        verify_jwt_in_request(refresh=True, locations=["json"] if data.get("refresh_token") else None)
        return token_response(*auth.refresh(get_jwt(), client_info()))


@blp.route("/logout/")
class LogoutView(MethodView):
    @login_required
    @blp.response(204)
    def post(self):
        """Log out: the access token and its session's refresh token stop working."""
        auth.logout(current_user, get_jwt(), client_info())
        g.clear_auth_cookies = True


@blp.route("/logout-all/")
class LogoutAllView(MethodView):
    @login_required
    @blp.response(200, RevokedCountSchema)
    def post(self):
        """Log out everywhere: every session of the caller ends."""
        g.clear_auth_cookies = True
        return {"revoked_sessions": auth.logout_all(current_user, client_info())}


@blp.route("/sessions/")
class SessionsView(MethodView):
    @login_required
    @blp.response(200, SessionSchema(many=True))
    def get(self):
        """List the caller's live sessions (one per logged-in device)."""
        return auth.list_sessions(current_user, current_sid=get_jwt().get("sid"))


@blp.route("/sessions/<string:session_id>/")
class SessionByIdView(MethodView):
    @login_required
    @blp.response(204)
    @blp.alt_response(404, description="No such live session of the caller.")
    def delete(self, session_id):
        """Revoke one session: its tokens stop working at once."""
        auth.revoke_session(current_user, session_id[:32], client_info())


@blp.route("/password-reset/")
class PasswordResetView(MethodView):
    @limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"))
    @limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), key_func=reset_account_key)
    @blp.arguments(PasswordResetRequestSchema)
    @blp.response(202, MessageSchema)
    def post(self, data):
        """Email a password-reset link if the account exists (the answer is the same either way)."""
        auth.request_password_reset(data["email"], client_info())
        return {"message": "If that address has an account, a reset link is on its way."}


@blp.route("/password-reset/confirm/")
class PasswordResetConfirmView(MethodView):
    @limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"))
    @blp.arguments(PasswordResetConfirmSchema)
    @blp.response(200, MessageSchema)
    @blp.alt_response(422, description="The token is invalid, used or expired.")
    def post(self, data):
        """Set a new password with a reset token; every session ends."""
        auth.confirm_password_reset(data["token"], data["new_password"], client_info())
        return {"message": "Password changed. Log in with the new password."}


@blp.route("/change-password/")
class ChangePasswordView(MethodView):
    @login_required
    @blp.arguments(ChangePasswordSchema)
    @blp.response(200, RevokedCountSchema)
    def put(self, data):
        """Change the password; every other session ends."""
        sid = get_jwt().get("sid")
        revoked = auth.change_password(current_user, data["current_password"], data["new_password"], sid, client_info())
        return {"revoked_sessions": revoked}


@blp.route("/verify-email/")
class VerifyEmailView(MethodView):
    @login_required
    @limiter.limit(_limit("RATELIMIT_VERIFICATION"))
    @blp.response(202, MessageSchema)
    @blp.alt_response(409, description="Already verified.")
    def post(self):
        """Email a verification link to the caller's address."""
        auth.request_email_verification(current_user)
        return {"message": "A verification link is on its way."}


@blp.route("/verify-email/confirm/")
class VerifyEmailConfirmView(MethodView):
    @limiter.limit(_limit("RATELIMIT_VERIFICATION"))
    @blp.arguments(TokenConfirmSchema)
    @blp.response(200, UserSchema)
    def post(self, data):
        """Confirm an email address with the token from the link."""
        return auth.confirm_email_verification(data["token"])


@wellknown.route("/.well-known/jwks.json")
class JWKSView(MethodView):
    @wellknown.response(200, JWKSetSchema)
    def get(self):
        """Publish the public key that verifies RS256 tokens (empty with HS256)."""
        return jwks.jwk_set(current_app.config)
