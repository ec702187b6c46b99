"""Demo marketplace: contracts within the 7.79 bn KRW content budget, sandbox endpoints for every
provider, seats for demo members (some waiting, some idle), provider staff and API clients."""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from seoullearn.accounts.models import LearnerProfile, User
from seoullearn.catalog import policy
from seoullearn.catalog import selectors as catalog_selectors
from seoullearn.catalog.models import Offering, Provider
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.roles import Role
from seoullearn.core.tasks import enqueue_many
from seoullearn.core.timeutil import now
from seoullearn.eligibility.models import Membership
from seoullearn.enrollment import services
from seoullearn.enrollment.connectors.signing import derive_secret
from seoullearn.enrollment.models import (
    BudgetEntry,
    Contract,
    ProviderEndpoint,
    ProviderStaff,
    Seat,
    Selection,
)
from seoullearn.enrollment.tasks import provision_seat
from seoullearn.programmes.models import BudgetLine, Programme

logger = logging.getLogger(__name__)
BATCH = 2000

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


def members(ctx: DemoContext) -> list[User]:
    """The learners with a current membership, in the order earlier apps shared them."""
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


def learner_levels() -> dict[int, str]:
    """School level per learner (user id), read once instead of one profile per member."""
    return dict(LearnerProfile.objects.values_list("user_id", "school_level"))


def _offering(provider: str, track_codes: list[str]) -> Offering | None:
    return (
        Offering.objects.select_related("provider", "track")
        .filter(provider__code=provider, track__code__in=track_codes)
        .first()
    )


def wishes(members: list[User], levels: dict[int, str]) -> list[tuple[User, Offering]]:
    """What each member picks, in order: a curricular offering for the school level, a
    certificate for every other older member, reading for two in three."""
    offerings: dict[tuple[str, tuple[str, ...]], Offering | None] = {}

    def offering(provider: str, track_codes: tuple[str, ...]) -> Offering | None:
        if (provider, track_codes) not in offerings:
            offerings[provider, track_codes] = _offering(provider, list(track_codes))
        return offerings[provider, track_codes]

    found: list[tuple[User, Offering]] = []
    per_level: dict[str, int] = {}
    for index, member in enumerate(members):
        level = levels.get(member.pk, "")
        nth = per_level[level] = per_level.get(level, -1) + 1
        picks: list[Offering | None] = []
        choices = CURRICULAR_BY_LEVEL.get(level, [])
        if choices:
            # The first members of each level take the first provider (수박씨 for middle
            # school, whose two seats then fill and leave a waiting list).
            pick = choices[0] if nth < 4 else choices[nth % len(choices)]
            picks.append(offering(pick, ("elementary", "middle", "high", "ged")))
        if level in {"high", "out_of_school", "adult"} and index % 2 == 0:
            picks.append(offering(["eduwill", "hackers"][index % 2], ("certificate",)))
        if index % 3 != 2:
            picks.append(offering("welaaa", ("reading",)))
        found.extend((member, o) for o in picks if o is not None)
    return found


def seed(ctx: DemoContext) -> None:
    programme = ctx.shared.get("programme")
    if programme is None:
        from seoullearn.catalog.demo import demo_programme

        programme = demo_programme(ctx)
    start = max(programme.starts_on, dt.date(ctx.today.year, 1, 1))
    with ctx.step("contracts"):
        contracts(programme)
    with ctx.step("staff and clients"):
        _staff_and_clients(ctx)
    learners = members(ctx)
    if not learners:
        logger.info("enrollment demo: no members yet, no seats made")
        return
    selected_on = min(ctx.today, max(start, ctx.today - dt.timedelta(days=75)))
    levels = learner_levels()
    select_in_bulk(ctx, programme, wishes(learners, levels), levels, selected_on)
    with ctx.step("idle seats"):
        _age_some_seats(ctx)
    with ctx.step("spend"):
        month = selected_on.replace(day=1)
        while month <= ctx.today:
            services.spend_accrue(month=month)
            month = (month + dt.timedelta(days=32)).replace(day=1)


def contracts(programme: Programme) -> None:
    """A contract and a sandbox endpoint for every provider of the catalog."""
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


@dataclass
class Selections:
    """What the selections demo writes: rows in insertion order, linked in memory."""

    selections: list[Selection] = field(default_factory=list)
    waited_since: dict[int, dt.datetime] = field(default_factory=dict)  # seated: list join time
    seats: list[Seat] = field(default_factory=list)
    entries: list[BudgetEntry] = field(default_factory=list)
    task_ids: list[uuid.UUID] = field(default_factory=list)


def select_in_bulk(
    ctx: DemoContext,
    programme: Programme,
    wishes: list[tuple[User, Offering]],
    levels: dict[int, str],
    on: dt.date,
) -> None:
    """What ``services.selection_select`` does for each (member, offering) in turn, computed in
    memory and written in bulk.

    The same decisions as the service, in the same order: the membership must be current, the
    selection policy (evaluated on the member's selections so far) must allow the pick and the
    provider's contract must run on the day; then a seat while the contract has one — with its
    commitment in the budget ledger, refused as a whole when the content budget would be
    exceeded — or else a place on the waiting list. Rows get the history records and the
    provisioning tasks the service would leave. Ids come from a generator seeded with the demo
    seed (not ``ctx.rng``, so that the apps after this one draw the same numbers as before).
    """
    with ctx.step("selections decided"):
        plan = _decide(ctx, programme, wishes, levels, on)
    with ctx.step("selections written"):
        _write(plan)


