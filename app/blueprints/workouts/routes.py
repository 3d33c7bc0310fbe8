from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.workouts import blp
from app.blueprints.workouts.schemas import (
    WorkoutArgsSchema,
    WorkoutCreateSchema,
    WorkoutPatchSchema,
    WorkoutReplaceSchema,
    WorkoutSchema,
)
from app.idempotency import idempotent
from app.security import login_required
from app.services import workouts


@blp.route("/workouts/")
class WorkoutsView(MethodView):
    decorators = [login_required]

    @blp.arguments(WorkoutArgsSchema, location="query")
    @blp.response(200, WorkoutSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List workouts with their exercises, newest first; filter by dates and type (trainers: `user_id`)."""
        return workouts.list_workouts(current_user, **args)

    @blp.arguments(WorkoutCreateSchema)
    @blp.response(201, WorkoutSchema)
    @idempotent
    def post(self, data):
        """Log a workout with its exercise entries, all or nothing."""
        return workouts.create_workout(current_user, data)


@blp.route("/workouts/<int:workout_id>/")
class WorkoutByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, WorkoutSchema)
    def get(self, workout_id):
        """Read a workout (yours, or an assigned client's)."""
        return workouts.get_workout_for(current_user, workout_id)

    @blp.arguments(WorkoutReplaceSchema)
    @blp.response(200, WorkoutSchema)
    def put(self, data, workout_id):
        """Replace a workout and its whole list of exercise entries."""
        return workouts.update_workout(current_user, workout_id, data)

    @blp.arguments(WorkoutPatchSchema)
    @blp.response(200, WorkoutSchema)
    def patch(self, data, workout_id):
        """Change some of a workout's fields; `exercises`, if given, replaces the list."""
        return workouts.update_workout(current_user, workout_id, data)

    @blp.response(204)
    def delete(self, workout_id):
        """Delete a workout; it leaves its plans and your stats."""
        workouts.delete_workout(current_user, workout_id)
