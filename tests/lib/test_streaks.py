"""Runs of consecutive periods: longest, latest, and the one still current."""

from datetime import date, timedelta

from app.lib.streaks import Streaks, current_streak, streaks

WEEK = timedelta(weeks=1)


def test_no_activity_is_no_streak():
    assert streaks([]) == Streaks(last=None, last_run=0, longest=0)
    assert current_streak([], now=5) == 0


def test_a_gap_ends_a_run():
    assert streaks([1, 2, 3, 5, 6]) == Streaks(last=6, last_run=2, longest=3)


def test_repeats_and_order_do_not_matter():
    assert streaks([6, 2, 2, 1, 3, 5, 6]) == streaks([1, 2, 3, 5, 6])


def test_the_longest_run_may_be_the_latest():
    assert streaks([1, 3, 4, 5]) == Streaks(last=5, last_run=3, longest=3)


def test_weeks_are_periods_one_week_apart():
    mondays = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]

    assert streaks(mondays, step=WEEK) == Streaks(last=date(2026, 12, 7), last_run=3, longest=3)


def test_a_run_that_reaches_now_is_current():
    assert current_streak({3, 4, 5}, now=5) == 3


def test_the_current_period_is_still_open():
    assert current_streak({3, 4, 5}, now=6) == 3  # nothing yet in period 6: the run up to 5 still counts


def test_a_run_that_ended_before_the_previous_period_is_over():
    assert current_streak({3, 4, 5}, now=7) == 0


def test_periods_after_now_do_not_count_toward_the_current_run():
    assert current_streak({4, 5, 6, 7}, now=5) == 2


def test_the_current_run_counts_back_to_the_last_gap():
    assert current_streak({1, 2, 4, 5, 6}, now=6) == 3
