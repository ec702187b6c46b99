"""Periodic jobs of the marketplace are registered and run through the real worker."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from seoullearn.core import scheduler
from seoullearn.enrollment import services
from seoullearn.enrollment.models import BudgetEntry
from seoullearn.enrollment.tests.factories import member, world


def test_periodic_jobs_are_registered() -> None:
    names = {job.name for job in scheduler.jobs()}
    assert {
        "enrollment.reclaim_idle_seats",
        "enrollment.accrue_spend",
        "enrollment.pull_usage",
    } <= names


@pytest.mark.django_db(transaction=True)
def test_scheduled_jobs_run_in_the_worker(run_tasks: Callable[[], None]) -> None:
    w = world()
    services.selection_select(actor=member(w.programme), offering=w.offerings["welaaa"])
    enqueued = scheduler.run_due_jobs()
    assert "enrollment.accrue_spend" in enqueued
    run_tasks()
    assert BudgetEntry.objects.filter(kind="spend").count() == 1
    assert scheduler.run_due_jobs() == []  # once per slot
