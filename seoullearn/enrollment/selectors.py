"""Reads of the marketplace for pages, API and other apps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from seoullearn.catalog.models import Provider
from seoullearn.core.timeutil import now
from seoullearn.enrollment.models import (
    BudgetEntry,
    Contract,
    ProviderStaff,
    Seat,
    Selection,
    UsageRecord,
)
from seoullearn.programmes.models import BudgetLine, Programme


def held_selections(user: Any, programme: Programme) -> QuerySet[Selection]:
    return (
        Selection.objects.filter(user=user, programme=programme, status__in=Selection.HELD)
        .select_related("offering__provider", "offering__track", "contract")
        .order_by("offering__track__order")
    )


def my_sites(user: Any, programme: Programme) -> list[dict[str, Any]]:
    """The member's selections with their seat (if any) and place in the waiting list."""
    rows = []
    for selection in held_selections(user, programme):
        seat = Seat.objects.filter(selection=selection).first()
        position = None
        if selection.status == Selection.Status.WAITING and selection.waiting_since:
            position = Selection.objects.filter(
                contract=selection.contract,
                status=Selection.Status.WAITING,
                waiting_since__lte=selection.waiting_since,
            ).count()
        rows.append({"selection": selection, "seat": seat, "position": position})
    return rows


def provider_of_staff(user: Any) -> Provider | None:
    link = ProviderStaff.objects.select_related("provider").filter(user=user).first()
    return link.provider if link else None


def provider_seats(provider: Provider) -> QuerySet[Seat]:
    return (
        Seat.objects.filter(contract__provider=provider)
        .select_related("selection__offering__track", "user", "contract")
        .order_by("-created_at")
    )


def provider_usage(provider: Provider, *, since: dt.date) -> list[dict[str, Any]]:
    rows: Any = (
        UsageRecord.objects.filter(provider=provider, day__gte=since)
        .values("day")
        .annotate(minutes=Sum("minutes"), lessons=Sum("lessons_completed"), learners=Count("seat"))
        .order_by("day")
    )
    return [dict(row) for row in rows]


@dataclass
class SeatUse:
    contract: Contract
    taken: int
    pending: int
    failed: int
    idle: int
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.contract.seat_capacity - self.taken - self.pending - self.failed)


def seat_use(programme: Programme, *, idle_days: int) -> list[SeatUse]:
    cutoff = now() - dt.timedelta(days=idle_days)
    result = []
    contracts = Contract.objects.filter(programme=programme).select_related("provider")
    for contract in contracts:
        counts = Seat.objects.filter(contract=contract).aggregate(
            taken=Count("id", filter=Q(status=Seat.Status.ACTIVE)),
            pending=Count("id", filter=Q(status=Seat.Status.PROVISIONING)),
            failed=Count("id", filter=Q(status=Seat.Status.FAILED)),
            idle=Count(
                "id",
                filter=Q(status=Seat.Status.ACTIVE)
                & (
                    Q(last_activity_at__lt=cutoff)
                    | Q(last_activity_at__isnull=True, provisioned_at__lt=cutoff)
                    | Q(idle_notice_at__isnull=False)
                ),
            ),
        )
        waiting = Selection.objects.filter(
            contract=contract, status=Selection.Status.WAITING
        ).count()
        result.append(SeatUse(contract=contract, waiting=waiting, **counts))
    return result


def reclamation_queue(programme: Programme) -> QuerySet[Seat]:
    return (
        Seat.objects.filter(
            contract__programme=programme,
            status=Seat.Status.ACTIVE,
            idle_notice_at__isnull=False,
        )
        .select_related("user", "contract__provider", "selection__offering")
        .order_by("idle_notice_at")
    )


def budget(programme: Programme) -> dict[str, Any]:
    line = BudgetLine.objects.filter(programme=programme, kind=BudgetLine.Kind.CONTENT).first()
    total = line.amount_krw if line else 0
    per_provider: dict[int, dict[str, Any]] = {}
    entries = (
        BudgetEntry.objects.filter(programme=programme)
        .values("provider", "kind")
        .annotate(total=Sum("amount_krw"))
    )
    for row in entries:
        item = per_provider.setdefault(row["provider"], {"committed": 0, "spent": 0})
        if row["kind"] == BudgetEntry.Kind.SPEND:
            item["spent"] += row["total"] or 0
        else:
            item["committed"] += row["total"] or 0
    providers = {p.pk: p for p in Provider.objects.filter(pk__in=per_provider.keys())}
    contract_value = {
        c.provider_id: c.seat_capacity
        * c.price_per_seat_month_krw
        * ((c.ends_on.year - c.starts_on.year) * 12 + c.ends_on.month - c.starts_on.month + 1)
        for c in Contract.objects.filter(programme=programme)
    }
    rows = [
        {
            "provider": providers[pk],
            "committed": v["committed"],
            "spent": v["spent"],
            "contract_value": contract_value.get(pk, 0),
        }
        for pk, v in per_provider.items()
    ]
    rows.sort(key=lambda r: -r["committed"])
    committed = sum(r["committed"] for r in rows)
    spent = sum(r["spent"] for r in rows)
    return {
        "total": total,
        "committed": committed,
        "spent": spent,
        "remaining": total - committed,
        "rows": rows,
        "contracts_value": sum(contract_value.values()),
    }


def last_usage_day(seat: Seat) -> dt.date | None:
    return seat.usage.aggregate(last=Max("day"))["last"]
