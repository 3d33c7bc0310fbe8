from flask.views import MethodView

from app.blueprints.ops import blp
from app.blueprints.ops.schemas import HealthSchema, NotReadySchema, ReadinessSchema
from app.errors import ServiceUnavailable
from app.extensions import limiter
from app.openapi import needs_no_services
from app.services import ops


@blp.route("/health")
class HealthView(MethodView):
    decorators = [limiter.exempt]  # probes from load balancers are never throttled

    @needs_no_services
    @blp.response(200, HealthSchema)
    def get(self):
        """Answer 200 while the process is alive."""
        return {"status": "ok"}


@blp.route("/ready")
class ReadyView(MethodView):
    decorators = [limiter.exempt]

    @blp.response(200, ReadinessSchema)
    @blp.alt_response(
        503, schema=NotReadySchema, description="A dependency is down; `message` names it and `checks` says which."
    )
    def get(self):
        """Answer 200 when the database and Redis are reachable (`degraded` if something is at risk), else 503."""
        checks = ops.readiness()
        down = [name for name in ("database", "redis") if checks[name] != "ok"]
        if down:
            raise ServiceUnavailable(f"Not ready: {', '.join(down)} unreachable.", extra={"checks": checks})
        warning = ops.persistence_warning(checks["redis_persistence"])
        if warning:
            return {"status": "degraded", "checks": checks, "warnings": [warning]}
        return {"status": "ready", "checks": checks}
