import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, BoundedDate, Id, Keyset, TimelineArgsSchema, not_blank, timeline_schema
from app.blueprints.shared import AuthorSchema
from app.models import Challenge, ChallengeMetric

MAX_TITLE, MAX_DESCRIPTION = 200, 5000
METRICS = [str(metric) for metric in ChallengeMetric]
STATUSES = ["upcoming", "running", "ended"]
SCOPES = ["all", "friends"]

# Newest first: the id is the list's unique sort key.
CHALLENGES = Keyset("challenges", Challenge.id)


def _number(description: str, **kwargs) -> fields.Raw:
    """A number answered as is: an integer for counts, a decimal for kilograms and kilometres."""
    return fields.Raw(metadata={"type": "number", "description": description}, **kwargs)


# --- answers --------------------------------------------------------------------------------------------------


class ChallengeSchema(ma.Schema):
    """A challenge as the caller sees it."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    metric = fields.String(metadata={"description": "workouts, minutes, volume_kg, habit_completions or distance_km."})
    start_date = fields.Date()
    end_date = fields.Date()
    group_id = fields.Integer(allow_none=True, metadata={"description": "The group whose members take part, or null."})
    participants_count = fields.Integer()
    is_joined = fields.Boolean()
    my_value = _number("Your progress, in the metric's unit; null if you have not joined.", allow_none=True)
    status = fields.String(metadata={"description": "upcoming, running or ended."})
    created_at = fields.AwareDateTime()


ChallengePageSchema = timeline_schema(ChallengeSchema)


class LeaderRowSchema(ma.Schema):
    rank = fields.Integer(metadata={"description": "Equal values share a rank: 1, 1, 3."})
    user = fields.Nested(AuthorSchema)
    value = _number("In the metric's unit (workouts for the weekly board).")


class MyRankSchema(ma.Schema):
    rank = fields.Integer()
    value = _number("In the metric's unit.")


class LeaderboardSchema(ma.Schema):
    items = fields.List(fields.Nested(LeaderRowSchema), metadata={"description": "Best first."})
    me = fields.Nested(MyRankSchema, allow_none=True, metadata={"description": "Your own place; null if not on it."})
    total = fields.Integer(metadata={"description": "How many are on the board (in the scope)."})
    page = fields.Integer()


class WeeklyLeaderboardSchema(LeaderboardSchema):
    week_start = fields.Date(metadata={"description": "The Monday of this ISO week (UTC)."})


# --- requests -------------------------------------------------------------------------------------------------


class ChallengeUpdateSchema(BaseSchema):
    """The title and description change; the metric and the dates are fixed once created."""

    title = fields.String(validate=[validate.Length(min=1, max=MAX_TITLE), not_blank])
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION))


class ChallengeCreateSchema(ChallengeUpdateSchema):
    title = fields.String(required=True, validate=[validate.Length(min=1, max=MAX_TITLE), not_blank])
    description = fields.String(load_default="", validate=validate.Length(max=MAX_DESCRIPTION))
    metric = fields.String(required=True, validate=validate.OneOf(METRICS), metadata={"description": "What counts."})
    start_date = BoundedDate(required=True, metadata={"description": "The first day whose activity counts."})
    end_date = BoundedDate(
        required=True, metadata={"description": "The last day whose activity counts: not before start_date."}
    )
    group_id = Id(metadata={"description": "A group you are a member of: only its members join."})


class ChallengesArgsSchema(TimelineArgsSchema):
    """Challenges you may see, newest first."""

    keyset = CHALLENGES
    joined = fields.Boolean(load_default=False, metadata={"description": "Only the ones you joined."})
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "upcoming, running or ended."})


class LeaderboardArgsSchema(BaseSchema):
    scope = fields.String(
        load_default="all", validate=validate.OneOf(SCOPES), metadata={"description": "all, or you and your friends."}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
