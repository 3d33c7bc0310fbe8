"""The transactional outbox (app/queueing.py): a job is written with the change that asks for it, reaches its
queue after the commit, waits out a Redis outage in the database, and is never queued twice."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from rq.job import Job
from sqlalchemy import func, select

from app import create_app
from app.extensions import db, redis_store
from app.models import OutboxJob, Report
from app.models.base import utcnow
from app.queueing import RELAY_BATCH, JobName, _relay, enqueue, get_queue, relay_all, relay_outbox
from app.services import reconcile
from app.services.maintenance import PING_KEY
from app.transactions import PENDING
from tests.reports.conftest import file_jobs_app, request_report
from tests.servers import REDIS_SERVER, ROOT, migrate, throwaway_redis

needs_redis_server = pytest.mark.skipif(not REDIS_SERVER, reason="needs the redis-server binary (.ci/run installs it)")
LATER = timedelta(seconds=11)  # past any backoff of a row that met Redis down


@pytest.fixture
def app(app_factory, tmp_path):
    """Jobs wait for a worker (only the reconcile test uses it: the others build their own)."""
    return file_jobs_app(app_factory, tmp_path)


def outbox(app) -> list[OutboxJob]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()
        db.session.expunge_all()
        return rows


def queued(app, name: str = "default") -> list[Job]:
    with app.app_context():
        return get_queue(name).get_jobs()


def test_a_job_is_an_outbox_row_until_the_commit_then_a_queued_job(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        enqueue(JobName.PING, "t1", queue="high")
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(OutboxJob)) == 1  # in the use case's transaction

        db.session.commit()

    assert outbox(app) == []
    [job] = queued(app, "high")
    assert job.func_name == JobName.PING and job.args == ("t1",)
    assert job.retries_left == 3


def test_one_transaction_relays_all_its_jobs_at_once(app, count_queries):
    with app.app_context():
        for n in range(5):
            enqueue(JobName.PING, f"t{n}")
        with count_queries() as counter:
            db.session.commit()

    assert [job.args for job in queued(app)] == [(f"t{n}",) for n in range(5)]
    assert outbox(app) == []
    relay = [s.split()[0] for s in counter.statements if "outbox_jobs" in s and not s.startswith("INSERT")]
    assert relay == ["SELECT", "DELETE"]  # one relay for the five jobs


def test_a_transaction_with_more_jobs_than_a_batch_relays_them_all_after_its_commit(app):
    with app.app_context():
        for n in range(RELAY_BATCH * 2 + 1):
            enqueue(JobName.PING, f"t{n}")
        db.session.commit()

        assert get_queue("default").count == RELAY_BATCH * 2 + 1
    assert outbox(app) == []


def test_a_rolled_back_transaction_leaves_no_row_and_no_job(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        enqueue(JobName.PING, "never")
        db.session.flush()
        db.session.rollback()
        db.session.commit()

    assert outbox(app) == [] and queued(app) == []


@needs_redis_server
def test_a_job_committed_while_redis_is_down_waits_in_the_outbox_and_is_queued_once_it_returns(app_factory, tmp_path):
    with throwaway_redis("--save", "", "--appendonly", "no") as server:
        app = app_factory(JOBS_RUN_INLINE=False, REDIS_URL=server.url)
        server.kill()
        with app.app_context():
            enqueue(JobName.PING, "after-the-outage", job_id="ping-after-the-outage")
            db.session.commit()  # the use case's commit stands; only the relay failed

        [row] = outbox(app)
        assert row.attempts == 1 and "Error" in row.last_error and row.available_at > utcnow()

        server.start()
        with app.app_context():
            assert relay_all(app) == 0  # not due yet: backing off
            assert relay_outbox(app, now=utcnow() + LATER) == 1

            [job] = get_queue("default").get_jobs()
            assert job.id == "ping-after-the-outage" and job.args == ("after-the-outage",)
        assert outbox(app) == []


def test_a_row_queued_by_a_relayer_that_died_before_deleting_it_is_not_queued_again(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        enqueue(JobName.PING, "once")
        db.session.info.pop(PENDING)  # the process dies right after its commit: no after-commit relay
        db.session.commit()
        row = db.session.scalar(select(OutboxJob))
        _relay(row, app)  # another relayer queued it, then died before deleting the row
        db.session.rollback()

        assert relay_outbox(app, now=utcnow() + LATER) == 1

    assert outbox(app) == []
    assert [job.args for job in queued(app)] == [("once",)]


def test_reconcile_leaves_a_report_whose_job_waits_in_the_outbox(app, client, headers_of, cast):
    report_id = request_report(client, headers_of("alice")).json["id"]
    with app.app_context():
        redis_store.client.flushdb()  # the job never reached Redis...
        db.session.add(
            OutboxJob(
                func=JobName.RENDER_REPORT,
                args=[report_id],
                kwargs={},
                queue="default",
                retry=None,
                job_id=f"report-{report_id}",
                available_at=utcnow(),
            )
        )  # ...it waits in the outbox
        db.session.get(Report, report_id).created_at = utcnow() - timedelta(minutes=5)
        db.session.commit()

        assert reconcile.reconcile() == {"checked": 1, "requeued": 0, "failed": 0}


@needs_redis_server
def test_a_real_worker_and_scheduler_relay_what_was_committed_during_an_outage(tmp_path):
    """Production's processes: the job committed while Redis was down runs once Redis and the processes are up."""
    with throwaway_redis("--save", "", "--appendonly", "no") as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "REDIS_", "DATABASE_"))}
        env.update(
            FLASK_APP="wsgi",
            STRIDE_ENV="development",
            DATABASE_URL=f"sqlite:///{tmp_path}/stride.sqlite",
            REDIS_URL=server.url,
            LOG_LEVEL="INFO",
        )
        migrate(env)
        app = create_app("testing", DATABASE_URL=env["DATABASE_URL"], REDIS_URL=server.url, JOBS_RUN_INLINE=False)
        server.kill()
        with app.app_context():
            enqueue(JobName.PING, "survived", queue="high")
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(OutboxJob)) == 1
        server.start()

        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", command],
                cwd=ROOT,
                env=env,
                stdout=open(tmp_path / f"{command}.log", "w"),
                stderr=subprocess.STDOUT,
            )  # noqa: SIM115
            for command in ("worker", "scheduler")
        ]
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not server.client().get(PING_KEY.format("survived")):
                time.sleep(0.25)
            logs = "".join((tmp_path / f"{c}.log").read_text() for c in ("worker", "scheduler"))
            assert server.client().get(PING_KEY.format("survived")) is not None, logs
            with app.app_context():
                assert db.session.scalar(select(func.count()).select_from(OutboxJob)) == 0
        finally:
            for process in processes:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
