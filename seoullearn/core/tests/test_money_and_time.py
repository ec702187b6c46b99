from __future__ import annotations

import datetime as dt

from django.utils import translation

from seoullearn.core.money import format_krw, format_krw_short
from seoullearn.core.timeutil import add_months, age_on


def test_content_budget_reads_in_korean_and_english_units() -> None:
    with translation.override("ko"):
        assert format_krw_short(7_790_000_000) == "77.9억원"
        assert format_krw(12_000) == "12,000원"
    with translation.override("en"):
        assert format_krw_short(7_790_000_000) == "KRW 7.79 bn"
        assert format_krw(12_000) == "KRW 12,000"


def test_age_counts_full_years_only_after_the_birthday() -> None:
    born = dt.date(2012, 6, 15)
    assert age_on(born, dt.date(2026, 6, 14)) == 13
    assert age_on(born, dt.date(2026, 6, 15)) == 14


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
