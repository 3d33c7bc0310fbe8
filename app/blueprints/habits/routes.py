from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.habits import blp
from app.blueprints.habits.schemas import (
    CompletionSchema,
    DoneSchema,
    HabitArgsSchema,
    HabitPatchSchema,
    HabitSchema,
    HabitWriteSchema,
    StreaksSchema,
)
from app.idempotency import idempotent
from app.security import login_required
from app.services import habits


@blp.route("/habits/")
class HabitsView(MethodView):
    decorators = [login_required]

    @blp.arguments(HabitArgsSchema, location="query")
    @blp.response(200, HabitSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the caller's habits, newest first; filter by `is_pleasant` and `is_public`."""
        return habits.list_habits(current_user, is_pleasant=args.get("is_pleasant"), is_public=args.get("is_public"))

    @blp.arguments(HabitWriteSchema)
    @blp.response(201, HabitSchema)
    @blp.alt_response(422, description="A field is out of bounds or one of the habit rules is broken.")
    @idempotent
    def post(self, data):
        """Create a habit."""
        return habits.create_habit(current_user, data)


@blp.route("/habits/public/")
class PublicHabitsView(MethodView):
    decorators = [login_required]

    @blp.response(200, HabitSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self):
        """List everyone's public habits (read-only; not those of people blocked either way), newest first."""
        return habits.public_habits(current_user)


@blp.route("/habits/<int:habit_id>/")
class HabitByIdView(MethodView):
    decorators = [login_required]

    @blp.response(200, HabitSchema)
    def get(self, habit_id):
        """Read one of the caller's habits, or someone's public habit."""
        return habits.get_habit_for(current_user, habit_id)

    @blp.arguments(HabitWriteSchema)
    @blp.response(200, HabitSchema)
    def put(self, data, habit_id):
        """Replace one of the caller's habits; the rules apply to the result."""
        return habits.update_habit(current_user, habit_id, data)

    @blp.arguments(HabitPatchSchema(partial=True))
    @blp.response(200, HabitSchema)
    def patch(self, data, habit_id):
        """Change some fields of one of the caller's habits; the rules apply to the result."""
        return habits.update_habit(current_user, habit_id, data)

    @blp.response(204)
    def delete(self, habit_id):
        """Delete one of the caller's habits, its completions and future reminders."""
        habits.delete_habit(current_user, habit_id)


@blp.route("/habits/<int:habit_id>/done/")
class HabitDoneView(MethodView):
    decorators = [login_required]

    @blp.response(201, DoneSchema)
    @blp.alt_response(200, schema=DoneSchema, description="Already done today: nothing new recorded.")
    @idempotent
    def post(self, habit_id):
        """Log today's completion of one of the caller's habits; answers the streaks."""
        body, is_new = habits.mark_done(current_user, habit_id)
        return body, 201 if is_new else 200


@blp.route("/habits/<int:habit_id>/completions/")
class HabitCompletionsView(MethodView):
    decorators = [login_required]

    @blp.response(200, CompletionSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, habit_id):
        """List the completions of one of the caller's habits, newest first."""
        return habits.completions(current_user, habit_id)


@blp.route("/habits/<int:habit_id>/streaks/")
class HabitStreaksView(MethodView):
    decorators = [login_required]

    @blp.response(200, StreaksSchema)
    def get(self, habit_id):
        """Show the current and longest streak of one of the caller's habits."""
        return habits.habit_streaks(current_user, habit_id)
