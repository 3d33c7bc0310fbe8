from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.common import SQLPage
from app.blueprints.metrics import blp
from app.blueprints.metrics.schemas import MetricArgsSchema, MetricCreateSchema, MetricSchema
from app.idempotency import idempotent
from app.security import login_required
from app.services import metrics


@blp.route("/metrics/")
class MetricsView(MethodView):
    decorators = [login_required]

    @blp.arguments(MetricArgsSchema, location="query")
    @blp.response(200, MetricSchema(many=True))
    @blp.paginate(SQLPage, max_page_size=100)
    def get(self, args):
        """List the caller's body metrics, newest first, optionally between `from` and `to`."""
        return metrics.list_metrics(current_user, since=args.get("since"), until=args.get("until"))

    @blp.arguments(MetricCreateSchema)
    @blp.response(201, MetricSchema)
    @idempotent
    def post(self, data):
        """Record body metrics (at least one value; `recorded_at` not in the future)."""
        return metrics.record(current_user, data)


@blp.route("/metrics/<int:metric_id>/")
class MetricByIdView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    def delete(self, metric_id):
        """Delete one of the caller's metric entries."""
        metrics.delete_metric(current_user, metric_id)
