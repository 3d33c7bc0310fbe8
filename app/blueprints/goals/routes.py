from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.goals import blp
from app.blueprints.goals.schemas import (
    GoalArgsSchema,
    GoalCreateSchema,
    GoalPatchSchema,
    GoalSchema,
    GoalUpdateSchema,
    ProgressSchema,
)
from app.idempotency import idempotent
from app.security import login_required
from app.services import goals, metrics


@blp.route("/fitness-goals/")
class GoalsView(MethodView):
    decorators = [login_required]

    @blp.arguments(GoalArgsSchema, location="query")
    @blp.response(200, GoalSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the caller's goals, newest first; filter by `active` and `goal_type`."""
        return goals.list_goals(current_user, active=args.get("active"), goal_type=args.get("goal_type"))

    @blp.arguments(GoalCreateSchema)
    @blp.response(201, GoalSchema)
    @idempotent
    def post(self, data):
        """Create a goal (`end_date` must be after `start_date`, which defaults to today)."""
        return goals.create_goal(current_user, data)


@blp.route("/fitness-goals/<int:goal_id>/")
class GoalByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, GoalSchema)
    def get(self, goal_id):
        """Read one of the caller's goals."""
        return goals.read_goal(current_user, goal_id)

    @blp.arguments(GoalUpdateSchema)
    @blp.response(200, GoalSchema)
    def put(self, data, goal_id):
        """Replace a goal's fields (optional ones left out keep their value)."""
        return goals.update_goal(current_user, goal_id, data)

    @blp.arguments(GoalPatchSchema(partial=True))
    @blp.response(200, GoalSchema)
    def patch(self, data, goal_id):
        """Change some of a goal's fields; the date rules apply to the result."""
        return goals.update_goal(current_user, goal_id, data)

    @blp.response(204)
    def delete(self, goal_id):
        """Delete a goal permanently."""
        goals.delete_goal(current_user, goal_id)


@blp.route("/fitness-goals/<int:goal_id>/deactivate/")
class GoalDeactivateView(MethodView):
    decorators = [login_required]

    @blp.response(200, GoalSchema)
    def patch(self, goal_id):
        """Set a goal inactive without deleting it."""
        return goals.deactivate_goal(current_user, goal_id)


@blp.route("/fitness-goals/<int:goal_id>/progress/")
class GoalProgressView(MethodView):
    decorators = [login_required]

    @blp.response(200, ProgressSchema)
    def get(self, goal_id):
        """Show progress toward the goal from the body-metric history."""
        return metrics.goal_progress(current_user, goal_id)
