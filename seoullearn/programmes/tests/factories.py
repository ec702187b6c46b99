from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.programmes.models import BudgetLine, District, Jurisdiction, Programme


def seoul() -> Jurisdiction:
    """Seoul and its 25 districts (created by programmes.0002; recreated here after a
    transactional test flushed the tables)."""
    jurisdiction = Jurisdiction.objects.filter(slug="seoul").first()
    if jurisdiction is not None and jurisdiction.districts.exists():
        return jurisdiction
    if jurisdiction is None:
        jurisdiction = Jurisdiction.objects.create(
            slug="seoul", name_ko="서울특별시", name_en="Seoul"
        )
    District.objects.bulk_create(
        [
            District(
                jurisdiction=jurisdiction,
                code=d.code,
                slug=d.slug,
                name_ko=d.name_ko,
                name_en=d.name_en,
                lat=d.lat,
                lon=d.lon,
            )
            for d in SEOUL_DISTRICTS
        ],
        ignore_conflicts=True,
    )
    return jurisdiction


class ProgrammeFactory(DjangoModelFactory[Programme]):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    jurisdiction = factory.LazyFunction(seoul)
    year = 2026
    code = factory.LazyAttribute(lambda o: f"seoul-{o.year}")
    name = factory.LazyAttribute(lambda o: f"서울런 {o.year}")
    starts_on = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    is_active = True


class BudgetLineFactory(DjangoModelFactory[BudgetLine]):
    class Meta:
        model = BudgetLine

    programme = factory.SubFactory(ProgrammeFactory)
    kind = BudgetLine.Kind.CONTENT
    amount_krw = 7_790_000_000
