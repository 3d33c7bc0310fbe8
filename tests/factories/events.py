"""Events and RSVPs, made directly as rows (seats are not checked: the API's rules are the services')."""

from datetime import timedelta

import factory

from app.models import Event, EventRsvp, RsvpStatus
from app.models.base import utcnow
from tests.factories.base import BaseFactory
from tests.factories.users import UserFactory


class EventFactory(BaseFactory):
    """An event by `organizer_id` (a new person when not given), tomorrow for two hours, unlimited."""

    class Meta:
        model = Event

    organizer_id = factory.LazyFunction(lambda: UserFactory().id)
    title = factory.Sequence(lambda n: f"Event {n}")
    description = ""
    starts_at = factory.LazyFunction(lambda: utcnow().replace(microsecond=0) + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=2))


class EventRsvpFactory(BaseFactory):
    class Meta:
        model = EventRsvp

    event_id = factory.LazyFunction(lambda: EventFactory().id)
    user_id = factory.LazyFunction(lambda: UserFactory().id)
    status = RsvpStatus.GOING
