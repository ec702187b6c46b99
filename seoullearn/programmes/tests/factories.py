from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from seoullearn.programmes.models import BudgetLine, Jurisdiction, Programme


def seoul() -> Jurisdiction:
    return Jurisdiction.objects.get(slug="seoul")  # created by programmes.0002


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
