"""Demo marketplace: contracts within the 7.79 bn KRW content budget, sandbox endpoints for every
provider, seats for demo members (some waiting, some idle), provider staff and API clients."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings

from seoullearn.accounts.models import User
from seoullearn.catalog.models import Offering, Provider
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.errors import DomainError
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now
from seoullearn.eligibility.models import Membership
from seoullearn.enrollment import services
from seoullearn.enrollment.connectors.signing import derive_secret
from seoullearn.enrollment.models import Contract, ProviderEndpoint, ProviderStaff, Seat, Selection

logger = logging.getLogger(__name__)

# provider: (seats, KRW per seat-month). 12 months of these total 7,292,880,000 KRW, inside the
# 7.79 bn content budget. 수박씨 is kept small in the demo so that its waiting list shows.
CONTRACTS = {
    "homelearn": (2700, 25_000),
    "elihigh": (2500, 22_000),
    "milkt": (5000, 24_000),
    "mbest": (3000, 23_000),
    "soobakc": (2, 20_000),
    "megastudy": (3000, 28_000),
    "mimac": (2000, 27_000),
    "etoos": (2500, 26_000),
    "eduwill": (2000, 18_000),
    "hackers": (1400, 18_000),
    "welaaa": (4000, 8_000),
}
CURRICULAR_BY_LEVEL = {
    "elementary": ["homelearn", "elihigh", "milkt"],
    "middle": ["soobakc", "mbest", "milkt"],
    "high": ["megastudy", "milkt", "mimac", "etoos"],
    "out_of_school": ["eduwill"],
    "adult": ["eduwill"],
}


def _members(ctx: DemoContext) -> list[User]:
    shared = ctx.shared.get("members") or []
    users: list[User] = []
    for item in shared:
        user = getattr(item, "user", item)
        if isinstance(user, User):
            users.append(user)
    if not users:
        users = [
            m.user
            for m in Membership.objects.filter(status__in=Membership.CURRENT).select_related("user")
        ]
    return [u for u in users if u.role == Role.LEARNER]


def _offering(provider: str, track_codes: list[str]) -> Offering | None:
    return Offering.objects.filter(provider__code=provider, track__code__in=track_codes).first()


def seed(ctx: DemoContext) -> None:
    programme = ctx.shared.get("programme")
    if programme is None:
        from seoullearn.catalog.demo import demo_programme

        programme = demo_programme(ctx)
    start = max(programme.starts_on, dt.date(ctx.today.year, 1, 1))
    for code, (seats, price) in CONTRACTS.items():
        provider = Provider.objects.filter(code=code).first()
        if provider is None:
            continue
        Contract.objects.update_or_create(
            programme=programme,
            provider=provider,
            defaults={
                "seat_capacity": seats,
                "price_per_seat_month_krw": price,
                "starts_on": programme.starts_on,
                "ends_on": programme.ends_on,
            },
        )
        ProviderEndpoint.objects.update_or_create(
            provider=provider,
            defaults={
                "base_url": settings.SANDBOX_PROVIDER_URL,
                "key_id": code,
                "secret": derive_secret(settings.SANDBOX_PROVIDER_SECRET, code),
            },
        )
    _staff_and_clients(ctx)
    members = _members(ctx)
    if not members:
        logger.info("enrollment demo: no members yet, no seats made")
        return
    selected_on = min(ctx.today, max(start, ctx.today - dt.timedelta(days=75)))
    per_level: dict[str, int] = {}
    for index, member in enumerate(members):
        profile = getattr(member, "learner_profile", None)
        level = profile.school_level if profile is not None else ""
        nth = per_level[level] = per_level.get(level, -1) + 1
        picks: list[Offering | None] = []
        choices = CURRICULAR_BY_LEVEL.get(level, [])
        if choices:
            # The first members of each level take the first provider (수박씨 for middle
            # school, whose two seats then fill and leave a waiting list).
            pick = choices[0] if nth < 4 else choices[nth % len(choices)]
            picks.append(_offering(pick, ["elementary", "middle", "high", "ged"]))
        if level in {"high", "out_of_school", "adult"} and index % 2 == 0:
            picks.append(_offering(["eduwill", "hackers"][index % 2], ["certificate"]))
        if index % 3 != 2:
            picks.append(_offering("welaaa", ["reading"]))
        for offering in picks:
            if offering is None:
                continue
            try:
                services.selection_select(actor=member, offering=offering, on=selected_on)
            except DomainError as exc:
                logger.info("demo selection skipped for %s: %s", member, exc.code)
    _age_some_seats(ctx)
    month = selected_on.replace(day=1)
    while month <= ctx.today:
        services.spend_accrue(month=month)
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _age_some_seats(ctx: DemoContext) -> None:
    """Show the reclamation queue: a few seats made active long ago with no activity since."""
    seats = list(
        Seat.objects.filter(status=Seat.Status.PROVISIONING).order_by("id")[: ctx.scale(3, 30)]
    )
    long_ago = now() - dt.timedelta(days=45)
    for i, seat in enumerate(seats):
        Seat.objects.filter(pk=seat.pk).update(
            status=Seat.Status.ACTIVE,
            external_account_id=f"demo-{seat.idempotency_key.hex[:12]}",
            account_state=Seat.AccountState.OPEN,
            provisioned_at=long_ago,
            last_activity_at=long_ago,
            idle_notice_at=now() - dt.timedelta(days=2) if i % 2 == 0 else None,
        )
        Selection.objects.filter(pk=seat.selection_id).update(status=Selection.Status.ACTIVE)


def _staff_and_clients(ctx: DemoContext) -> None:
    for code in ("milkt", "megastudy"):
        provider = Provider.objects.get(code=code)
        username = f"provider-{code}"
        user, made = User.objects.get_or_create(
            username=username,
            defaults={
                "role": Role.PROVIDER_STAFF,
                "full_name": f"{provider.name_ko} 담당자",
                "email": f"{username}@provider.example",
            },
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
        ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
        ctx.login(Role.PROVIDER_STAFF, username, f"{provider.name_ko} portal")
        client_id, secret = services.api_client_create(
            actor=None, provider=provider, name=f"{provider.name_en} usage reports"
        )
        ctx.login(
            "provider_api",
            client_id,
            f"{provider.code} OAuth2 client credentials, secret {secret}",
        )
        ctx.shared.setdefault("provider_clients", {})[code] = (client_id, secret)
