"""Progress arithmetic over normalised activity records (pure: no Django).

Records come from the xAPI store, providers' usage reports, the city's own programmes and the
plan items a learner ticks off; ``learning.sources`` turns each into an ``ActivityRecord``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class ActivityRecord:
    day: dt.date
    minutes: int
    offering_key: str  # "" for the platform's own activities and self-study
    offering_name: str
    kind: str  # time, completion, assessment
    source: str  # lrs, usage, platform, plan
    score: float | None = None  # 0–100 for assessments


@dataclass(frozen=True)
class Totals:
    minutes: int
    active_days: int
    completions: int
    assessments: int
    average_score: float | None


@dataclass(frozen=True)
class OfferingProgress:
    key: str
    name: str
    totals: Totals


@dataclass(frozen=True)
class Streak:
    current_days: int
    best_days: int
    active_weeks_of_last_8: int
    recent: tuple[tuple[dt.date, bool], ...]  # the last 14 days, oldest first
    rested_recently: bool  # missed yesterday after having been active: welcome back kindly


def _in(records: list[ActivityRecord], start: dt.date, end: dt.date) -> list[ActivityRecord]:
    return [r for r in records if start <= r.day <= end]


def totals(records: list[ActivityRecord]) -> Totals:
    minutes = sum(max(0, r.minutes) for r in records)
    active = {r.day for r in records if r.minutes > 0 or r.kind != "time"}
    completions = sum(1 for r in records if r.kind == "completion")
    scores = [r.score for r in records if r.kind == "assessment" and r.score is not None]
    return Totals(
        minutes=minutes,
        active_days=len(active),
        completions=completions,
        assessments=len(scores),
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
    )


def summarise(
    records: list[ActivityRecord], start: dt.date, end: dt.date
) -> tuple[Totals, list[OfferingProgress]]:
    period = _in(records, start, end)
    by_offering: dict[str, list[ActivityRecord]] = defaultdict(list)
    names: dict[str, str] = {}
    for r in period:
        key = r.offering_key or f"_{r.source}"
        by_offering[key].append(r)
        names.setdefault(key, r.offering_name)
    offerings = [
        OfferingProgress(key=k, name=names[k], totals=totals(v))
        for k, v in sorted(by_offering.items(), key=lambda kv: (-totals(kv[1]).minutes, kv[0]))
    ]
    return totals(period), offerings


def daily_minutes(
    records: list[ActivityRecord], start: dt.date, end: dt.date
) -> list[tuple[dt.date, int]]:
    per_day: dict[dt.date, int] = defaultdict(int)
    for r in _in(records, start, end):
        per_day[r.day] += max(0, r.minutes)
    days = (end - start).days + 1
    return [
        (start + dt.timedelta(days=i), per_day.get(start + dt.timedelta(days=i), 0))
        for i in range(days)
    ]


def weekly_minutes(
    records: list[ActivityRecord], last_week_start: dt.date, weeks: int
) -> list[tuple[dt.date, int]]:
    result = []
    for i in range(weeks - 1, -1, -1):
        start = last_week_start - dt.timedelta(weeks=i)
        end = start + dt.timedelta(days=6)
        result.append((start, sum(max(0, r.minutes) for r in _in(records, start, end))))
    return result


def active_days(records: list[ActivityRecord]) -> set[dt.date]:
    return {r.day for r in records if r.minutes > 0 or r.kind != "time"}


def streak(days: set[dt.date], today: dt.date) -> Streak:
    """A streak that counts what was done and never punishes a rest day: today not yet being
    active does not break it, and weeks with any learning are counted separately."""
    current = 0
    cursor = today if today in days else today - dt.timedelta(days=1)
    while cursor in days:
        current += 1
        cursor -= dt.timedelta(days=1)
    best = 0
    run = 0
    previous: dt.date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        best = max(best, run)
        previous = day
    this_monday = today - dt.timedelta(days=today.weekday())
    weeks = 0
    for i in range(8):
        start = this_monday - dt.timedelta(weeks=i)
        if any(start <= d <= start + dt.timedelta(days=6) for d in days):
            weeks += 1
    recent = tuple(
        (today - dt.timedelta(days=13 - i), (today - dt.timedelta(days=13 - i)) in days)
        for i in range(14)
    )
    yesterday = today - dt.timedelta(days=1)
    rested = yesterday not in days and any(d < yesterday for d in days)
    return Streak(current, best, weeks, recent, rested)


def goal_attainment(
    metric: str, target: int, records: list[ActivityRecord], week_start: dt.date
) -> tuple[float, int]:
    """(percent reached capped at 100, measured value) for a goal's metric.

    Weekly metrics are measured over the current week; completions and scores over all records.
    """
    week = _in(records, week_start, week_start + dt.timedelta(days=6))
    if metric == "weekly_minutes":
        value = sum(max(0, r.minutes) for r in week)
    elif metric == "active_days":
        value = len(active_days(week))
    elif metric == "completions":
        value = sum(1 for r in records if r.kind == "completion")
    elif metric == "assessment":
        avg = totals(records).average_score
        value = round(avg) if avg is not None else 0
    else:
        raise ValueError(f"unknown metric {metric!r}")
    if target <= 0:
        return 100.0, value
    return min(100.0, round(value * 100 / target, 1)), value


def merge_provider_sources(records: list[ActivityRecord]) -> list[ActivityRecord]:
    """A provider's learning can reach us twice: as xAPI statements and in its usage report.
    For each day and provider keep, for time and for completions separately, the source that
    saw more, so the same lesson is never counted twice. Other records pass through."""
    twice = ("lrs", "usage")
    kept = [r for r in records if r.source not in twice or r.kind == "assessment"]
    groups: dict[tuple[dt.date, str, str], dict[str, list[ActivityRecord]]] = {}
    for r in records:
        if r.source in twice and r.kind != "assessment":
            groups.setdefault((r.day, r.offering_key, r.kind), {}).setdefault(r.source, []).append(
                r
            )
    for (_day, _key, kind), by_source in sorted(groups.items(), key=lambda kv: str(kv[0])):
        weights = {
            source: sum(r.minutes for r in rows) if kind == "time" else len(rows)
            for source, rows in by_source.items()
        }
        best = max(weights, key=lambda source: (weights[source], source == "lrs"))
        kept.extend(by_source[best])
    return kept
