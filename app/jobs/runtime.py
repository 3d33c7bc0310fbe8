"""How jobs run: RQ workers that give every job a fresh app context, and the periodic scheduler.

Production runs these as processes (`flask worker`, `flask scheduler`); the embedded mode runs the
same classes as threads of the web process (`start_embedded_threads`).
"""

import logging
import os
import signal
import threading
import time

import redis
from flask import Flask
from rq import Queue, SimpleWorker, Worker, worker_registration
from rq.cron import CronScheduler
from rq.exceptions import DequeueTimeout, SchedulerNotFound
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from app.extensions import db
from app.jobs.schedule import PERIODIC_JOBS
from app.queueing import QUEUES, get_queue

log = logging.getLogger(__name__)

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
CRON_HEARTBEAT = 5.0
"""The scheduler wakes at least this often (seconds): it notices an outage, and re-registers after one, soon."""


class Backoff:
    """Delays between reconnection attempts: 1, 2, 4 … up to `cap` seconds, back to 1 after a success."""

    def __init__(self, first: float = 1.0, cap: float = 30.0):
        self.first, self.cap, self.failures = first, cap, 0

    def next(self) -> float:
        self.failures += 1
        return min(self.cap, self.first * 2 ** (self.failures - 1))

    def reset(self) -> None:
        self.failures = 0


def wait_for_redis(connection, what: str, stop: threading.Event | None = None) -> bool:
    """Block until Redis answers a PING (with backoff, a log line per attempt); False if stopped first."""
    backoff = Backoff()
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            connection.ping()
            log.warning("%s: Redis is reachable, carrying on", what)
            return True
        except REDIS_DOWN as error:
            delay = backoff.next()
            log.error("%s: Redis unreachable (%s); retrying in %.0f s", what, error, delay)
            stop.wait(delay)
    return False


class AppContextMixin:
    """Run each job inside its own app context, so it gets a clean database session."""

    app: Flask

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


class ResilientRQScheduler(RQScheduler):
    """RQ's delayed/retry scheduler (a child process of the worker) that waits out a Redis outage instead of
    exiting; its heartbeat re-acquires the locks a restarted Redis forgot."""

    def work(self):
        while True:
            try:
                return super().work()
            except REDIS_DOWN as error:
                log.error("rq scheduler: Redis unreachable (%s)", error)
                if not wait_for_redis(self.connection, "rq scheduler"):
                    return None


