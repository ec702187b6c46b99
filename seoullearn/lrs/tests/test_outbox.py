"""Hand-off of new Statements to consumers through the outbox and the lrs task queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import LearnerFactory
from seoullearn.lrs import consumers, outbox, services
from seoullearn.lrs.consumers import StatementEvent
from seoullearn.lrs.models import OutboxBatch, OutboxDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def received() -> Iterator[list[StatementEvent]]:
    events: list[StatementEvent] = []
    consumers.register("test.collector", events.extend)
    yield events
    consumers.unregister("test.collector")


def record(user: Any, verb: str = "http://adlnet.gov/expapi/verbs/completed") -> Any:
    return services.platform_statement_record(
        user=user,
        verb_id=verb,
        verb_display={"en-US": "completed"},
        activity_id="https://p.example/course/1",
        activity_type="http://adlnet.gov/expapi/activities/course",
        activity_name={"ko-KR": "과정"},
    )


@pytest.mark.django_db(transaction=True)
def test_consumer_receives_each_statement_once_through_the_worker(
    received: list[StatementEvent], run_tasks: Any, settings: Any
) -> None:
    settings.LRS_OUTBOX_KICK = True
    services._last_kick = 0.0
    learner = LearnerFactory()
    first = record(learner)
    second = record(learner)
    run_tasks()
    assert [event.statement_id for event in received] == [first, second]
    assert received[0].user_id == learner.pk
    assert received[0].activity_id == "https://p.example/course/1"
    assert outbox.deliver_pending() == 0  # nothing twice
    assert len(received) == 2


def test_failing_consumer_does_not_hold_up_others(
    received: list[StatementEvent], settings: Any
) -> None:
    settings.LRS_OUTBOX_KICK = False

    def broken(events: list[StatementEvent]) -> None:
        raise RuntimeError("downstream is down")

    consumers.register("test.broken", broken)
    try:
        record(LearnerFactory())
        outbox.deliver_pending()
        assert len(received) == 1
        batch = OutboxBatch.objects.get()
        assert not OutboxDelivery.objects.filter(batch=batch, consumer="test.broken").exists()
        consumers.register("test.broken", lambda events: None)
        outbox.deliver_pending()
        assert OutboxDelivery.objects.filter(batch=batch, consumer="test.broken").exists()
    finally:
        consumers.unregister("test.broken")


def test_prune_keeps_undelivered_batches(received: list[StatementEvent], settings: Any) -> None:
    import datetime as dt

    settings.LRS_OUTBOX_KICK = False
    record(LearnerFactory())
    assert outbox.prune(older_than=dt.timedelta(0)) == 0
    outbox.deliver_pending()
    assert outbox.prune(older_than=dt.timedelta(0)) == 1


def test_register_needs_a_name() -> None:
    with pytest.raises(ValueError):
        consumers.register("", lambda events: None)
