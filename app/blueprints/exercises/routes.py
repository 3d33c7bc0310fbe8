from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.exercises import blp
from app.blueprints.exercises.schemas import (
    ExerciseArgsSchema,
    ExerciseCreateSchema,
    ExercisePatchSchema,
    ExerciseSchema,
    ExerciseUpdateSchema,
)
from app.idempotency import idempotent
from app.security import login_required
from app.services import exercises

KEEPERS = "A shared exercise: trainers and admins only. A personal one: its owner only."


@blp.route("/exercises/")
class ExercisesView(MethodView):
    decorators = [login_required]

    @blp.arguments(ExerciseArgsSchema, location="query")
    @blp.response(200, ExerciseSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the shared catalog and your personal exercises in title order; filter, or search `q`."""
        return exercises.list_exercises(current_user, **args)

    @blp.arguments(ExerciseCreateSchema)
    @blp.response(201, ExerciseSchema)
    @blp.alt_response(403, description="A plain user adds only personal exercises (`is_personal: true`).")
    @blp.alt_response(409, description="An exercise with this title (in any case) exists in that namespace.")
    @idempotent
    def post(self, data):
        """Add an exercise to the shared catalog (trainers and admins), or one of your own (`is_personal`)."""
        return exercises.create_exercise(current_user, data)


@blp.route("/exercises/<int:exercise_id>/")
class ExerciseByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, ExerciseSchema)
    def get(self, exercise_id):
        """Read one exercise (archived ones too; a personal one if it is yours or a client's)."""
        return exercises.get_exercise_for(current_user, exercise_id)

    @blp.arguments(ExerciseUpdateSchema)
    @blp.response(200, ExerciseSchema)
    @blp.alt_response(403, description=KEEPERS)
    @blp.alt_response(409, description="Another exercise has this title.")
    def put(self, data, exercise_id):
        """Replace an exercise's fields (the catalog: trainers and admins; a personal one: its owner)."""
        return exercises.update_exercise(current_user, exercise_id, data)

    @blp.arguments(ExercisePatchSchema(partial=True))
    @blp.response(200, ExerciseSchema)
    @blp.alt_response(403, description=KEEPERS)
    @blp.alt_response(409, description="Another exercise has this title.")
    def patch(self, data, exercise_id):
        """Change some of an exercise's fields, or archive it (the catalog: trainers and admins; yours: you)."""
        return exercises.update_exercise(current_user, exercise_id, data)

    @blp.response(204)
    @blp.alt_response(403, description=KEEPERS)
    @blp.alt_response(409, description="Workouts use the exercise; archive it instead.")
    def delete(self, exercise_id):
        """Delete an exercise no workout uses (the catalog: trainers and admins; a personal one: its owner)."""
        exercises.delete_exercise(current_user, exercise_id)
