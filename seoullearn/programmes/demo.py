"""Demo programme: 서울런 of the current year in Seoul, with the seed document's budget lines.

The 2022 work report puts the programme at 16.56 bn KRW: content 7.79 bn, mentoring 5.53 bn,
platform 3.24 bn. Later apps find the programme in ``ctx.shared["programme"]``.
"""

from __future__ import annotations

import datetime as dt

from seoullearn.core.demo import DemoContext
from seoullearn.programmes.models import BudgetLine, Jurisdiction, Programme

BUDGET_KRW: dict[str, int] = {
    BudgetLine.Kind.CONTENT: 7_790_000_000,
    BudgetLine.Kind.MENTORING: 5_530_000_000,
    BudgetLine.Kind.PLATFORM: 3_240_000_000,
}


def seed(ctx: DemoContext) -> None:
    year = ctx.today.year
    seoul = Jurisdiction.objects.get(slug="seoul")
    programme, _ = Programme.objects.get_or_create(
        code=f"seoul-{year}",
        defaults={
            "jurisdiction": seoul,
            "name": f"서울런 {year}",
            "year": year,
            "starts_on": dt.date(year, 1, 1),
            "ends_on": dt.date(year, 12, 31),
            "is_active": True,
        },
    )
    for kind, amount in BUDGET_KRW.items():
        BudgetLine.objects.update_or_create(
            programme=programme, kind=kind, defaults={"amount_krw": amount}
        )
    ctx.shared["programme"] = programme
