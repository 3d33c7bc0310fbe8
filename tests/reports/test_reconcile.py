"""The reconciler: reports and exports whose job was lost with Redis or abandoned by a dead worker are
re-enqueued (or failed once out of attempts), healthy ones are left alone, and a second run changes nothing."""

import time
from datetime import timedelta

from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.worker import Worker

from app.extensions import db, redis_store
from app.models import DataExport, FileStatus, Report
from app.models.base import utcnow
from app.queueing import get_queue
from app.services import reconcile
from tests.reports.conftest import request_report


def ask(client, headers_of, path="/api/v1/reports/"):
    if path == "/api/v1/reports/":
        response = request_report(client, headers_of("alice"))
    else:
        response = client.post(path, headers=headers_of("alice"))
    assert response.status_code == 202, response.json
    return response.json["id"]


def age(app, model, row_id, **fields):
    """Make the row older than the reconciler's grace period (and set other fields)."""
    with app.app_context():
        row = db.session.get(model, row_id)
        row.created_at = utcnow() - timedelta(minutes=5)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def row(app, model, row_id):
    with app.app_context():
        found = db.session.get(model, row_id)
        return found.status, found.error, found.attempts


def job(app, job_id):
    with app.app_context():
        return Job.fetch(job_id, connection=redis_store.client)


def run_reconciler(app):
    with app.app_context():
        return reconcile.reconcile()


def start_on_worker(app, job_id, worker_name, *, heartbeat_in=100):
    """What a worker does when it takes a job: off the queue, STARTED, in the started registry."""
    with app.app_context():
        queue = get_queue("default")
        started = Job.fetch(job_id, connection=redis_store.client)
        queue.remove(started)
        started.worker_name = worker_name
        started.save()
        started.set_status(JobStatus.STARTED)
        registry = StartedJobRegistry(queue=queue)
        redis_store.client.zadd(registry.key, {f"{job_id}:execution": time.time() + heartbeat_in})


def test_a_queued_report_whose_job_was_lost_is_requeued_and_then_rendered(app, client, headers_of, cast, run_jobs):
    report_id = ask(client, headers_of)
    with app.app_context():
        redis_store.client.flushdb()  # Redis restarted without its data
    age(app, Report, report_id)

    assert run_reconciler(app) == {"checked": 1, "requeued": 1, "failed": 0}

    assert job(app, f"report-{report_id}").get_status() == JobStatus.QUEUED
    run_jobs()
    assert row(app, Report, report_id)[0] == FileStatus.DONE


def test_a_lost_export_is_requeued_too(app, client, headers_of, cast):
    export_id = ask(client, headers_of, "/api/v1/export/")
    with app.app_context():
        redis_store.client.flushdb()
    age(app, DataExport, export_id)

    assert run_reconciler(app)["requeued"] == 1
    assert job(app, f"export-{export_id}").get_status() == JobStatus.QUEUED


def test_a_running_report_whose_worker_died_is_requeued(app, client, headers_of, cast, run_jobs):
    report_id = ask(client, headers_of)
    start_on_worker(app, f"report-{report_id}", "killed-outright")  # this worker is not registered: it is gone
    age(app, Report, report_id, status=FileStatus.RUNNING, attempts=1)

    assert run_reconciler(app)["requeued"] == 1

    assert row(app, Report, report_id)[0] == FileStatus.QUEUED
    run_jobs()
    assert row(app, Report, report_id)[0] == FileStatus.DONE


def test_a_running_report_that_stopped_heartbeating_is_requeued(app, client, headers_of, cast):
    report_id = ask(client, headers_of)
    with app.app_context():
        worker = Worker([get_queue("default")], connection=redis_store.client)
        worker.register_birth()
    start_on_worker(app, f"report-{report_id}", worker.name, heartbeat_in=-5)
    age(app, Report, report_id, status=FileStatus.RUNNING, attempts=1)

    assert run_reconciler(app)["requeued"] == 1


def test_an_abandoned_report_out_of_attempts_is_failed_with_a_reason(app, client, headers_of, cast):
    report_id = ask(client, headers_of)
    start_on_worker(app, f"report-{report_id}", "killed-outright")
    age(app, Report, report_id, status=FileStatus.RUNNING, attempts=3)  # REPORT_RETRY_INTERVALS: 3 attempts

    assert run_reconciler(app) == {"checked": 1, "requeued": 0, "failed": 1}

    status, error, _ = row(app, Report, report_id)
    assert status == FileStatus.FAILED and "worker died" in error
    response = client.get(f"/api/v1/reports/{report_id}/", headers=headers_of("alice"))
    assert response.json["status"] == "failed"


def test_healthy_reports_are_left_alone(app, client, headers_of, cast):
    waiting = ask(client, headers_of)
    running = ask(client, headers_of)
    fresh = ask(client, headers_of)
    with app.app_context():
        worker = Worker([get_queue("default")], connection=redis_store.client)
        worker.register_birth()
    start_on_worker(app, f"report-{running}", worker.name)
    age(app, Report, waiting)
    age(app, Report, running, status=FileStatus.RUNNING, attempts=1)
    with app.app_context():
        redis_store.client.delete(Job.key_for(f"report-{fresh}"))  # lost, but younger than the grace period

    assert run_reconciler(app) == {"checked": 2, "requeued": 0, "failed": 0}
    assert row(app, Report, running)[0] == FileStatus.RUNNING
    assert row(app, Report, fresh)[0] == FileStatus.QUEUED


def test_running_the_reconciler_twice_changes_nothing_the_second_time(app, client, headers_of, cast):
    lost = ask(client, headers_of)
    dead = ask(client, headers_of)
    start_on_worker(app, f"report-{dead}", "killed-outright")
    with app.app_context():
        redis_store.client.delete(Job.key_for(f"report-{lost}"))
        get_queue("default").empty()
    age(app, Report, lost)
    age(app, Report, dead, status=FileStatus.RUNNING, attempts=3)

    first = run_reconciler(app)
    states = [row(app, Report, lost), row(app, Report, dead)]
    second = run_reconciler(app)

    assert (first["requeued"], first["failed"]) == (1, 1)
    assert (second["requeued"], second["failed"]) == (0, 0)
    assert [row(app, Report, lost), row(app, Report, dead)] == states
    with app.app_context():
        assert get_queue("default").count == 1


def test_jobs_status_reports_what_the_reconciler_did(app, client, headers_of, cast):
    report_id = ask(client, headers_of)
    with app.app_context():
        redis_store.client.flushdb()
    age(app, Report, report_id)
    runner = app.test_cli_runner()

    assert "'requeued': 1" in runner.invoke(args=["jobs", "run", "reconcile_files"]).output

    status = runner.invoke(args=["jobs", "status"]).output
    assert "lost or abandoned jobs so far: {'requeued': 1, 'failed': 0}" in status
    assert "files reports: {'queued': " in status  # 1, or 0 where the CLI ran the job itself (embedded mode)
    line = next(line for line in status.splitlines() if ".reconcile_files " in line)
    assert " ok in " in line and '"requeued": 1' in line
