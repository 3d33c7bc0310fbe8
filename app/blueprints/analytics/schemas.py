from datetime import UTC, date, datetime, timedelta

import marshmallow as ma
from marshmallow import fields

from app.blueprints.common import BoundedDate, DateRangeSchema

MAX_DAYS = 366
DEFAULT_DAYS = 30


def _today() -> date:
    return datetime.now(UTC).date()


class RangeArgsSchema(DateRangeSchema):
    """`date_from`..`date_to`, both included, at most 366 days; by default the last 30 days up to today (UTC)."""

    max_days_after = MAX_DAYS - 1

    date_from = BoundedDate(metadata={"description": "First day (included); defaults to 29 days before date_to."})
    date_to = BoundedDate(metadata={"description": "Last day (included); defaults to today (UTC)."})

    def range_bounds(self, data: dict) -> tuple[date, date]:
        date_to = data.get("date_to") or _today()
        return data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1), date_to

    @ma.post_load
    def _defaults(self, data, **kwargs):
        date_from, date_to = self.range_bounds(data)
        return {"date_from": date_from, "date_to": date_to}


class RangeSchema(ma.Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    users = fields.Integer(
        metadata={"description": "People covered: a trainer's live clients, or (admins) every account not deleted."}
    )


class DayActivitySchema(ma.Schema):
    date = fields.Date()
    active_users = fields.Integer()


class WeekActivitySchema(ma.Schema):
    week_start = fields.Date(metadata={"description": "The Monday of the week."})
    active_users = fields.Integer(metadata={"description": "Distinct users active on any day of the week."})


class ActivitySchema(RangeSchema):
    days = fields.List(
        fields.Nested(DayActivitySchema),
        metadata={
            "description": "Per day, the distinct users with at least one workout (its `date`), habit completion "
            "(its `done_on`) or successful login (its UTC date) that day. Days with none show 0."
        },
    )
    weeks = fields.List(
        fields.Nested(WeekActivitySchema),
        metadata={"description": "The same per Monday-based week (only days within the range count)."},
    )


class WorkoutWeekSchema(ma.Schema):
    week_start = fields.Date(metadata={"description": "The Monday of the week."})
    workouts = fields.Integer()
    total_minutes = fields.Integer()
    average_duration_min = fields.Float(allow_none=True)


class WorkoutsSchema(RangeSchema):
    total_workouts = fields.Integer()
    total_minutes = fields.Integer()
    average_duration_min = fields.Float(
        allow_none=True,
        metadata={"description": "Mean `duration_min` of the workouts dated in the range; null if none."},
    )
    weeks = fields.List(fields.Nested(WorkoutWeekSchema))


class GoalsSchema(RangeSchema):
    goals_due = fields.Integer(
        metadata={"description": "Goals whose end_date is within the range and has passed (end_date ≤ today, UTC)."}
    )
    goals_completed = fields.Integer(
        metadata={
            "description": "Of those, the goals kept to their end date: still active, or deactivated on or after "
            "the end date (by the expiry job or later). A goal its owner deactivated before its end date was "
            "abandoned; deleted goals are not counted at all."
        }
    )
    completion_rate = fields.Float(
        allow_none=True, metadata={"description": "completed / due (0–1); null if none due."}
    )


class HabitsSchema(RangeSchema):
    habits = fields.Integer(metadata={"description": "Habits started on or before date_to."})
    expected_completions = fields.Integer(
        metadata={
            "description": "Due slots in the range: a habit is due on its start_date and every periodicity_days "
            "after it, from the later of start_date and date_from to date_to."
        }
    )
    completions = fields.Integer(
        metadata={"description": "Completions logged (done_on) in the range, capped at expected_completions."}
    )
    adherence = fields.Float(
        allow_none=True, metadata={"description": "completions / expected (0–1); null if none due."}
    )


class ChallengesSchema(RangeSchema):
    challenges = fields.Integer(
        metadata={
            "description": "Challenges whose window (start_date..end_date) overlaps the range and in which at least "
            "one of the people covered takes part."
        }
    )
    participants = fields.Integer(
        metadata={"description": "People covered who take part in at least one of those challenges."}
    )
    participations = fields.Integer(
        metadata={"description": "Their places in those challenges: one per person and challenge."}
    )
    participation_rate = fields.Float(
        allow_none=True, metadata={"description": "participants / users (0–1); null if no one is covered."}
    )
