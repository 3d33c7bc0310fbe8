"""The wrapper every periodic job wears: it records the job's last run and outcome, however it was started
(the scheduler, `flask jobs run`, or a CLI alias such as `flask goals expire`)."""

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime

from app.services import maintenance


def periodic(func: Callable) -> Callable:
    """Decorate a periodic job; `schedule.Periodic` refuses a job without it."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        started, clock = datetime.now(UTC), time.monotonic()
        try:
            result = func(*args, **kwargs)
        except Exception as error:
            maintenance.record_run(func.__name__, started, time.monotonic() - clock, ok=False, outcome=repr(error))
            raise
        maintenance.record_run(func.__name__, started, time.monotonic() - clock, ok=True, outcome=result)
        return result

    run.records_runs = True
    return run
