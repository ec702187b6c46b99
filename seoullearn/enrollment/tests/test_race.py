"""Two members racing for the last seat on PostgreSQL: exactly one gets it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from seoullearn.core.errors import RuleViolation
from seoullearn.enrollment import services
from seoullearn.enrollment.models import BudgetEntry, Seat, Selection
from seoullearn.enrollment.tests.factories import member, world


def _race(actions: list[Any]) -> list[Any]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = actions[index]()
        except Exception as exc:  # recorded for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_two_members_race_for_the_last_seat(round_: int) -> None:
    w = world(capacity=1)
    a, b = member(w.programme), member(w.programme)
    offering = w.offerings["mbest"]
    results = _race(
        [
            lambda: services.selection_select(actor=a, offering=offering),
            lambda: services.selection_select(actor=b, offering=offering),
        ]
    )
    assert all(isinstance(r, Selection) for r in results), results
    statuses = sorted(Selection.objects.values_list("status", flat=True))
    assert statuses == ["pending", "waiting"]
    assert Seat.objects.filter(contract=w.contracts["mbest"]).count() == 1
    assert BudgetEntry.objects.filter(kind="commit").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_for_the_last_budget_never_overspends() -> None:
    from seoullearn.core.timeutil import today
    from seoullearn.enrollment.tests.factories import month_count

    months = month_count(today().replace(day=1), today().replace(month=12, day=31))
    price = 10_000
    w = world(price=price, budget=price * months)  # room for exactly one seat
    a, b = member(w.programme), member(w.programme)
    results = _race(
        [
            lambda: services.selection_select(actor=a, offering=w.offerings["mbest"]),
            lambda: services.selection_select(actor=b, offering=w.offerings["soobakc"]),
        ]
    )
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(refused) == 1 and refused[0].code == "budget_exhausted"
    assert services.committed_krw(w.programme) == price * months


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_member_double_clicking_gets_one_selection() -> None:
    w = world()
    a = member(w.programme)
    results = _race([lambda: services.selection_select(actor=a, offering=w.offerings["mbest"])] * 2)
    assert sum(isinstance(r, Selection) for r in results) == 1
    assert Selection.objects.filter(user=a).count() == 1
