"""Factories and a small world for marketplace tests: a programme with the content budget,
providers with contracts and sandbox endpoints, and members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import factory
from factory.django import DjangoModelFactory

from seoullearn.accounts.models import LearnerProfile, User
from seoullearn.accounts.tests.factories import LearnerFactory, OperatorFactory, UserFactory
from seoullearn.catalog.models import Offering, Provider
from seoullearn.catalog.tests.factories import OfferingFactory, ProviderFactory, track
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import today
from seoullearn.eligibility.models import Membership
from seoullearn.enrollment.connectors.signing import derive_secret
from seoullearn.enrollment.models import Contract, ProviderEndpoint, ProviderStaff
from seoullearn.programmes.models import BudgetLine, Programme
from seoullearn.programmes.tests.factories import BudgetLineFactory, ProgrammeFactory

MASTER = "sandbox-provider-dev-secret"


class ContractFactory(DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    provider = factory.SubFactory(ProviderFactory)
    seat_capacity = 100
    price_per_seat_month_krw = 20_000
    starts_on = factory.LazyAttribute(lambda o: o.programme.starts_on)
    ends_on = factory.LazyAttribute(lambda o: o.programme.ends_on)


def ensure_reference_data() -> None:
    """Rows made by data migrations (Seoul, the tracks); a transactional test's flush removes
    them, so tests that run the real worker put them back the same way."""
    import importlib

    from django.apps import apps

    importlib.import_module("seoullearn.programmes.migrations.0002_seoul_districts").add_seoul(
        apps, None
    )
    importlib.import_module("seoullearn.catalog.migrations.0003_standard_tracks").add_tracks(
        apps, None
    )


def programme_now(budget: int = 7_790_000_000) -> Programme:
    ensure_reference_data()
    year = today().year
    programme: Any = ProgrammeFactory(year=year)
    if not BudgetLine.objects.filter(programme=programme, kind="content").exists():
        BudgetLineFactory(programme=programme, amount_krw=budget)
    return programme


def member(programme: Programme, *, level: str = "middle", username: str | None = None) -> User:
    kwargs: dict[str, Any] = {"username": username} if username else {}
    user: Any = LearnerFactory(**kwargs)
    LearnerProfile.objects.update_or_create(user=user, defaults={"school_level": level, "grade": 2})
    Membership.objects.create(
        user=user,
        programme=programme,
        status=Membership.Status.ACTIVE,
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
    )
    return User.objects.get(pk=user.pk)


def operator() -> User:
    from allauth.mfa.models import Authenticator

    user: Any = OperatorFactory()
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "test"}}
    )
    return user


def staff_of(provider: Provider, username: str | None = None) -> User:
    kwargs: dict[str, Any] = {"username": username} if username else {}
    user: Any = UserFactory(role=Role.PROVIDER_STAFF, **kwargs)
    ProviderStaff.objects.create(user=user, provider=provider)
    return user


@dataclass
class World:
    programme: Programme
    offerings: dict[str, Offering] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)


def world(
    *,
    base_url: str = "http://127.0.0.1:9",
    capacity: int = 100,
    price: int = 20_000,
    budget: int = 7_790_000_000,
) -> World:
    """Offerings: mbest, soobakc (middle), mega (high), eduwill (certificate), welaaa (reading)."""
    programme = programme_now(budget)
    w = World(programme=programme)
    spec = {
        "mbest": "middle",
        "soobakc": "middle",
        "mega": "high",
        "eduwill": "certificate",
        "welaaa": "reading",
    }
    for code, track_code in spec.items():
        provider: Any = ProviderFactory(code=code)
        offering: Any = OfferingFactory(provider=provider, track=track(track_code))
        w.offerings[code] = offering
        contract: Any = ContractFactory(
            programme=programme,
            provider=provider,
            seat_capacity=capacity,
            price_per_seat_month_krw=price,
        )
        w.contracts[code] = contract
        ProviderEndpoint.objects.create(
            provider=provider,
            base_url=base_url,
            key_id=code,
            secret=derive_secret(MASTER, code),
            timeout_seconds=2.0,
        )
    return w


def month_count(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1
