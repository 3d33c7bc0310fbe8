"""`/metrics` (app/metrics.py): Prometheus text that counts requests, refusals and sockets, reads the job backlog,
is not public, and adds up the counts of every gunicorn process."""

import os
import sys

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from app.extensions import db, socketio
from app.integrations.realtime import NOTIFICATIONS
from app.queueing import JobName, enqueue
from tests.conftest import bearer, login
from tests.servers import embedded_env, free_port, running

PROMETHEUS_TEXT = "text/plain; version=1.0.0; charset=utf-8"


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, (label, value) pairs sorted): value} of an exposition."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **kwargs) -> dict[tuple, float]:
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.content_type == PROMETHEUS_TEXT
    return samples(answer.get_data(as_text=True))


def value(scraped: dict, metric: str, **labels) -> float:
    return scraped.get((metric, tuple(sorted(labels.items()))), 0.0)


def requests_of(scraped: dict, route: str, status: str, method: str = "GET") -> float:
    return value(scraped, "stride_http_requests_total", method=method, route=route, status=status)


def test_requests_are_counted_and_timed_by_route_not_by_path(client):
    before = scrape(client)
    client.get("/health")
    client.get("/api/v1/fitness-goals/12345/")  # 401: no token
    client.get("/api/v1/fitness-goals/678/")
    client.get("/no/such/path")

    after = scrape(client)
    assert requests_of(after, "/health", "200") - requests_of(before, "/health", "200") == 1
    goal = "/api/v1/fitness-goals/<int:goal_id>/"
    assert requests_of(after, goal, "401") - requests_of(before, goal, "401") == 2  # one series for both ids
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 1
    timed = ("stride_http_request_duration_seconds_count", (("method", "GET"), ("route", "/health")))
    assert after[timed] - before.get(timed, 0) == 1
    assert not any("12345" in str(labels) for _, labels in after)


def test_a_method_nobody_uses_is_counted_as_other(client):
    before = scrape(client)
    client.open("/health", method="BREW")
    after = scrape(client)
    assert sum(v for (name, labels), v in after.items() if ("method", "other") in labels) > sum(
        v for (name, labels), v in before.items() if ("method", "other") in labels
    )
    assert not any(("method", "BREW") in labels for _, labels in after)


def test_refused_logins_and_rate_limit_refusals_are_counted(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
    make_user(username="alice")
    client = app.test_client()
    before = scrape(client)

    answers = [client.post("/api/v1/login/", json={"username": "alice", "password": "not it at all"}) for _ in range(3)]

    assert [a.status_code for a in answers] == [401, 401, 429]
    after = scrape(client)
    assert value(after, "stride_login_failures_total") - value(before, "stride_login_failures_total") == 2
    refusals = ("stride_rate_limit_refusals_total", (("route", "/api/v1/login/"),))
    assert after[refusals] - before.get(refusals, 0) == 1


def test_connected_socket_clients_are_counted_per_namespace(app, client, tokens):
    clients = "stride_socketio_clients"
    before = value(scrape(client), clients, namespace=NOTIFICATIONS)
    socket = socketio.test_client(app, namespace=NOTIFICATIONS, auth={"token": tokens["access_token"]})
    assert socket.is_connected(NOTIFICATIONS)
    assert value(scrape(client), clients, namespace=NOTIFICATIONS) == before + 1

    socket.disconnect(namespace=NOTIFICATIONS)

    assert value(scrape(client), clients, namespace=NOTIFICATIONS) == before


def test_the_job_backlog_and_the_outbox_are_read_when_scraped(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    client = app.test_client()
    with app.app_context():
        enqueue(JobName.PING, "waiting", queue="low")
        db.session.commit()

    scraped = scrape(client)

    assert value(scraped, "stride_jobs", queue="low", state="queued") == 1
    assert value(scraped, "stride_jobs", queue="high", state="failed") == 0
    assert ("stride_jobs", (("queue", "default"), ("state", "scheduled"))) in scraped
    assert value(scraped, "stride_outbox_rows") == 0  # relayed at the commit
    assert value(scraped, "stride_dependency_up", name="redis") == 1
    assert value(scraped, "stride_dependency_up", name="database") == 1


def test_a_scrape_while_redis_is_down_reports_it_down_instead_of_failing(app_factory):
    app = app_factory(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    scraped = scrape(app.test_client())

    assert value(scraped, "stride_dependency_up", name="redis") == 0
    assert value(scraped, "stride_dependency_up", name="database") == 1
    assert not any(name == "stride_jobs" for name, _ in scraped)


def test_without_a_token_only_this_machine_may_scrape(client):
    elsewhere = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})  # a local proxy passing it on

    for refused in (elsewhere, proxied):
        assert refused.status_code == 404 and refused.json["code"] == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_a_token_set_it_is_required_from_anywhere(app_factory):
    client = app_factory(METRICS_TOKEN="s3cret-metrics-token").test_client()

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer("wrong")).status_code == 401
    assert client.get("/metrics", headers=bearer("s3cret-metrics-token\x00")).status_code == 422  # the input guard
    wrong_type = client.get("/metrics", headers={"Authorization": "Bearer é"})
    assert wrong_type.status_code == 401 and wrong_type.json["code"] == 401
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert scrape(client, headers=bearer("s3cret-metrics-token"), environ_base=remote)


def test_metrics_are_documented_and_never_rate_limited(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute")
    client = app.test_client()
    assert [client.get("/metrics").status_code for _ in range(3)] == [200, 200, 200]
    operation = client.get("/api/v1/openapi.json").json["paths"]["/metrics"]["get"]
    assert operation["summary"] and "text/plain" in operation["responses"]["200"]["content"]
    assert {"401", "404"} <= set(operation["responses"])
    make_user(username="alice")
    assert login(client, "alice")  # the default counts against it too, but /metrics did not use it up


@pytest.mark.timeout(120)
def test_gunicorn_processes_add_up_their_counts(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [gunicorn, "-w", "3", "--threads", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    env = embedded_env(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(folder))
    base = f"http://127.0.0.1:{port}"
    with running(command, env, port):
        before = samples(requests.get(base + "/metrics", timeout=10).text)
        for _ in range(60):  # a new connection each: gunicorn's processes share them out
            requests.get(base + "/health", headers={"Connection": "close"}, timeout=10)

        counted = [
            requests_of(samples(requests.get(base + "/metrics", timeout=10).text), "/health", "200")
            - requests_of(before, "/health", "200")
            for _ in range(6)
        ]
        writers = {path.name.rpartition("_")[2] for path in folder.glob("counter_*.db")}

    assert counted == [60] * 6  # whichever process answered the scrape
    assert len(writers) >= 2, writers  # the requests were answered by several processes
