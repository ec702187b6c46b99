"""Reads about consulting, the career programme and special lectures, with object-level checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from seoullearn.activities.models import (
    CareerApplication,
    CareerCohort,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingService,
    LectureRegistration,
    SpecialLecture,
)
from seoullearn.core.errors import NotFound, PermissionDenied
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL, age_on, now, today
from seoullearn.programmes.models import Programme
from seoullearn.programmes.selectors import current_programme

# --- school year ------------------------------------------------------------------------------

_LEVEL_OFFSET = {"elementary": 0, "middle": 6, "high": 9}
GRADUATE_YEAR = 13


def school_year(user: Any) -> int | None:
    """School year counted from elementary 1 (middle 1 = 7, high 3 = 12, graduates = 13).

    Out-of-school youth count by age, so a 15-year-old is in year 9 and an 18-year-old or
    older is an applicant (13)."""
    profile = getattr(user, "learner_profile", None)
    if profile is None:
        return None
    level = profile.school_level
    if level in _LEVEL_OFFSET:
        if not profile.grade:
            return None
        return _LEVEL_OFFSET[level] + int(profile.grade)
    if level == "adult":
        return GRADUATE_YEAR
    if level == "out_of_school":
        # By age: the school year a learner of that age would be in (grade 1 at 7 on 1 March).
        if user.birth_date is None:
            return None
        day = today()
        school_start = dt.date(day.year if day.month >= 3 else day.year - 1, 3, 1)
        return max(1, min(GRADUATE_YEAR, age_on(user.birth_date, school_start) - 6))
    return None


def _programme_or_none() -> Programme | None:
    try:
        return current_programme()
    except NotFound:
        return None


# --- consulting -------------------------------------------------------------------------------

QUOTA_STATES_BASE = (ConsultingBooking.Status.BOOKED, ConsultingBooking.Status.COMPLETED)


def quota_states(service: ConsultingService) -> list[str]:
    states: list[str] = list(QUOTA_STATES_BASE)
    if service.no_show_uses_quota:
        states.append(ConsultingBooking.Status.NO_SHOW)
    if service.late_cancel_uses_quota:
        states.append(ConsultingBooking.Status.LATE_CANCELLED)
    return states


def quota_used(learner: Any, service: ConsultingService) -> int:
    return ConsultingBooking.objects.filter(
        learner=learner, service=service, status__in=quota_states(service)
    ).count()


@dataclass(frozen=True)
class ServiceAvailability:
    service: ConsultingService
    eligible: bool
    used: int
    remaining: int
    reason: str


def services_for(learner: Any, programme: Programme | None = None) -> list[ServiceAvailability]:
    """Every active consulting service with the learner's eligibility and remaining quota."""
    programme = programme or _programme_or_none()
    if programme is None:
        return []
    year = school_year(learner)
    result = []
    for service in ConsultingService.objects.filter(programme=programme, is_active=True):
        used = quota_used(learner, service)
        remaining = max(0, service.quota_per_learner - used)
        if year is None:
            eligible, reason = False, str(_("학교급과 학년을 먼저 입력해 주세요."))
        elif not service.grade_min <= year <= service.grade_max:
            eligible, reason = False, str(_("이 상담의 대상 학년이 아닙니다."))
        elif remaining == 0:
            eligible, reason = False, str(_("이용 가능 횟수를 모두 사용했습니다."))
        else:
            eligible, reason = True, ""
        result.append(ServiceAvailability(service, eligible, used, remaining, reason))
    return result


def remaining_quotas(learner: Any) -> dict[str, int]:
    """Remaining sessions per eligible service code (the planner's quota input)."""
    return {a.service.code: a.remaining for a in services_for(learner) if a.eligible}


def open_slots(*, track: str | None = None, since: dt.datetime | None = None) -> QuerySet[Any]:
    """Future open slots nobody holds."""
    qs = (
        ConsultantSlot.objects.select_related("consultant")
        .filter(status=ConsultantSlot.Status.OPEN, starts_at__gt=since or now())
        .exclude(bookings__status__in=ConsultingBooking.SLOT_HOLDING)
    )
    if track:
        qs = qs.filter(track=track)
    return qs.order_by("starts_at", "id")


def bookings_for_learner(learner: Any) -> QuerySet[ConsultingBooking]:
    return (
        ConsultingBooking.objects.select_related("slot", "slot__consultant", "service")
        .filter(learner=learner)
        .order_by("-slot__starts_at")
    )


