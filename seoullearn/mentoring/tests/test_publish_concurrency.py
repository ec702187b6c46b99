"""Two operators publish the same run at the same moment: exactly one succeeds."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from seoullearn.core.errors import Conflict
from seoullearn.mentoring import services
from seoullearn.mentoring.models import Match
from seoullearn.mentoring.tests.factories import MenteeApplicationFactory, make_ready_mentor


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_once_one_wins(term: Any, operator: Any, run_tasks: Any) -> None:
    make_ready_mentor(term=term, capacity=3)
    for _ in range(3):
        MenteeApplicationFactory(term=term)
    run = services.matching_run_start(operator=operator, term=term)
    run_tasks()
    run.refresh_from_db()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish() -> None:
        try:
            barrier.wait()
            services.matching_run_publish(operator=operator, run=run)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Match.objects.count() == 3
