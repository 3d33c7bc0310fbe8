"""Prometheus metrics, served at `/metrics` (app/blueprints/ops): what each process counts, and what Redis and the
database hold, read when scraped.

Counted per process: requests by method, route and status, their latency, refused logins, 429s, and connected
Socket.IO clients. Under gunicorn several processes count, so their values live in files (prometheus_client's
multiprocess mode, `PROMETHEUS_MULTIPROC_DIR`, which gunicorn.conf.py sets up) and a scrape of any process adds
them up. Read when scraped: jobs per queue and state, the outbox's size and age, and whether each is reachable.
"""

import logging
import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

OWN = CollectorRegistry()  # this process's metrics, when they are not kept in files
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LOGIN_ENDPOINT = "auth.LoginView"

REQUESTS = Counter(
    "stride_http_requests",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
    registry=OWN,
)
LATENCY = Histogram(
    "stride_http_request_duration_seconds",
    "Time from the request's arrival in the app to its answer, by method and route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=OWN,
)
LOGIN_FAILURES = Counter("stride_login_failures", "Logins refused (401): a wrong password or account.", registry=OWN)
RATE_LIMITED = Counter("stride_rate_limit_refusals", "Requests refused with 429, by route.", ["route"], registry=OWN)
SOCKETS = Gauge(
    "stride_socketio_clients",
    "Socket.IO clients connected now, by namespace.",
    ["namespace"],
    multiprocess_mode="livesum",  # the processes' sum, leaving out processes that ended
    registry=OWN,
)


def register_metrics(app: Flask) -> None:
    """Time and count every request, under its route's rule (never its path: ids would make a series each)."""

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        if started is None:  # a before-request hook registered ahead of ours answered
            return response
        method = request.method if request.method in METHODS else "other"
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(time.perf_counter() - started)
        if response.status_code == 429:
            RATE_LIMITED.labels(route).inc()
        elif response.status_code == 401 and request.endpoint == LOGIN_ENDPOINT:
            LOGIN_FAILURES.inc()
        return response


def socket_connected(namespace: str) -> None:
    SOCKETS.labels(namespace).inc()


def socket_disconnected(namespace: str) -> None:
    SOCKETS.labels(namespace).dec()


def exposition() -> Response:
    """Every metric in Prometheus's text format: the processes' counts, then the backlog read now."""
    registry = CollectorRegistry()
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(_Backlog())
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _ThisProcess:
    def collect(self):
        return OWN.collect()


class _Backlog:
    """Jobs per queue and state (RQ's lists and registries), and the outbox, read when scraped. A dependency that
    does not answer is reported down, and its numbers left out, rather than failing the scrape."""

    def collect(self):
        from app.extensions import db
        from app.queueing import QUEUES, job_counts, outbox_lag

        up = GaugeMetricFamily("stride_dependency_up", "Whether a dependency answered this scrape.", labels=["name"])
        try:
            jobs = GaugeMetricFamily("stride_jobs", "Jobs per queue and state.", labels=["queue", "state"])
            for name in QUEUES:
                for state, count in job_counts(name).items():
                    jobs.add_metric([name, state], count)
            yield jobs
            up.add_metric(["redis"], 1)
        except RedisError as error:
            log.warning("metrics: Redis unreachable (%s)", error)
            up.add_metric(["redis"], 0)
        try:
            count, age = outbox_lag()
            yield GaugeMetricFamily("stride_outbox_rows", "Jobs and emits waiting in the outbox.", value=count)
            yield GaugeMetricFamily(
                "stride_outbox_oldest_seconds", "Age of the oldest row waiting in the outbox (0: none).", value=age
            )
            up.add_metric(["database"], 1)
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning("metrics: database unreachable (%s)", error)
            up.add_metric(["database"], 0)
        yield up
