from __future__ import annotations

import datetime as dt

import pytest

from seoullearn.activities import services, tasks, xapi
from seoullearn.activities.models import ConsultantSlot, LectureRegistration
from seoullearn.activities.tests.factories import (
    BookingFactory,
    LectureFactory,
    SlotFactory,
    member,
)
from seoullearn.core.models import OutboundMessage
from seoullearn.core.timeutil import now


@pytest.mark.django_db(transaction=True)
def test_reminders_a_day_ahead_once(run_tasks, mailoutbox):
    learner = member()
    soon = SlotFactory()
    ConsultantSlot.objects.filter(pk=soon.pk).update(
        starts_at=now() + dt.timedelta(hours=20), ends_at=now() + dt.timedelta(hours=21)
    )
    BookingFactory(learner=learner, slot=soon)
    BookingFactory(learner=learner)  # three days away: not yet
    lecture = LectureFactory(starts_at=now() + dt.timedelta(hours=10))
    services.lecture_register(lecture=lecture, learner=learner)
    tasks.send_reminders.enqueue()
    run_tasks()
    assert len(mailoutbox) == 2
    assert any(lecture.stream_url in m.body for m in mailoutbox)
    assert tasks.send_reminders_now() == 0
    assert OutboundMessage.objects.filter(purpose="lecture_reminder").count() == 1
    assert LectureRegistration.objects.get().reminded_at is not None


def test_platform_activity_ids_follow_the_profile():
    assert xapi.lecture_activity_id("abc") == (
        "https://slearn.seoul.go.kr/xapi/activities/special-lectures/abc"
    )
    assert xapi.duration_iso(50) == "PT50M"


@pytest.mark.django_db
def test_attended_statements_about_a_lecture_mark_attendance():
    import uuid
    from dataclasses import dataclass

    @dataclass
    class Event:  # the shape the record store delivers to consumers
        verb_id: str
        activity_id: str | None
        user_id: int | None
        voided: bool
        timestamp: object

    lecture = LectureFactory()
    learner = member()
    services.lecture_register(lecture=lecture, learner=learner)
    stranger = member()
    iri = xapi.lecture_activity_id(lecture.public_id)
    events = [
        Event(xapi.VERB_ATTENDED[0], iri, stranger.pk, False, now()),  # not registered
        Event(xapi.VERB_ATTENDED[0], iri, learner.pk, True, now()),  # voided
        Event("http://adlnet.gov/expapi/verbs/launched", iri, learner.pk, False, now()),
        Event(
            xapi.VERB_ATTENDED[0], xapi.lecture_activity_id(uuid.uuid4()), learner.pk, False, now()
        ),
        Event(xapi.VERB_ATTENDED[0], iri, learner.pk, False, now()),
        Event(xapi.VERB_ATTENDED[0], iri, learner.pk, False, now()),  # delivered again
    ]
    assert services.lecture_attendance_from_statements(events) == 1
    registration = LectureRegistration.objects.get(learner=learner)
    assert registration.attendance_source == "xapi"
    assert not LectureRegistration.objects.filter(learner=stranger).exists()
