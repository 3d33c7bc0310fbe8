"""The periodic jobs, as data. The scheduler (`flask scheduler`, or a thread in embedded mode) enqueues them."""

from collections.abc import Callable
from dataclasses import dataclass

from app.jobs import challenges, events, goals, habits, maintenance, media


@dataclass(frozen=True)
class Periodic:
    func: Callable
    cron: str | None = None  # read in UTC
    interval: int | None = None  # seconds, when not a cron string
    queue: str = "low"
    timeout: int = 300

    def __post_init__(self) -> None:
        if not getattr(self.func, "records_runs", False):
            raise TypeError(f"periodic job {self.func.__name__} needs the @periodic decorator (app/jobs/periodic.py)")

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"


PERIODIC_JOBS: list[Periodic] = [
    # Jobs whose commit found Redis down reach their queue within seconds of its return (app/queueing.py).
    Periodic(maintenance.relay_outbox, interval=5, queue="high", timeout=60),
    Periodic(maintenance.prune_expired, cron="*/15 * * * *"),
    # Every 15 minutes: local midnights fall on quarter hours in every timezone.
    Periodic(goals.expire_goals, cron="*/15 * * * *"),
    Periodic(habits.remind_habits, cron="* * * * *", queue="high", timeout=120),
    Periodic(events.remind_events, cron="* * * * *", queue="high", timeout=120),
    # Every minute: a report whose worker died is re-enqueued (or failed) about 2 minutes later, not 10.
    Periodic(maintenance.reconcile_files, cron="* * * * *", timeout=120),
    Periodic(media.prune_media, cron="*/30 * * * *"),
    # A challenge ends with its UTC end date: closed within a quarter hour of the day after.
    Periodic(challenges.close_challenges, cron="*/15 * * * *", timeout=600),
]