def bookings_for_consultant(consultant: Any) -> QuerySet[ConsultingBooking]:
    return (
        ConsultingBooking.objects.select_related("slot", "service", "learner")
        .filter(slot__consultant=consultant)
        .order_by("slot__starts_at")
    )


def slots_for_consultant(consultant: Any) -> QuerySet[ConsultantSlot]:
    return (
        ConsultantSlot.objects.filter(consultant=consultant)
        .annotate(
            held=Count("bookings", filter=Q(bookings__status__in=ConsultingBooking.SLOT_HOLDING))
        )
        .order_by("starts_at")
    )


def may_read_note(viewer: Any, booking: ConsultingBooking) -> bool:
    """The private consultant note: the consultant who holds the slot and operators only."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.role == Role.OPERATOR:
        return True
    return bool(viewer.role == Role.CONSULTANT and booking.slot.consultant_id == viewer.pk)


def booking_for(viewer: Any, public_id: Any) -> ConsultingBooking:
    """A booking the viewer may see: its learner, its consultant, an operator."""
    booking = (
        ConsultingBooking.objects.select_related("slot", "slot__consultant", "service", "learner")
        .filter(public_id=public_id)
        .first()
    )
    if booking is None:
        raise NotFound(_("예약을 찾을 수 없습니다."))
    if viewer.role == Role.OPERATOR:
        return booking
    if viewer.role == Role.LEARNER and booking.learner_id == viewer.pk:
        return booking
    if viewer.role == Role.CONSULTANT and booking.slot.consultant_id == viewer.pk:
        return booking
    raise PermissionDenied(_("이 예약을 볼 권한이 없습니다."), code="wrong_owner")


def upcoming_bookings(learner: Any, *, start: dt.datetime, end: dt.datetime) -> list[Any]:
    return list(
        ConsultingBooking.objects.select_related("slot", "service")
        .filter(
            learner=learner,
            status=ConsultingBooking.Status.BOOKED,
            slot__starts_at__gte=start,
            slot__starts_at__lt=end,
        )
        .order_by("slot__starts_at")
    )


# --- career programme -------------------------------------------------------------------------


def cohorts_open_for_application(programme: Programme | None = None) -> QuerySet[CareerCohort]:
    qs = CareerCohort.objects.filter(status=CareerCohort.Status.RECRUITING)
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("applications_close_on", "name")


def cohorts_visible() -> QuerySet[CareerCohort]:
    return CareerCohort.objects.exclude(status=CareerCohort.Status.DRAFT).order_by("-starts_on")


def applications_for_learner(learner: Any) -> QuerySet[CareerApplication]:
    return (
        CareerApplication.objects.select_related("cohort", "team")
        .prefetch_related("stage_completions", "deliverables")
        .filter(learner=learner)
        .order_by("-created_at")
    )


def application_for(viewer: Any, public_id: Any) -> CareerApplication:
    application = (
        CareerApplication.objects.select_related("cohort", "team", "learner")
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise NotFound(_("신청을 찾을 수 없습니다."))
    if viewer.role == Role.OPERATOR:
        return application
    if viewer.role == Role.LEARNER and application.learner_id == viewer.pk:
        return application
    raise PermissionDenied(_("이 신청을 볼 권한이 없습니다."), code="wrong_owner")


def career_events(learner: Any, *, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Company visits and presentations of the learner's selected cohorts in a period."""
    events: list[dict[str, Any]] = []
    apps = CareerApplication.objects.select_related("cohort", "team").filter(
        learner=learner, status=CareerApplication.Status.SELECTED
    )
    for application in apps:
        for visit in application.cohort.visits.filter(visit_at__gte=start, visit_at__lt=end):
            events.append(
                {
                    "kind": "career",
                    "at": visit.visit_at,
                    "minutes": visit.duration_minutes,
                    "title": f"{visit.company_name}",
                    "ref": str(visit.public_id),
                }
            )
        team = application.team
        if team and team.presentation_at and start <= team.presentation_at < end:
            events.append(
                {
                    "kind": "career",
                    "at": team.presentation_at,
                    "minutes": 60,
                    "title": team.topic or team.name,
                    "ref": str(team.public_id),
                }
            )
    return events


# --- special lectures -------------------------------------------------------------------------


