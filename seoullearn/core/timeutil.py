"""Time helpers: stored in UTC, shown and reasoned about in Asia/Seoul."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SEOUL = ZoneInfo("Asia/Seoul")


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today's date in Seoul (not UTC)."""
    return timezone.now().astimezone(SEOUL).date()


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Full years of age on a date (the international count used by law since 2023)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    # clamp to the month's last day
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("unreachable")
