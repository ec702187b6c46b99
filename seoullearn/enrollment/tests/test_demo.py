"""The marketplace demo data: the same rows the selection service would make (it is written in
bulk, not through the service), the marketplace's invariants, and the same data for a seed."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django_tasks_db.models import DBTaskResult

from seoullearn.accounts import demo as accounts_demo
from seoullearn.catalog import demo as catalog_demo
from seoullearn.catalog import policy
from seoullearn.catalog import selectors as catalog_selectors
from seoullearn.core.demo import DemoContext
from seoullearn.core.errors import DomainError
from seoullearn.core.timeutil import today
from seoullearn.eligibility import demo as eligibility_demo
from seoullearn.enrollment import demo, services
from seoullearn.enrollment.models import BudgetEntry, Contract, Seat, Selection
from seoullearn.programmes import demo as programmes_demo
from seoullearn.programmes.models import BudgetLine

pytestmark = pytest.mark.django_db
PROVISION = "seoullearn.enrollment.tasks.provision_seat"


def _world(seed: int = 5) -> DemoContext:
    """Everything the enrollment demo reads: programme, accounts, members, catalog."""
    ctx = DemoContext(size="small", seed=seed, today=today())
    programmes_demo.seed(ctx)
    accounts_demo.seed(ctx)
    eligibility_demo.seed(ctx)
    catalog_demo.seed(ctx)
    demo.contracts(ctx.shared["programme"])
    return ctx


def _outcome() -> list[Any]:
    """What a run of selections left, independent of ids and clock times."""
    rows = []
    for s in Selection.objects.select_related("user", "offering", "contract").order_by("id"):
        seat = Seat.objects.filter(selection=s).first()
        rows.append(
            (
                s.user.username,
                s.offering.title_ko,
                s.membership_id,
                s.status,
                s.counts_as_switch,
                s.selected_on,
                s.waiting_since is not None,
                sorted(s.history.values_list("history_type", "status")),
                None
                if seat is None
                else (
                    seat.status,
                    seat.started_on,
                    seat.user_id == s.user_id,
                    seat.contract_id == s.contract_id,
                    sorted(seat.history.values_list("history_type", "status")),
                    sorted(seat.ledger.values_list("kind", "amount_krw", "month", "note")),
                    DBTaskResult.objects.filter(
                        task_path=PROVISION, args_kwargs__kwargs__seat_id=seat.pk
                    ).count(),
                ),
            )
        )
    waiting = {
        c.provider.code: list(
            Selection.objects.filter(contract=c, status="waiting")
            .order_by("waiting_since", "id")
            .values_list("user__username", flat=True)
        )
        for c in Contract.objects.select_related("provider")
    }
    return [rows, waiting]


def _both_ways(budget_krw: int | None = None) -> tuple[list[Any], list[Any], Counter[str]]:
    """The demo's wishes through the service one by one, then through the bulk writer."""
    ctx = _world()
    programme = ctx.shared["programme"]
    if budget_krw is not None:
        BudgetLine.objects.filter(programme=programme, kind="content").update(amount_krw=budget_krw)
    levels = demo.learner_levels()
    wishes = demo.wishes(demo.members(ctx), levels)
    on = today() - dt.timedelta(days=20)
    refused: Counter[str] = Counter()
    with transaction.atomic():
        for member, offering in wishes:
            try:
                services.selection_select(actor=member, offering=offering, on=on)
            except DomainError as exc:
                refused[exc.code] += 1
        by_service = _outcome()
        transaction.set_rollback(True)
    demo.select_in_bulk(ctx, programme, wishes, levels, on)
    return by_service, _outcome(), refused


def test_bulk_selections_are_what_the_service_makes() -> None:
    by_service, in_bulk, refused = _both_ways()
    assert in_bulk == by_service
    rows, waiting = in_bulk
    statuses = Counter(row[3] for row in rows)
    # the cases the demo shows: seats being provisioned, a waiting list, refused picks
    assert statuses["pending"] > 100 and statuses["waiting"] >= 1
    assert waiting["soobakc"]
    assert refused["school_level"] > 0


def test_bulk_selections_stop_at_the_content_budget_as_the_service_does() -> None:
    by_service, in_bulk, refused = _both_ways(budget_krw=3_000_000)
    assert in_bulk == by_service
    assert refused["budget_exhausted"] > 0
    committed = BudgetEntry.objects.filter(kind__in=["commit", "release"]).aggregate(
        total=Sum("amount_krw")
    )["total"]
    assert 0 < committed <= 3_000_000


