from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.notifications import blp
from app.blueprints.notifications.schemas import (
    INBOX,
    InboxArgsSchema,
    MarkReadResultSchema,
    MarkReadSchema,
    NotificationPageSchema,
    PreferencesSchema,
    UnreadCountSchema,
)
from app.security import login_required
from app.services import notifications


@blp.route("/notifications/")
class NotificationsView(MethodView):
    decorators = [login_required]

    @blp.arguments(InboxArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """List the caller's notifications, newest first (or after a seen id, to catch up)."""
        query = notifications.inbox(current_user, unread=args.get("unread"), after=args.get("after"))
        return INBOX.page(query, cursor=args.get("cursor"), limit=args["limit"], is_descending="after" not in args)


@blp.route("/notifications/unread-count/")
class UnreadCountView(MethodView):
    decorators = [login_required]

    @blp.response(200, UnreadCountSchema)
    def get(self):
        """Count the caller's unread notifications."""
        return {"count": notifications.unread_count(current_user)}


@blp.route("/notifications/read/")
class MarkReadView(MethodView):
    decorators = [login_required]

    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkReadResultSchema)
    def post(self, data):
        """Mark some (`ids`) or all (`all: true`) of the caller's notifications read."""
        updated = notifications.mark_read(current_user, None if data.get("all") else data["ids"])
        return {"updated": updated, "unread_count": notifications.unread_count(current_user)}


@blp.route("/notifications/<int:notification_id>/")
class NotificationByIdView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(404, description="No such notification of the caller.")
    def delete(self, notification_id):
        """Delete one of the caller's notifications."""
        notifications.delete_notification(current_user, notification_id)


@blp.route("/notifications/preferences/")
class PreferencesView(MethodView):
    decorators = [login_required]

    @blp.response(200, PreferencesSchema)
    def get(self):
        """Read the caller's channel choices per type and quiet hours."""
        return notifications.get_preferences(current_user)

    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    def put(self, data):
        """Replace the caller's channel choices and quiet hours."""
        return notifications.set_preferences(current_user, data)
