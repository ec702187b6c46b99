"""Background work of the marketplace (queue "provisioning" for calls to providers)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from seoullearn.core.timeutil import today


@task(queue_name="provisioning")
def provision_seat(seat_id: int) -> str:
    """Create the provider account of a seat; re-enqueues itself with backoff while the
    provider is down. Idempotent."""
    from seoullearn.enrollment.services import seat_provision

    return seat_provision(seat_id=seat_id)


@task(queue_name="provisioning")
def close_seat_account(seat_id: int) -> str:
    from seoullearn.enrollment.services import seat_close_account

    return seat_close_account(seat_id=seat_id)


@task(queue_name="provisioning")
def pull_usage(day: str | None = None) -> int:
    """Fetch yesterday's usage from every provider with an endpoint."""
    from seoullearn.catalog.models import Provider
    from seoullearn.enrollment.services import usage_pull

    when = dt.date.fromisoformat(day) if day else today() - dt.timedelta(days=1)
    pulled = 0
    for provider in Provider.objects.filter(endpoint__is_enabled=True, is_active=True):
        if usage_pull(provider=provider, day=when) is not None:
            pulled += 1
    return pulled


@task()
def reclaim_idle_seats() -> dict[str, int]:
    from seoullearn.enrollment.services import idle_seats_sweep

    return idle_seats_sweep()


@task()
def accrue_spend(month: str | None = None) -> int:
    """Spend of the current month (idempotent: one ledger row per seat and month)."""
    from seoullearn.enrollment.services import spend_accrue

    return spend_accrue(month=dt.date.fromisoformat(month) if month else today())