def lectures_of(programme: Programme | None = None) -> QuerySet[SpecialLecture]:
    programme = programme or _programme_or_none()
    qs = SpecialLecture.objects.annotate(
        registered=Count(
            "registrations",
            filter=Q(registrations__status=LectureRegistration.Status.REGISTERED),
        )
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("starts_at")


def registrations_for_learner(learner: Any) -> QuerySet[LectureRegistration]:
    return (
        LectureRegistration.objects.select_related("lecture")
        .filter(learner=learner)
        .order_by("lecture__starts_at")
    )


def registration_of(learner: Any, lecture: SpecialLecture) -> LectureRegistration | None:
    return LectureRegistration.objects.filter(lecture=lecture, learner=learner).first()


def lecture_by_id(public_id: Any) -> SpecialLecture:
    lecture = SpecialLecture.objects.filter(public_id=public_id).first()
    if lecture is None:
        raise NotFound(_("특강을 찾을 수 없습니다."))
    return lecture


def lecture_events(learner: Any, *, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    regs = LectureRegistration.objects.select_related("lecture").filter(
        learner=learner,
        status=LectureRegistration.Status.REGISTERED,
        lecture__starts_at__gte=start,
        lecture__starts_at__lt=end,
    )
    return [
        {
            "kind": "lecture",
            "at": r.lecture.starts_at,
            "minutes": r.lecture.duration_minutes,
            "title": r.lecture.title,
            "ref": str(r.lecture.public_id),
        }
        for r in regs
    ]


def consulting_events(
    learner: Any, *, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    return [
        {
            "kind": "consulting",
            "at": b.slot.starts_at,
            "minutes": b.service.duration_minutes,
            "title": b.service.name,
            "ref": str(b.public_id),
        }
        for b in upcoming_bookings(learner, start=start, end=end)
    ]


def upcoming_lectures_open(learner: Any, *, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """Lectures in a period the learner has not registered for (for plan suggestions)."""
    return list(
        SpecialLecture.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(registrations__learner=learner)
        .order_by("starts_at")
    )


# --- achievements for the portfolio -----------------------------------------------------------


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SEOUL).date()


def achievements(learner: Any) -> list[dict[str, Any]]:
    """Verified achievements from the city's own programmes, one dict per source record."""
    items: list[dict[str, Any]] = []
    for b in ConsultingBooking.objects.select_related("service", "slot").filter(
        learner=learner, status=ConsultingBooking.Status.COMPLETED
    ):
        items.append(
            {
                "kind": "consulting",
                "source_key": f"consulting:{b.public_id}",
                "title": str(b.service.name),
                "detail": b.shared_summary,
                "occurred_on": _local_date(b.completed_at or b.slot.starts_at),
                "evidence": str(_("상담 완료 기록 (컨설턴트 확인)")),
            }
        )
    for r in LectureRegistration.objects.select_related("lecture").filter(
        learner=learner, attended_at__isnull=False
    ):
        items.append(
            {
                "kind": "lecture",
                "source_key": f"lecture:{r.lecture.public_id}",
                "title": f"{r.lecture.title} ({r.lecture.speaker})",
                "detail": "",
                "occurred_on": _local_date(r.attended_at or r.lecture.starts_at),
                "evidence": str(
                    _("특강 출석 기록 (%(source)s)") % {"source": r.get_attendance_source_display()}
                ),
            }
        )
    for a in (
        CareerApplication.objects.select_related("cohort", "team")
        .prefetch_related("stage_completions", "deliverables")
        .filter(learner=learner)
    ):
        for completion in a.stage_completions.all():
            items.append(
                {
                    "kind": "career",
                    "source_key": f"career:{a.public_id}:{completion.stage}",
                    "title": f"{a.cohort.name} · {completion.get_stage_display()}",
                    "detail": completion.note,
                    "occurred_on": _local_date(completion.completed_at),
                    "evidence": str(_("진로 프로그램 단계 이수 (운영자 확인)")),
                }
            )
        if a.status == CareerApplication.Status.COMPLETED and a.completed_at:
            deliverables = ", ".join(d.title for d in a.deliverables.all())
            items.append(
                {
                    "kind": "career",
                    "source_key": f"career:{a.public_id}:completed",
                    "title": str(_("%(cohort)s 수료") % {"cohort": a.cohort.name}),
                    "detail": (a.team.topic if a.team else "")
                    + (f" — {deliverables}" if deliverables else ""),
                    "occurred_on": _local_date(a.completed_at),
                    "evidence": str(_("진로 프로그램 수료 (운영자 확인)")),
                }
            )
    return items
