from flask import Response
from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.events import blp
from app.blueprints.events.schemas import (
    EVENTS,
    EventCreateSchema,
    EventPageSchema,
    EventsArgsSchema,
    EventSchema,
    EventUpdateSchema,
    RsvpAnswerSchema,
    RsvpSchema,
)
from app.idempotency import idempotent
from app.openapi import file_responses
from app.security import login_required, per_user_limit
from app.services import events

NO_EVENT = "No such event, its organizer is inactive or blocked either way, or it is a private group's you are not in."
NOT_YOURS = "Not your event: only its organizer changes or deletes it."
OVER = "The event is over: RSVPs are closed."
NOT_A_MEMBER = "Not a member of the group."
PRIVATE_GROUP = "The group is private and you are not a member."


@blp.route("/events/")
class EventsView(MethodView):
    decorators = [login_required]

    @blp.arguments(EventsArgsSchema, location="query")
    @blp.response(200, EventPageSchema)
    @blp.alt_response(403, description=PRIVATE_GROUP)
    @blp.alt_response(404, description="No such group.")
    def get(self, args):
        """List the events not ended yet, soonest first, or one group's."""
        pager = EVENTS.pager(args, is_descending=False)
        return events.list_events(current_user, pager, group_id=args.get("group_id"))

    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventSchema)
    @blp.alt_response(403, description=NOT_A_MEMBER)
    @per_user_limit("RATELIMIT_EVENTS")
    @idempotent
    def post(self, data):
        """Organise an event (you hold no seat unless you RSVP too)."""
        return events.create_event(current_user, data)


@blp.route("/events/<int:event_id>/")
class EventByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, EventSchema)
    @blp.alt_response(404, description=NO_EVENT)
    def get(self, event_id):
        """Read an event, with how many are going and your own answer."""
        return events.read_event(current_user, event_id)

    @blp.arguments(EventUpdateSchema)
    @blp.response(200, EventSchema)
    @blp.alt_response(403, description=NOT_YOURS)
    @blp.alt_response(404, description=NO_EVENT)
    def patch(self, data, event_id):
        """Change your event; a higher capacity seats the earliest waitlisted people."""
        return events.update_event(current_user, event_id, data)

    @blp.response(204)
    @blp.alt_response(403, description=NOT_YOURS)
    @blp.alt_response(404, description=NO_EVENT)
    def delete(self, event_id):
        """Delete your event; the people going or waitlisted are told if it was still to come."""
        events.delete_event(current_user, event_id)


@blp.route("/events/<int:event_id>/rsvp/")
class RsvpView(MethodView):
    decorators = [login_required]

    @blp.arguments(RsvpSchema)
    @blp.response(200, RsvpAnswerSchema)
    @blp.alt_response(403, description="A group's event: only the group's members answer it.")
    @blp.alt_response(404, description=NO_EVENT)
    def put(self, data, event_id):
        """Answer an event: going, maybe or declined (going when full is stored as waitlisted)."""
        return events.set_rsvp(current_user, event_id, data["status"])

    @blp.response(204)
    @blp.alt_response(404, description=NO_EVENT)
    @blp.alt_response(422, description=OVER)
    def delete(self, event_id):
        """Withdraw your answer (a seat it frees goes to the earliest waitlisted; again changes nothing)."""
        events.withdraw_rsvp(current_user, event_id)


@blp.route("/events/<int:event_id>/calendar.ics")
class EventCalendarView(MethodView):
    decorators = [login_required]

    @blp.doc(responses=file_responses("The event as an iCalendar (RFC 5545) file.", "text/calendar"))
    @blp.alt_response(404, description=NO_EVENT)
    def get(self, event_id):
        """Download an event as an iCalendar file, for a calendar app."""
        body = events.event_calendar(current_user, event_id)
        disposition = f'attachment; filename="event-{event_id}.ics"'
        return Response(body, mimetype="text/calendar", headers={"Content-Disposition": disposition})
