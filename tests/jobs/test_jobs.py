"""Background jobs: after-commit enqueueing, the embedded worker thread, a real worker process, periodic jobs."""

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from rq import Retry
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from app.extensions import db, redis_store
from app.jobs.runtime import EmbeddedThreads, build_cron
from app.queueing import JobRequest, enqueue, enqueue_now, get_queue
from app.services.maintenance import PING_KEY, last_outcome, last_run
from tests.conftest import REAL_REDIS_URL, needs_real_redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_enqueue_waits_for_the_commit(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        queue = get_queue("default")
        enqueue("app.jobs.maintenance.ping", "t1")
        assert queue.count == 0  # nothing is visible before the transaction commits

        db.session.commit()

        assert queue.count == 1


def test_enqueue_is_dropped_when_the_transaction_rolls_back(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        enqueue("app.jobs.maintenance.ping", "t2")
        db.session.rollback()
        db.session.commit()

        assert get_queue("default").count == 0


def test_inline_mode_runs_the_job_in_its_own_app_context(app):
    with app.app_context():
        enqueue("app.jobs.maintenance.ping", "inline-token")
        db.session.commit()

        assert redis_store.client.get(PING_KEY.format("inline-token")) is not None


def test_embedded_worker_thread_runs_a_job(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    threads = EmbeddedThreads(app).start()
    try:
        with app.app_context():
            job = enqueue_now(JobRequest("app.jobs.maintenance.ping", ("thread-token",), queue="high"))

            assert wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED)
            assert job.return_value() == "thread-token"
            assert redis_store.client.get(PING_KEY.format("thread-token")) is not None
    finally:
        threads.stop()


def test_the_scheduler_enqueues_periodic_jobs_that_the_worker_runs(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        cron = build_cron(app)
        # Cron jobs wait for their first slot; the outbox relay runs every few seconds from the start.
        assert [job.name for job in cron.enqueue_jobs()] == ["app.jobs.maintenance.relay_outbox"]
        for job in cron.get_jobs():
            job.next_enqueue_time = datetime.now(UTC) - timedelta(seconds=1)
        enqueued = cron.enqueue_jobs()

        assert sorted(job.name for job in enqueued) == [
            "app.jobs.challenges.close_challenges",
            "app.jobs.events.remind_events",
            "app.jobs.goals.expire_goals",
            "app.jobs.habits.remind_habits",
            "app.jobs.maintenance.prune_expired",
            "app.jobs.maintenance.reconcile_files",
            "app.jobs.maintenance.relay_outbox",
            "app.jobs.media.prune_media",
        ]
        assert get_queue("low").count == 5 and get_queue("high").count == 4  # the relay twice

        threads = EmbeddedThreads(app).start()
        try:
            assert wait_for(lambda: last_run("prune_expired") is not None)
        finally:
            threads.stop()


def flaky(key: str, failures: int) -> int:
    """A job that fails its first `failures` runs."""
    attempt = redis_store.client.incr(key)
    if attempt <= failures:
        raise RuntimeError(f"transient failure {attempt}")
    return attempt


@pytest.mark.parametrize(("failures", "status"), [(2, JobStatus.FINISHED), (5, JobStatus.FAILED)])
def test_a_failing_job_is_retried_then_finishes_or_stays_visible_as_failed(app_factory, failures, status):
    app = app_factory(JOBS_RUN_INLINE=False)
    threads = EmbeddedThreads(app).start()
    try:
        with app.app_context():
            key = f"flaky:{uuid.uuid4().hex}"
            job = enqueue_now(JobRequest(flaky, (key, failures), retry=Retry(max=2, interval=0)))

            assert wait_for(lambda: job.get_status(refresh=True) in (JobStatus.FINISHED, JobStatus.FAILED))
            assert job.get_status() == status
            assert int(redis_store.client.get(key)) == min(failures + 1, 3)
            assert (job.id in FailedJobRegistry(queue=get_queue("default"))) == (status == JobStatus.FAILED)
    finally:
        threads.stop()


def test_jobs_retry_with_backoff_by_default(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        job = enqueue_now(JobRequest("app.jobs.maintenance.ping", ("x",)))

        assert job.retries_left == 3
        assert job.retry_intervals == [10, 60, 300]


@needs_real_redis
def test_a_separate_flask_worker_process_runs_a_job_from_real_redis(app_factory, database_url):
    app = app_factory(JOBS_RUN_INLINE=False)
    token = uuid.uuid4().hex
    with app.app_context():
        job = enqueue_now(JobRequest("app.jobs.maintenance.ping", (token,), queue="high"))

    env = {
        **os.environ,
        "STRIDE_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": REAL_REDIS_URL,
        "FLASK_APP": "wsgi",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "worker", "--burst", "--without-scheduler"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    with app.app_context():
        assert job.get_status(refresh=True) == JobStatus.FINISHED
        assert job.return_value() == token
        assert redis_store.client.get(PING_KEY.format(token)) is not None


@pytest.mark.parametrize("command", [["worker", "--burst"], ["scheduler"]])
def test_worker_and_scheduler_refuse_to_run_without_redis_url(command):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update({"FLASK_APP": "wsgi", "STRIDE_ENV": "development"})

    result = subprocess.run(
        [sys.executable, "-m", "flask", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


@pytest.mark.parametrize(
    ("command", "job_name"),
    [
        (["jobs", "run", "expire_goals"], "expire_goals"),
        (["goals", "expire"], "expire_goals"),
        (["habits", "remind"], "remind_habits"),
        (["jobs", "run", "prune_expired"], "prune_expired"),
    ],
)
def test_every_way_of_running_a_periodic_job_records_its_last_run(app, command, job_name):
    runner = app.test_cli_runner()
    before = runner.invoke(args=["jobs", "status"])
    assert f"{job_name} " in before.output and "last run: never" in before.output

    assert runner.invoke(args=command).exit_code == 0

    status = runner.invoke(args=["jobs", "status"]).output
    line = next(line for line in status.splitlines() if f".{job_name} " in line)
    assert "last run: never" not in line and " ok in " in line, line
    with app.app_context():
        assert last_outcome(job_name)["ok"] is True
        assert last_run(job_name) is not None


def test_a_failing_periodic_job_records_its_failure(app, monkeypatch):
    from app.jobs import goals as goal_jobs
    from app.services import goals

    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(goals, "expire_due_goals", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            goal_jobs.expire_goals()

        record = last_outcome("expire_goals")
    assert record["ok"] is False and "boom" in record["outcome"]
    status = app.test_cli_runner().invoke(args=["jobs", "status"]).output
    assert "FAILED" in next(line for line in status.splitlines() if ".expire_goals " in line)


def test_every_periodic_job_records_its_runs():
    from app.jobs.schedule import PERIODIC_JOBS, Periodic

    assert all(getattr(periodic.func, "records_runs", False) for periodic in PERIODIC_JOBS)
    with pytest.raises(TypeError):
        Periodic(lambda: None, cron="* * * * *")


def test_every_named_job_resolves_to_a_function():
    from app.queueing import JobName, resolve_job

    assert all(callable(resolve_job(job.value)) for job in JobName)


def test_a_job_name_outside_the_registry_is_refused_when_enqueued_not_when_run():
    from app.queueing import JobRequest

    with pytest.raises(ValueError, match="not a job"):
        JobRequest("app.jobs.maintenance.pnig")


def test_a_registry_name_that_names_no_function_fails_the_startup_check(monkeypatch):
    from app import queueing

    monkeypatch.setattr(queueing, "JobName", queueing.StrEnum("JobName", {"GONE": "app.jobs.maintenance.gone"}))
    with pytest.raises(LookupError, match="names no function"):
        queueing.check_jobs()


def test_a_job_whose_worker_was_killed_mid_job_is_retried_within_a_minute_not_ten(app_factory):
    """RQ's cleanup of abandoned jobs runs at a worker's ten-minute maintenance; reconcile_files runs it each minute.
    A job with retries left goes back for another try, one without them is failed."""
    from rq.registry import StartedJobRegistry

    from app.services import reconcile

    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        queue = get_queue("high")
        jobs = {
            "retried": enqueue_now(JobRequest("app.jobs.maintenance.ping", ("a",), queue="high", retry=Retry(max=2))),
            "failed": enqueue_now(JobRequest("app.jobs.maintenance.ping", ("b",), queue="high", retry=None)),
        }
        registry = StartedJobRegistry(queue=queue)
        for job in jobs.values():  # a worker took them, then was killed: its heartbeats stopped 2 minutes ago
            queue.remove(job)
            job.set_status(JobStatus.STARTED)
            redis_store.client.zadd(registry.key, {f"{job.id}:execution": time.time() - 120})

        assert reconcile.retry_abandoned_jobs() == 2

        retried, failed = (Job.fetch(jobs[name].id, connection=redis_store.client) for name in ("retried", "failed"))
        assert retried.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED) and retried.retries_left == 1
        assert failed.get_status() == JobStatus.FAILED
        assert registry.count == 0


def test_a_job_a_killed_worker_took_off_the_queue_but_never_started_is_retried(app_factory):
    from rq.intermediate_queue import IntermediateQueue

    from app.services import reconcile

    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        queue = get_queue("high")
        job = enqueue_now(JobRequest("app.jobs.maintenance.ping", ("c",), queue="high", retry=Retry(max=2)))
        stuck = IntermediateQueue(queue.key, redis_store.client)
        redis_store.client.lmove(queue.key, stuck.key)  # what a worker's dequeue does, before it starts the job
        assert queue.count == 0

        reconcile.retry_abandoned_jobs()  # first seen
        redis_store.client.set(stuck.get_first_seen_key(job.id), time.time() - 120)  # ...two minutes ago
        reconcile.retry_abandoned_jobs()

        assert stuck.get_job_ids() == []
        job = Job.fetch(job.id, connection=redis_store.client)
        assert job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED) and job.retries_left == 1
