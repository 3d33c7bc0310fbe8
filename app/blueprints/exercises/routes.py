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
from app.models import Role
from app.security import login_required, role_required
from app.services import exercises

trainer_only = role_required(Role.TRAINER)


@blp.route("/exercises/")
class ExercisesView(MethodView):
    decorators = [login_required]

    @blp.arguments(ExerciseArgsSchema, location="query")
    @blp.response(200, ExerciseSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the catalog in title order; filter by muscle group, equipment, complexity, or search `q`."""
        return exercises.list_exercises(**args)

    @trainer_only
    @blp.arguments(ExerciseCreateSchema)
    @blp.response(201, ExerciseSchema)
    @blp.alt_response(409, description="An exercise with this title (in any case) exists.")
    def post(self, data):
        """Add an exercise to the catalog (trainers and admins)."""
        return exercises.create_exercise(current_user, data)


@blp.route("/exercises/<int:exercise_id>/")
class ExerciseByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, ExerciseSchema)
    def get(self, exercise_id):
        """Read one exercise (archived ones too)."""
        return exercises.get_exercise_for(current_user, exercise_id)

    @trainer_only
    @blp.arguments(ExerciseUpdateSchema)
    @blp.response(200, ExerciseSchema)
    @blp.alt_response(409, description="Another exercise has this title.")
    def put(self, data, exercise_id):
        """Replace an exercise's fields (trainers and admins)."""
        return exercises.update_exercise(current_user, exercise_id, data)

    @trainer_only
    @blp.arguments(ExercisePatchSchema(partial=True))
    @blp.response(200, ExerciseSchema)
    @blp.alt_response(409, description="Another exercise has this title.")
    def patch(self, data, exercise_id):
        """Change some of an exercise's fields, or archive it (trainers and admins)."""
        return exercises.update_exercise(current_user, exercise_id, data)

    @trainer_only
    @blp.response(204)
    @blp.alt_response(409, description="Workouts use the exercise; archive it instead.")
    def delete(self, exercise_id):
        """Delete an exercise no workout uses (trainers and admins)."""
        exercises.delete_exercise(current_user, exercise_id)