def test_small_demo_keeps_the_marketplace_invariants() -> None:
    ctx = _world()
    demo.seed(ctx)
    programme = ctx.shared["programme"]
    contracts = list(Contract.objects.filter(programme=programme))
    assert len(contracts) == len(demo.CONTRACTS)

    # seats within capacity; a waiting list only where the contract is full
    for contract in contracts:
        occupied = Seat.objects.filter(contract=contract, status__in=Seat.OCCUPYING).count()
        assert occupied <= contract.seat_capacity, contract
        if Selection.objects.filter(contract=contract, status="waiting").exists():
            assert occupied == contract.seat_capacity, contract

    # every confirmed selection has exactly one seat of its member under its contract;
    # waiting ones none
    selections = list(Selection.objects.select_related("membership"))
    assert selections
    seats = {seat.selection_id: seat for seat in Seat.objects.all()}
    assert len(seats) == Seat.objects.count()
    for s in selections:
        assert s.membership.user_id == s.user_id and s.membership.is_current
        seat = seats.get(s.pk)
        if s.status == "waiting":
            assert seat is None and s.waiting_since is not None
        else:
            assert s.status in ("pending", "active")
            assert seat is not None and s.waiting_since is None
            assert (seat.user_id, seat.contract_id) == (s.user_id, s.contract_id)
            assert (seat.status == "active") == (s.status == "active")

    # provisioning: a task per seat; the aged seats have their account and show as idle
    tasks = Counter(
        t.args_kwargs["kwargs"]["seat_id"] for t in DBTaskResult.objects.filter(task_path=PROVISION)
    )
    assert tasks == Counter(Seat.objects.values_list("id", flat=True))
    active = Seat.objects.filter(status="active")
    assert active.count() == 3
    assert all(s.external_account_id and s.provisioned_at for s in active)
    assert not Seat.objects.filter(status="provisioning").exclude(external_account_id="").exists()

    # the ledger: one commitment per seat for its months, spend for every month held, and
    # commitments within the content budget
    line = BudgetLine.objects.get(programme=programme, kind="content")
    ledger: dict[int | None, list[BudgetEntry]] = defaultdict(list)
    for entry in BudgetEntry.objects.select_related("contract"):
        ledger[entry.seat_id].append(entry)
    total_commit = 0
    for seat in Seat.objects.select_related("contract"):
        commits = [e for e in ledger[seat.pk] if e.kind == "commit"]
        assert [e.amount_krw for e in commits] == [
            services.seat_commitment_krw(seat.contract, seat.started_on)
        ]
        total_commit += commits[0].amount_krw
        months = sorted(e.month for e in ledger[seat.pk] if e.kind == "spend" and e.month)
        first = seat.started_on.replace(day=1)
        assert months[0] == first and months[-1] == ctx.today.replace(day=1)
        assert len(months) == services.months_inclusive(first, ctx.today)
        assert all(
            e.amount_krw == seat.contract.price_per_seat_month_krw
            for e in ledger[seat.pk]
            if e.kind == "spend"
        )
    assert total_commit == services.committed_krw(programme) <= line.amount_krw
    assert None not in ledger

    # the selection policy holds for what every member holds
    config = catalog_selectors.policy_config(programme)
    levels = demo.learner_levels()
    held: dict[int, list[Selection]] = defaultdict(list)
    for s in Selection.objects.select_related("offering__track", "offering__provider"):
        held[s.user_id].append(s)
    for user_id, rows in held.items():
        for s in rows:
            others = services.state_from_selections(
                levels.get(user_id) or None, [r for r in rows if r.pk != s.pk]
            )
            decision = policy.evaluate(
                config,
                others,
                policy.Action.SELECT,
                on=s.selected_on,
                offering=catalog_selectors.offering_info(s.offering),
            )
            assert decision.allowed, (user_id, s.offering, decision.violations)


def _fingerprint() -> list[Any]:
    return [
        sorted(
            Selection.objects.values_list(
                "public_id", "user__username", "offering__title_ko", "status"
            )
        ),
        sorted(
            Seat.objects.values_list("public_id", "idempotency_key", "status", "user__username")
        ),
        sorted(BudgetEntry.objects.values_list("kind", "amount_krw", "month", "seat__public_id")),
        sorted(
            str(t.id)
            for t in DBTaskResult.objects.filter(task_path=PROVISION).order_by("enqueued_at")
        ),
    ]


def test_same_seed_same_marketplace_other_seed_other_one() -> None:
    with transaction.atomic():
        demo.seed(_world(seed=5))
        first = _fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        demo.seed(_world(seed=5))
        second = _fingerprint()
        transaction.set_rollback(True)
    demo.seed(_world(seed=6))
    third = _fingerprint()
    assert first == second
    assert first != third
    assert all(first)
