from flask import request
from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.telegram import blp
from app.blueprints.telegram.schemas import LinkCodeSchema, UpdateSchema, WebhookResultSchema
from app.errors import NotFound
from app.extensions import limiter
from app.idempotency import idempotent
from app.security import login_required
from app.services import telegram


@blp.route("/telegram/link/")
class TelegramLinkView(MethodView):
    decorators = [login_required]

    @blp.response(201, LinkCodeSchema)
    @blp.alt_response(503, description="Telegram is not configured on this server.")
    @idempotent
    def post(self):
        """Get a one-time code to send to the Stride bot, which links that chat to the caller."""
        return telegram.start_link(current_user)

    @blp.response(204)
    @blp.alt_response(409, description="The chat is the caller's second factor.")
    def delete(self):
        """Unlink the caller's Telegram chat."""
        telegram.unlink(current_user)


@blp.route("/telegram/webhook/<string:secret>")
class TelegramWebhookView(MethodView):
    decorators = [limiter.exempt]

    @blp.arguments(UpdateSchema)
    @blp.response(200, WebhookResultSchema)
    def post(self, update, secret):
        """Receive an update from Telegram (verified by the path and X-Telegram-Bot-Api-Secret-Token)."""
        if not telegram.is_genuine_webhook(secret, request.headers.get("X-Telegram-Bot-Api-Secret-Token")):
            raise NotFound("The requested URL was not found on the server.")
        return {"ok": True, "result": telegram.handle_update(update)}
