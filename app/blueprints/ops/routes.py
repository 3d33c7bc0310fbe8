import hmac
import ipaddress

from flask import current_app, request
from flask.views import MethodView

from app import metrics
from app.blueprints.ops import blp
from app.blueprints.ops.schemas import HealthSchema, NotReadySchema, ReadinessSchema
from app.errors import NotFound, ServiceUnavailable, Unauthorized
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


@blp.route("/metrics")
class MetricsView(MethodView):
    decorators = [limiter.exempt]  # a scraper is never throttled

    @blp.doc(
        responses={
            "200": {
                "description": "Prometheus text format: requests, latency, refused logins, 429s, Socket.IO clients, "
                "jobs per queue and state, the outbox.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    )
    @blp.alt_response(401, description="`METRICS_TOKEN` is set and the request did not send it as a Bearer token.")
    @blp.alt_response(404, description="No `METRICS_TOKEN` is set and the request did not come from this machine.")
    def get(self):
        """Metrics for Prometheus: with `METRICS_TOKEN` set, send it as a Bearer token; else from this machine only."""
        token = current_app.config["METRICS_TOKEN"]
        if token:
            sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(sent.encode("utf-8", "replace"), token.encode()):
                raise Unauthorized("Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.")
        elif not _from_this_machine(request.remote_addr) or "X-Forwarded-For" in request.headers:  # not via a proxy
            raise NotFound("The requested URL was not found on the server.")
        return metrics.exposition()


def _from_this_machine(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
