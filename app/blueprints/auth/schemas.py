import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema
from app.blueprints.shared import USERNAME, ProfileFieldsSchema, UserSchema

PASSWORD = validate.Length(min=8, max=128, error="Between 8 and 128 characters.")


class RegisterSchema(ProfileFieldsSchema):
    username = fields.String(required=True, validate=USERNAME)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)


class LoginSchema(BaseSchema):
    username = fields.String(
        required=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "The username or the email address."},
    )
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class TokenPairSchema(ma.Schema):
    access_token = fields.String(metadata={"description": "Absent in cookie mode (AUTH_COOKIE_MODE)."})
    refresh_token = fields.String(metadata={"description": "Absent in cookie mode (AUTH_COOKIE_MODE)."})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds the access token lives."})
    user = fields.Nested(UserSchema, required=True)


class LoginAnswerSchema(TokenPairSchema):
    """The token pair, or (`mfa_required: true`) a challenge for the second factor and no tokens."""

    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer(
        metadata={"description": "Seconds the access token lives; with `mfa_required`, seconds the challenge lives."}
    )
    user = fields.Nested(UserSchema, metadata={"description": "Absent with `mfa_required`."})
    mfa_required = fields.Boolean(
        required=True, metadata={"description": "True: no tokens yet; send a code with `mfa_token` to /login/mfa/."}
    )
    mfa_token = fields.String(metadata={"description": "With `mfa_required`: names this login for /login/mfa/."})
    methods = fields.List(
        fields.String(),
        metadata={"description": "With `mfa_required`: the codes accepted (totp, telegram, recovery_code)."},
    )


MFA_CODE = validate.Length(min=1, max=32)
MFA_TOKEN = validate.Length(min=1, max=100)


class MfaLoginSchema(BaseSchema):
    mfa_token = fields.String(required=True, validate=MFA_TOKEN)
    code = fields.String(
        required=True,
        validate=MFA_CODE,
        metadata={"description": "A 6-digit code from the authenticator app or the Telegram bot, or a recovery code."},
    )


class MfaTokenSchema(BaseSchema):
    mfa_token = fields.String(required=True, validate=MFA_TOKEN)


class MfaCodeSchema(BaseSchema):
    code = fields.String(required=True, validate=MFA_CODE, metadata={"description": "A code from the app."})


class MfaDisableSchema(BaseSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))
    code = fields.String(
        required=True,
        validate=MFA_CODE,
        metadata={"description": "A current code of any second factor, or a recovery code."},
    )


class MfaStatusSchema(ma.Schema):
    methods = fields.List(fields.String(), metadata={"description": "The second factors in force: totp, telegram."})
    totp_pending = fields.Boolean(metadata={"description": "An authenticator app is set up but not yet confirmed."})
    recovery_codes_left = fields.Integer()
    required = fields.Boolean(metadata={"description": "The caller's role must have a second factor."})


class TotpSetupSchema(ma.Schema):
    secret = fields.String(metadata={"description": "Base32; shown only now. Type it in, or scan otpauth_url."})
    otpauth_url = fields.String(metadata={"description": "An otpauth:// URL to show as a QR code."})


class RecoveryCodesSchema(ma.Schema):
    recovery_codes = fields.List(
        fields.String(), metadata={"description": "Ten single-use codes, shown only now; earlier ones stop working."}
    )


class TelegramFactorSchema(RecoveryCodesSchema):
    methods = fields.List(fields.String())


class CodeSentSchema(ma.Schema):
    message = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds the code works."})


class RefreshSchema(BaseSchema):
    refresh_token = fields.String(metadata={"description": "Or send it as the bearer token (or its cookie)."})


class SessionSchema(ma.Schema):
    id = fields.String()
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime()
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    is_current = fields.Boolean()


class RevokedCountSchema(ma.Schema):
    revoked_sessions = fields.Integer()


class PasswordResetRequestSchema(BaseSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class PasswordResetConfirmSchema(BaseSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class ChangePasswordSchema(BaseSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD)


class TokenConfirmSchema(BaseSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class MessageSchema(ma.Schema):
    message = fields.String()


class JWKSetSchema(ma.Schema):
    keys = fields.List(fields.Dict())
