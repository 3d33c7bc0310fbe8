from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.plans import blp
from app.blueprints.plans.schemas import (
    PlanWorkoutAddSchema,
    PlanWorkoutsSchema,
    TrainingPlanArgsSchema,
    TrainingPlanCreateSchema,
    TrainingPlanPatchSchema,
    TrainingPlanSchema,
)
from app.idempotency import idempotent
from app.security import login_required
from app.services import plans


@blp.route("/training-plans/")
class TrainingPlansView(MethodView):
    decorators = [login_required]

    @blp.arguments(TrainingPlanArgsSchema, location="query")
    @blp.response(200, TrainingPlanSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List training plans, newest first; filter by status (trainers: a client's with `user_id`)."""
        return plans.list_plans(current_user, **args)

    @blp.arguments(TrainingPlanCreateSchema)
    @blp.response(201, TrainingPlanSchema)
    @blp.alt_response(403, description="`user_id` is not a client of yours.")
    @idempotent
    def post(self, data):
        """Create a plan for yourself, or (trainers) for an assigned client."""
        return plans.create_plan(current_user, data)


@blp.route("/training-plans/<int:plan_id>/")
class TrainingPlanByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, TrainingPlanSchema)
    def get(self, plan_id):
        """Read a plan (yours, or an assigned client's)."""
        return plans.get_plan_for(current_user, plan_id)

    @blp.arguments(TrainingPlanPatchSchema)
    @blp.response(200, TrainingPlanSchema)
    @blp.alt_response(409, description="The plan is completed and read-only.")
    def patch(self, data, plan_id):
        """Change a plan's title, description, status or workouts."""
        return plans.update_plan(current_user, plan_id, data)

    @blp.response(204)
    def delete(self, plan_id):
        """Delete a plan (its workouts stay)."""
        plans.delete_plan(current_user, plan_id)


@blp.route("/training-plans/<int:plan_id>/workouts/")
class PlanWorkoutsView(MethodView):
    decorators = [login_required]

    @blp.arguments(PlanWorkoutsSchema)
    @blp.response(200, TrainingPlanSchema)
    @blp.alt_response(409, description="The plan is completed and read-only.")
    def put(self, data, plan_id):
        """Set the plan's workouts and their order in one go (reorder, add, remove)."""
        return plans.update_plan(current_user, plan_id, data)

    @blp.arguments(PlanWorkoutAddSchema)
    @blp.response(200, TrainingPlanSchema)
    @blp.alt_response(409, description="Already in the plan, or the plan is read-only.")
    @idempotent
    def post(self, data, plan_id):
        """Add one workout to the plan, at `position` or at the end."""
        return plans.add_workout(current_user, plan_id, data["workout_id"], data.get("position"))


@blp.route("/training-plans/<int:plan_id>/workouts/<int:workout_id>/")
class PlanWorkoutView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(409, description="The plan is completed and read-only.")
    def delete(self, plan_id, workout_id):
        """Take a workout out of the plan (the workout itself stays)."""
        plans.remove_workout(current_user, plan_id, workout_id)
