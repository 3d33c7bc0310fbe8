"""Streaks: runs of consecutive periods with activity (weeks with a workout, periods of a habit done).

A period is anything ordered whose neighbour is one `step` away: an int with step 1 (the n-th period of a
habit), or a Monday with step `timedelta(weeks=1)`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Streaks:
    last: Any  # the latest period with activity, None when there is none
    last_run: int  # the length of the run that ends at `last`
    longest: int


def streaks(periods: Iterable, step: Any = 1) -> Streaks:
    """The runs of consecutive periods among `periods` (repeats and order do not matter)."""
    run = longest = 0
    previous = None
    for period in sorted(set(periods)):
        run = run + 1 if previous is not None and period - previous == step else 1
        longest, previous = max(longest, run), period
    return Streaks(previous, run, longest)


def current_streak(periods: Iterable, now: Any, step: Any = 1) -> int:
    """The run that ends at `now`; or, while `now` has no activity yet, the run that ends just before it
    (the current period is still open). Periods after `now` do not count."""
    done = set(periods)
    end = now if now in done else now - step
    upto = streaks((period for period in done if period <= end), step)
    return upto.last_run if upto.last == end else 0
