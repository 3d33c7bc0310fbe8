from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.stats import blp
from app.blueprints.stats.schemas import PersonalRecordSchema, RecordArgsSchema, StatsArgsSchema, TrainingStatsSchema
from app.security import login_required
from app.services import stats


@blp.route("/stats/")
class StatsView(MethodView):
    decorators = [login_required]

    @blp.arguments(StatsArgsSchema, location="query")
    @blp.response(200, TrainingStatsSchema)
    def get(self, args):
        """Show training totals and weekly streaks (trainers: a client's with `user_id`)."""
        return stats.stats_for(current_user, args.get("user_id"))


@blp.route("/stats/records/")
class RecordsView(MethodView):
    decorators = [login_required]

    @blp.arguments(RecordArgsSchema, location="query")
    @blp.response(200, PersonalRecordSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List personal records per exercise, in exercise title order."""
        return stats.list_records(
            current_user,
            user_id=args.get("user_id"),
            exercise_id=args.get("exercise_id"),
            muscle_group=args.get("muscle_group"),
        )
