"""Periodic work: reminders a day before a consulting session or a special lecture.

Idempotent: each booking and registration remembers when it was reminded.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from seoullearn.activities.models import ConsultingBooking, LectureRegistration
from seoullearn.activities.notify import notify_user
from seoullearn.core.timeutil import SEOUL, now

REMIND_AHEAD = dt.timedelta(hours=24)


def send_reminders_now(*, at: dt.datetime | None = None) -> int:
    at = at or now()
    horizon = at + REMIND_AHEAD
    sent = 0
    bookings = ConsultingBooking.objects.filter(
        status=ConsultingBooking.Status.BOOKED,
        reminded_at__isnull=True,
        slot__starts_at__gt=at,
        slot__starts_at__lte=horizon,
    ).values_list("pk", flat=True)
    for pk in list(bookings):
        with transaction.atomic():
            booking = (
                ConsultingBooking.objects.select_for_update(skip_locked=True)
                .select_related("slot", "service", "learner")
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            with translation.override(booking.learner.preferred_language or "ko"):
                when = booking.slot.starts_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
                notify_user(
                    user=booking.learner,
                    subject=_("[서울런] 내일 상담 예약 안내"),
                    body=_("%(service)s 상담이 %(when)s에 있습니다. 장소: %(where)s")
                    % {
                        "service": booking.service.name,
                        "when": when,
                        "where": booking.slot.location or booking.slot.get_mode_display(),
                    },
                    purpose="consulting_reminder",
                )
            booking.reminded_at = at
            booking.save(update_fields=["reminded_at", "updated_at"])
            sent += 1
    registrations = LectureRegistration.objects.filter(
        status=LectureRegistration.Status.REGISTERED,
        reminded_at__isnull=True,
        lecture__starts_at__gt=at,
        lecture__starts_at__lte=horizon,
    ).values_list("pk", flat=True)
    for pk in list(registrations):
        with transaction.atomic():
            registration = (
                LectureRegistration.objects.select_for_update(skip_locked=True)
                .select_related("lecture", "learner")
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if registration is None:
                continue
            lecture = registration.lecture
            with translation.override(registration.learner.preferred_language or "ko"):
                when = lecture.starts_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
                notify_user(
                    user=registration.learner,
                    subject=_("[서울런] 특강 안내: %(title)s") % {"title": lecture.title},
                    body=_("%(when)s에 시작합니다. 접속 링크: %(url)s")
                    % {"when": when, "url": lecture.stream_url},
                    purpose="lecture_reminder",
                )
            registration.reminded_at = at
            registration.save(update_fields=["reminded_at", "updated_at"])
            sent += 1
    return sent


@task()
def send_reminders() -> int:
    return send_reminders_now()
