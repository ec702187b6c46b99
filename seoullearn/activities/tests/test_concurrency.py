"""Races for the same consulting slot and the same quota, with real threads on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections

from seoullearn.activities import services
from seoullearn.activities.models import ConsultingBooking
from seoullearn.activities.tests.factories import ServiceFactory, SlotFactory, member
from seoullearn.core.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except DomainError as exc:
            outcomes[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_learners_booking_the_same_slot_exactly_one_gets_it():
    service = ServiceFactory()
    slot: Any = SlotFactory()
    learners = [member() for _i in range(2)]
    for _round in range(3):
        outcomes = _race(
            [
                lambda learner=learner, slot=slot: services.consulting_book(
                    learner=learner, slot=slot, service=service
                )
                for learner in learners
            ]
        )
        won = [o for o in outcomes if isinstance(o, ConsultingBooking)]
        lost = [o for o in outcomes if isinstance(o, DomainError)]
        assert len(won) == 1 and len(lost) == 1
        assert lost[0].code in ("slot_taken",)
        assert ConsultingBooking.objects.filter(slot=slot, status="booked").count() == 1
        ConsultingBooking.objects.filter(slot=slot).update(status="cancelled")
        slot = SlotFactory()


def test_one_learner_racing_for_the_last_session_gets_it_once():
    service = ServiceFactory(quota_per_learner=1)
    learner = member()
    slots = [SlotFactory(), SlotFactory()]
    outcomes = _race(
        [
            lambda slot=slot: services.consulting_book(learner=learner, slot=slot, service=service)
            for slot in slots
        ]
    )
    assert sum(isinstance(o, ConsultingBooking) for o in outcomes) == 1
    assert ConsultingBooking.objects.filter(learner=learner, status="booked").count() == 1