class ReliableQueue(Queue):
    """RQ's queue, except that a worker on several queues takes a job by moving it (LMOVE) to the queue's
    intermediate list, as RQ does only for a worker on one queue. On several, RQ pops it (BLPOP): a job popped by a
    worker killed before the job reaches the started registry, or whose pop Redis made but never answered (killed
    at that moment), was in no list at all, and lost. In the intermediate list it is found by `reconcile_files`
    (RQ's cleanup of the list) and retried. Queues are swept in priority order; between sweeps the worker blocks on
    its first queue for `POLL` seconds at most."""

    POLL = 0.5

    @classmethod
    def dequeue_any(cls, queues, timeout, connection, job_class=None, serializer=None, death_penalty_class=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        options = {"job_class": job_class, "serializer": serializer, "death_penalty_class": death_penalty_class}
        while True:
            taken = next(filter(None, (cls.lmove(connection, queue.key, None) for queue in queues)), None)
            if taken is None:
                if deadline is None:
                    return None  # burst: every queue is empty
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DequeueTimeout(timeout, [queue.key for queue in queues])
                try:
                    taken = cls.lmove(connection, queues[0].key, min(cls.POLL, left))
                except DequeueTimeout:
                    continue
            queue_key, job_id = (part.decode() if isinstance(part, bytes) else part for part in taken)
            found = cls._fetch_dequeued_job(connection, queue_key, job_id, **options)
            if found is not None:
                return found  # else the job no longer exists: take the next


class AppWorker(AppContextMixin, Worker):
    """The production worker: forks a work horse per job, like RQ's own; survives Redis restarts; takes jobs
    through the queues' intermediate lists (`ReliableQueue`)."""

    queue_class = ReliableQueue
    stopped_by_signal = False
    max_connection_wait_time = 30.0  # RQ's own reconnect backoff while dequeuing, capped like ours

    def prepare_job_execution(self, job, remove_from_intermediate_queue: bool = False) -> None:
        """The horse marks the job started and takes it out of the intermediate list in one Redis transaction
        (RQ does the second only for a worker on one queue, the only case where it used the list)."""
        super().prepare_job_execution(job, remove_from_intermediate_queue=True)

    def main_work_horse(self, job, queue):
        with self.app.app_context():
            db.engine.dispose(close=False)  # never share the parent's pooled connections with the child
        super().main_work_horse(job, queue)

    def request_stop(self, signum, frame):
        self.stopped_by_signal = True
        super().request_stop(signum, frame)

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        if pipeline is None and self.birth_date is not None:
            self._register_again_if_forgotten()

    def _register_again_if_forgotten(self) -> None:
        """A Redis that restarted without its data forgot this worker (and its scheduler's locks)."""
        if self.connection.sismember(self.redis_workers_keys, self.key):
            return
        log.warning("Worker %s: Redis forgot this worker (restarted?); registering again", self.name)
        with self.connection.pipeline() as pipeline:
            pipeline.hset(self.key, mapping=self.serialize())
            worker_registration.register(self, pipeline)
            pipeline.expire(self.key, self.worker_ttl + 60)
            pipeline.execute()
        if self.scheduler and (not self.scheduler._process or not self.scheduler._process.is_alive()):
            self.scheduler.acquire_locks(auto_start=True)

    def _start_scheduler(self, burst=False, logging_level="INFO", date_format=None, log_format=None):
        """RQ's own, with the scheduler that survives an outage (RQ builds a plain RQScheduler)."""
        kwargs = {k: v for k, v in {"date_format": date_format, "log_format": log_format}.items() if v}
        self.scheduler = ResilientRQScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            serializer=self.serializer,
            **kwargs,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()


class ThreadWorker(AppContextMixin, SimpleWorker):
    """A worker for a thread: no fork (fakeredis lives in this process), no signal handlers, timer timeouts."""

    death_penalty_class = TimerDeathPenalty

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        """RQ's dequeue waits forever; wake every second to notice a stop request."""
        if timeout is None:  # burst mode: RQ returns as soon as the queues are empty
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        while not self._stop_requested:
            result = super().dequeue_job_and_maintain_ttl(1, max_idle_time=1)
            if result is not None:
                return result
        return None

    def _install_signal_handlers(self):
        pass

    def stop_after_current_job(self) -> None:
        self._stop_requested = True


class ThreadRQScheduler(RQScheduler):
    """RQ's delayed/retry scheduler, driven from a thread on the app's own Redis client."""

    def __init__(self, queues, connection, **kwargs):
        super().__init__(queues, connection, **kwargs)
        self._client = connection

    @property
    def connection(self):
        return self._client

    def _install_signal_handlers(self):
        pass


MAINTENANCE_EVERY = 60
"""Seconds between a worker's maintenance (RQ's default: 600), which is also when a worker takes over the retry
scheduler of one that was killed: until then, retries of failed jobs wait."""


def build_worker(app: Flask, worker_class: type = AppWorker, queues: tuple[str, ...] = QUEUES):
    connection = app.extensions["redis"]
    queues = [get_queue(name, app, worker_class.queue_class) for name in queues]
    worker = worker_class(queues, connection=connection, maintenance_interval=MAINTENANCE_EVERY)
    worker.app = app
    return worker


def build_cron(app: Flask) -> CronScheduler:
    """A CronScheduler with every periodic job of `schedule.PERIODIC_JOBS`.

    RQ reads cron strings in local time, so the scheduler's process runs in UTC.
    """
    os.environ["TZ"] = "UTC"
    time.tzset()
    cron = CronScheduler(connection=app.extensions["redis"], logging_level=app.config["LOG_LEVEL"])
    for periodic in PERIODIC_JOBS:
        cron.register(
            periodic.func,
            queue_name=periodic.queue,
            cron=periodic.cron,
            interval=periodic.interval,
            job_timeout=periodic.timeout,
            name=periodic.name,
        )
    return cron


def run_cron_until(cron: CronScheduler, stop: threading.Event) -> None:
    """CronScheduler.start() without signal handlers, stoppable from another thread, and carrying on
    through a Redis outage (with backoff) instead of exiting."""
    backoff = Backoff()
    registered = False
    try:
        while not stop.is_set():
            try:
                if not registered:
                    cron.register_birth()
                    registered = True
                if cron.enqueue_jobs():
                    cron.save()
                cron.heartbeat()  # re-registers itself if a restarted Redis forgot it
            except REDIS_DOWN as error:
                delay = backoff.next()
                log.error("scheduler: Redis unreachable (%s); retrying in %.0f s", error, delay)
                stop.wait(delay)
                continue
            if backoff.failures:
                log.warning("scheduler: Redis is reachable again, carrying on")
                backoff.reset()
            stop.wait(min(cron.calculate_sleep_interval(), CRON_HEARTBEAT))
    finally:
        try:
            cron.register_death()
        except (redis.exceptions.RedisError, SchedulerNotFound):
            pass


def run_scheduler(app: Flask) -> None:
    """`flask scheduler`: the cron scheduler in the foreground until SIGINT/SIGTERM."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    run_cron_until(build_cron(app), stop)


def run_worker(app: Flask, queues: tuple[str, ...], *, burst: bool, with_scheduler: bool) -> None:
    """`flask worker`: RQ's work loop, started again (with backoff) whenever it quits on an error such as
    Redis going away, until it is stopped by a signal or, in burst mode, runs out of jobs."""
    backoff = Backoff()
    while True:
        worker = build_worker(app, queues=queues)
        started = time.monotonic()
        try:
            worker.work(burst=burst, with_scheduler=with_scheduler, logging_level=app.config["LOG_LEVEL"])
        except REDIS_DOWN as error:  # RQ's teardown could not register the worker's death
            log.error("worker: Redis unreachable (%s)", error)
        if burst or worker.stopped_by_signal:
            return
        if time.monotonic() - started > 300:
            backoff.reset()
        delay = backoff.next()
        log.error("worker: the work loop quit on an error; starting it again in %.0f s", delay)
        time.sleep(delay)
        wait_for_redis(app.extensions["redis"], "worker")


class EmbeddedThreads:
    """The worker, retry scheduler and cron scheduler of the embedded mode, as daemon threads."""

    def __init__(self, app: Flask):
        self.app = app
        self.stop_event = threading.Event()
        self.worker = build_worker(app, ThreadWorker)
        self.rq_scheduler = ThreadRQScheduler(list(QUEUES), app.extensions["redis"], interval=1)
        self.cron = build_cron(app)
        self.threads: list[threading.Thread] = []

    def start(self) -> "EmbeddedThreads":
        targets = {
            "stride-worker": lambda: self.worker.work(with_scheduler=False, logging_level=self.app.config["LOG_LEVEL"]),
            "stride-rq-scheduler": self.rq_scheduler.work,
            "stride-cron": lambda: run_cron_until(self.cron, self.stop_event),
        }
        for name, target in targets.items():
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)
        log.warning(
            "Embedded mode: jobs run in threads of this process on an in-process Redis stand-in. "
            "It is single-process and volatile: queued jobs, rate limits and token revocations vanish on restart."
        )
        return self

    def stop(self, timeout: float = 2) -> None:
        """Ask every thread to stop; the worker finishes its job (the threads are daemons in any case)."""
        self.stop_event.set()
        self.worker.stop_after_current_job()
        self.rq_scheduler.request_stop()
        for thread in self.threads:
            thread.join(timeout)
