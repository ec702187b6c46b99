from __future__ import annotations

import datetime as dt

import pytest

from seoullearn.learning.progress import (
    ActivityRecord,
    daily_minutes,
    goal_attainment,
    streak,
    summarise,
    weekly_minutes,
)

D = dt.date(2026, 3, 9)  # a Monday


def rec(day: dt.date, minutes: int, key: str = "milkt", kind: str = "time", score=None):
    return ActivityRecord(day, minutes, key, key, kind, "lrs", score)


def test_summary_per_offering_and_overall():
    records = [
        rec(D, 30),
        rec(D, 20, "willa"),
        rec(D + dt.timedelta(1), 40),
        rec(D + dt.timedelta(1), 0, kind="completion"),
        rec(D + dt.timedelta(2), 0, kind="assessment", score=80),
        rec(D + dt.timedelta(2), 0, kind="assessment", score=90),
        rec(D - dt.timedelta(1), 999),  # outside the period
    ]
    overall, offerings = summarise(records, D, D + dt.timedelta(6))
    assert overall.minutes == 90
    assert overall.active_days == 3
    assert overall.completions == 1
    assert overall.average_score == 85.0
    assert [o.key for o in offerings] == ["milkt", "willa"]
    assert offerings[0].totals.minutes == 70


def test_daily_and_weekly_series_include_empty_days():
    series = daily_minutes([rec(D, 10)], D, D + dt.timedelta(6))
    assert len(series) == 7 and series[0] == (D, 10) and series[1] == (D + dt.timedelta(1), 0)
    weeks = weekly_minutes([rec(D, 10), rec(D - dt.timedelta(7), 5)], D, 3)
    assert [m for _d, m in weeks] == [0, 5, 10]


def test_streak_is_kind_about_rest_days():
    active = {D - dt.timedelta(days=i) for i in (1, 2, 3)}
    s = streak(active, D)
    assert s.current_days == 3  # today not yet active does not break it
    assert not s.rested_recently
    s = streak({D - dt.timedelta(days=3)}, D)
    assert s.current_days == 0
    assert s.rested_recently  # shown as a welcome back, not a loss
    assert s.active_weeks_of_last_8 == 1
    assert len(s.recent) == 14 and s.recent[-1] == (D, False)


def test_best_streak():
    days = {D, D + dt.timedelta(1), D + dt.timedelta(2), D + dt.timedelta(5)}
    assert streak(days, D + dt.timedelta(5)).best_days == 3


def test_goal_attainment_metrics():
    records = [rec(D, 100), rec(D + dt.timedelta(1), 50), rec(D, 0, kind="completion")]
    assert goal_attainment("weekly_minutes", 300, records, D) == (50.0, 150)
    assert goal_attainment("active_days", 4, records, D) == (50.0, 2)
    assert goal_attainment("completions", 1, records, D) == (100.0, 1)
    assert goal_attainment("assessment", 80, [rec(D, 0, kind="assessment", score=60)], D) == (
        75.0,
        60,
    )
    with pytest.raises(ValueError):
        goal_attainment("vibes", 1, records, D)


def test_provider_learning_reported_twice_is_counted_once():
    from seoullearn.learning.progress import merge_provider_sources

    lrs = [
        ActivityRecord(D, 20, "milkt", "밀크T", "time", "lrs"),
        ActivityRecord(D, 15, "milkt", "밀크T", "time", "lrs"),
        ActivityRecord(D, 0, "milkt", "밀크T", "completion", "lrs"),
        ActivityRecord(D, 0, "milkt", "밀크T", "assessment", "lrs", 90.0),
    ]
    usage = [
        ActivityRecord(D, 30, "milkt", "밀크T", "time", "usage"),
        ActivityRecord(D, 0, "milkt", "밀크T", "completion", "usage"),
        ActivityRecord(D, 0, "milkt", "밀크T", "completion", "usage"),
        ActivityRecord(D, 40, "willa", "윌라", "time", "usage"),
    ]
    platform = [ActivityRecord(D, 50, "", "", "time", "platform")]
    merged = merge_provider_sources(lrs + usage + platform)
    overall, _offerings = summarise(merged, D, D)
    assert overall.minutes == 35 + 40 + 50  # the statements saw more time than the report
    assert overall.completions == 2  # the report saw more completions
    assert overall.average_score == 90.0
