import marshmallow as ma
from marshmallow import fields

from app.blueprints.common import BaseSchema, Id
from app.blueprints.shared import MUSCLE_GROUPS, ExerciseBriefSchema

CLIENT = {"description": "A client of yours (trainers); yourself by default."}


class TrainingStatsSchema(ma.Schema):
    user_id = fields.Integer()
    total_workouts = fields.Integer()
    total_exercises = fields.Integer(metadata={"description": "Exercise entries logged."})
    total_minutes = fields.Integer()
    total_volume_kg = fields.Float(metadata={"description": "Σ sets × reps × extra_weight_kg."})
    current_streak_weeks = fields.Integer(
        metadata={"description": "Consecutive ISO weeks with a workout, up to this week or last week."}
    )
    longest_streak_weeks = fields.Integer()
    last_active_week = fields.Date(allow_none=True, metadata={"description": "Monday of the latest week trained."})


class PersonalRecordSchema(ma.Schema):
    exercise_id = fields.Integer()
    exercise = fields.Nested(ExerciseBriefSchema)
    max_weight_kg = fields.Float(metadata={"description": "The heaviest extra weight in any entry."})
    max_weight_on = fields.Date()
    max_weight_workout_id = fields.Integer(allow_none=True)
    max_volume_kg = fields.Float(metadata={"description": "The most volume of this exercise in one workout."})
    max_volume_on = fields.Date()
    max_volume_workout_id = fields.Integer(allow_none=True)
    max_reps = fields.Integer(metadata={"description": "The most reps in one set."})


class StatsArgsSchema(BaseSchema):
    user_id = Id(metadata=CLIENT)


class RecordArgsSchema(StatsArgsSchema):
    exercise_id = Id()
    muscle_group = fields.String(validate=MUSCLE_GROUPS)
