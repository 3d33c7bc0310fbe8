"""How jobs run: RQ workers that give every job a fresh app context, and the periodic scheduler.

Production runs these as processes (`flask worker`, `flask scheduler`); the embedded mode runs the
same classes as threads of the web process (`start_embedded_threads`).
"""

import logging
import os
import threading
import time

from flask import Flask
from rq import SimpleWorker, Worker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from app.extensions import db
from app.jobs.schedule import PERIODIC_JOBS
from app.queueing import QUEUES, get_queue

log = logging.getLogger(__name__)


class AppContextMixin:
    """Run each job inside its own app context, so it gets a clean database session."""

    app: Flask

    def perform_job(self, job, queue, execution):
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


class AppWorker(AppContextMixin, Worker):
    """The production worker: forks a work horse per job, like RQ's own."""

    def main_work_horse(self, job, queue):
        with self.app.app_context():
            db.engine.dispose(close=False)  # never share the parent's pooled connections with the child
        super().main_work_horse(job, queue)


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


def build_worker(app: Flask, worker_class: type = AppWorker, queues: tuple[str, ...] = QUEUES):
    connection = app.extensions["redis"]
    worker = worker_class([get_queue(name, app) for name in queues], connection=connection)
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
    """CronScheduler.start() without signal handlers, stoppable from another thread."""
    cron.register_birth()
    try:
        while not stop.is_set():
            if cron.enqueue_jobs():
                cron.save()
            cron.heartbeat()
            stop.wait(cron.calculate_sleep_interval())
    finally:
        cron.register_death()


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
