from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.analytics import blp
from app.blueprints.analytics.schemas import (
    ActivitySchema,
    ChallengesSchema,
    GoalsSchema,
    HabitsSchema,
    RangeArgsSchema,
    WorkoutsSchema,
)
from app.models import Role
from app.security import role_required
from app.services import analytics

trainer_only = role_required(Role.TRAINER)


@blp.route("/analytics/active-users/")
class ActiveUsersView(MethodView):
    decorators = [trainer_only]

    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, ActivitySchema)
    def get(self, args):
        """Count active users per day and per week (trainers: your clients; admins: everyone)."""
        return analytics.active_users(current_user, args["date_from"], args["date_to"])


@blp.route("/analytics/workouts/")
class WorkoutsView(MethodView):
    decorators = [trainer_only]

    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, WorkoutsSchema)
    def get(self, args):
        """Count workouts per week and the average session length."""
        return analytics.workouts_per_week(current_user, args["date_from"], args["date_to"])


@blp.route("/analytics/goals/")
class GoalsView(MethodView):
    decorators = [trainer_only]

    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, GoalsSchema)
    def get(self, args):
        """Show the completion rate of goals whose end date fell in the range."""
        return analytics.goal_completion(current_user, args["date_from"], args["date_to"])


@blp.route("/analytics/habits/")
class HabitsView(MethodView):
    decorators = [trainer_only]

    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, HabitsSchema)
    def get(self, args):
        """Show habit adherence: completions over the completions due in the range."""
        return analytics.habit_adherence(current_user, args["date_from"], args["date_to"])


@blp.route("/analytics/challenges/")
class ChallengesView(MethodView):
    decorators = [trainer_only]

    @blp.arguments(RangeArgsSchema, location="query")
    @blp.response(200, ChallengesSchema)
    def get(self, args):
        """Show challenge participation: who takes part in challenges running during the range."""
        return analytics.challenge_participation(current_user, args["date_from"], args["date_to"])
