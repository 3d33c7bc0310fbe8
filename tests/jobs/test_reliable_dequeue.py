"""A worker on several queues takes each job into the queue's intermediate list (`ReliableQueue`): a worker killed,
or a Redis killed, between taking a job and starting it leaves the job where reconcile_files finds and retries it,
and a job that ran leaves nothing there to be run again."""

import pytest
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from app.extensions import db
from app.jobs.runtime import AppWorker, ReliableQueue, build_worker
from app.queueing import QUEUES, JobName, enqueue, get_queue
from app.services import reconcile
from tests.jobs.test_outbox import needs_redis_server
from tests.servers import throwaway_redis


def queues(app):
    return [get_queue(name, app) for name in QUEUES]


def intermediate(queue) -> list[str]:
    return queue.intermediate_queue.get_job_ids()


def test_jobs_are_taken_by_priority_into_the_intermediate_list_of_their_queue(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        enqueue(JobName.PING, "later", queue="low")
        enqueue(JobName.PING, "first", queue="high")
        db.session.commit()
        high, default, low = queues(app)

        job, queue = ReliableQueue.dequeue_any([high, default, low], 1, connection=app.extensions["redis"])
        assert job.args == ("first",) and queue.name == "high"
        assert intermediate(high) == [job.id] and high.count == 0  # not lost if this worker dies now

        job, queue = ReliableQueue.dequeue_any([high, default, low], 1, connection=app.extensions["redis"])
        assert job.args == ("later",) and intermediate(low) == [job.id]

        assert ReliableQueue.dequeue_any([high, default, low], None, connection=app.extensions["redis"]) is None


def test_a_job_whose_worker_died_before_starting_it_is_retried_by_reconcile(app_factory, monkeypatch):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context():
        enqueue(JobName.PING, "orphan", queue="high")
        db.session.commit()
        high, *_ = queues(app)
        job, _ = ReliableQueue.dequeue_any(queues(app), 1, connection=app.extensions["redis"])
        # ...and the worker is killed here, before the job reaches the started registry.

        reconcile.retry_abandoned_jobs()  # first sight: it may be a worker about to start it
        assert intermediate(high) == [job.id]
        monkeypatch.setattr("rq.intermediate_queue.IntermediateQueue.should_be_cleaned_up", lambda self, job_id: True)
        reconcile.retry_abandoned_jobs()  # still there a minute later: abandoned

        assert intermediate(high) == []
        retried = Job.fetch(job.id, connection=app.extensions["redis"])
        assert retried.get_status() == JobStatus.SCHEDULED and retried.retries_left == 2
        assert job.id in ScheduledJobRegistry(queue=high).get_job_ids()


def test_an_empty_wait_times_out_as_rq_expects(app_factory):
    app = app_factory(JOBS_RUN_INLINE=False)
    with app.app_context(), pytest.raises(Exception) as raised:
        ReliableQueue.dequeue_any(queues(app), 1, connection=app.extensions["redis"])
    assert type(raised.value).__name__ == "DequeueTimeout"


@needs_redis_server
def test_a_forking_worker_on_every_queue_runs_each_job_once_and_leaves_no_intermediate_entry(app_factory):
    with throwaway_redis("--save", "", "--appendonly", "no") as server:
        app = app_factory(JOBS_RUN_INLINE=False, REDIS_URL=server.url)
        with app.app_context():
            for name in QUEUES:
                enqueue(JobName.PING, name, queue=name)
            db.session.commit()

            worker = build_worker(app)
            assert isinstance(worker, AppWorker)
            worker.work(burst=True)

            for queue in queues(app):
                [job_id] = queue.finished_job_registry.get_job_ids()
                assert Job.fetch(job_id, connection=app.extensions["redis"]).args == (queue.name,)
                assert intermediate(queue) == [] and queue.count == 0