def _decide(
    ctx: DemoContext,
    programme: Programme,
    wishes: list[tuple[User, Offering]],
    levels: dict[int, str],
    on: dt.date,
) -> Selections:
    rng = random.Random(f"enrollment-demo-{ctx.seed}")

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    plan = Selections()
    config = catalog_selectors.policy_config(programme)
    line = BudgetLine.objects.filter(programme=programme, kind=BudgetLine.Kind.CONTENT).first()
    if line is None:
        logger.info("enrollment demo: no content budget line, no seats made")
        return plan
    by_provider = {c.provider_id: c for c in Contract.objects.filter(programme=programme)}
    occupied = dict(
        Seat.objects.filter(contract__programme=programme, status__in=Seat.OCCUPYING)
        .values("contract_id")
        .annotate(n=Count("id"))
        .values_list("contract_id", "n")
    )
    committed = services.committed_krw(programme)
    memberships: dict[int, Membership] = {}
    for current in Membership.objects.filter(
        programme=programme, status__in=Membership.CURRENT
    ).order_by("user_id", "-starts_on"):
        memberships.setdefault(current.user_id, current)
    held: dict[int, list[Selection]] = defaultdict(list)
    for row in (
        Selection.objects.filter(programme=programme)
        .select_related("offering__track", "offering__provider", "replaces__offering__track")
        .order_by("created_at", "id")
    ):
        held[row.user_id].append(row)

    skipped: Counter[str] = Counter()
    for member, offering in wishes:
        membership = memberships.get(member.pk)
        if membership is None or not membership.is_current:
            skipped["not_member"] += 1
            continue
        rows = held[member.pk]
        state = services.state_from_selections(levels.get(member.pk) or None, rows)
        decision = policy.evaluate(
            config,
            state,
            policy.Action.SELECT,
            on=on,
            offering=catalog_selectors.offering_info(offering),
        )
        if not decision.allowed:
            skipped[decision.first.rule if decision.first else "refused"] += 1
            continue
        contract = by_provider.get(offering.provider_id)
        if contract is None or not contract.starts_on <= on <= contract.ends_on:
            skipped["no_contract"] += 1
            continue
        selection = Selection(
            user=member,
            membership=membership,
            programme=programme,
            offering=offering,
            contract=contract,
            status=Selection.Status.WAITING,
            counts_as_switch=decision.counts_as_switch,
            selected_on=on,
            waiting_since=now(),
            public_id=new_id(),
        )
        if occupied.get(contract.pk, 0) < contract.seat_capacity:
            amount = services.seat_commitment_krw(contract, on)
            if committed + amount > line.amount_krw:
                skipped["budget_exhausted"] += 1  # the service rolls the selection back
                continue
            committed += amount
            occupied[contract.pk] = occupied.get(contract.pk, 0) + 1
            seat = Seat(
                contract=contract,
                selection=selection,
                user_id=member.pk,
                status=Seat.Status.PROVISIONING,
                started_on=on,
                idempotency_key=new_id(),
                public_id=new_id(),
            )
            plan.seats.append(seat)
            plan.task_ids.append(new_id())
            plan.entries.append(
                BudgetEntry(
                    programme_id=contract.programme_id,
                    provider_id=contract.provider_id,
                    contract=contract,
                    seat=seat,
                    kind=BudgetEntry.Kind.COMMIT,
                    amount_krw=amount,
                    note=f"{services.months_inclusive(services.month_start(on), contract.ends_on)}"
                    " months",
                    public_id=new_id(),
                )
            )
            plan.waited_since[len(plan.selections)] = selection.waiting_since  # type: ignore[assignment]
            selection.status = Selection.Status.PENDING
            selection.waiting_since = None
        plan.selections.append(selection)
        rows.append(selection)
    if skipped:
        logger.info("enrollment demo: selections skipped %s", dict(skipped))
    return plan


def _write(plan: Selections) -> None:
    selections, waited_since, seats = plan.selections, plan.waited_since, plan.seats
    Selection.objects.bulk_create(selections, batch_size=BATCH)
    # History as the service leaves it: "+" when the selection joins the list, "~" when it
    # takes a seat a moment later.
    for i, since in waited_since.items():
        selections[i].status = Selection.Status.WAITING
        selections[i].waiting_since = since
    Selection.history.bulk_history_create(  # type: ignore[attr-defined]
        selections, batch_size=BATCH, default_change_reason=None
    )
    pending = [selections[i] for i in waited_since]
    for selection in pending:
        selection.status = Selection.Status.PENDING
        selection.waiting_since = None
    Selection.history.bulk_history_create(  # type: ignore[attr-defined]
        pending, batch_size=BATCH, update=True, default_change_reason=None
    )
    Seat.objects.bulk_create(seats, batch_size=BATCH)
    Seat.history.bulk_history_create(  # type: ignore[attr-defined]
        seats, batch_size=BATCH, default_change_reason=None
    )
    BudgetEntry.objects.bulk_create(plan.entries, batch_size=BATCH)
    enqueue_many(provision_seat, [{"seat_id": seat.pk} for seat in seats], ids=iter(plan.task_ids))


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
