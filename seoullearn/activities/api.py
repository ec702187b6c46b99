"""JSON API of the city's own programmes: consulting, special lectures, career programme."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from seoullearn.activities import selectors, services
from seoullearn.activities.models import (
    CareerApplication,
    CareerCohort,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingService,
    SpecialLecture,
)
from seoullearn.core.errors import InvalidInput, NotFound
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record

router = Router(tags=["activities"])


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


# --- schemas ----------------------------------------------------------------------------------


class ServiceOut(Schema):
    id: UUID
    code: str
    track: str
    name: str
    quota_per_learner: int
    duration_minutes: int
    eligible: bool
    used: int
    remaining: int
    reason: str


class SlotOut(Schema):
    id: UUID
    track: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: str
    location: str
    consultant: str


class SlotIn(Schema):
    track: str
    starts_at: dt.datetime
    duration_minutes: int = Field(50, ge=15, le=240)
    mode: str = "online"
    location: str = Field("", max_length=200)


class BookingIn(Schema):
    slot_id: UUID
    service_id: UUID
    topic: str = Field("", max_length=2000)


class BookingOut(Schema):
    id: UUID
    service: str
    service_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    consultant: str
    status: str
    shared_summary: str
    consultant_note: str | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class RecordIn(Schema):
    note: str = Field("", max_length=10000)
    summary: str = Field("", max_length=4000)


class SurveyIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    helpful: bool = True
    comment: str = Field("", max_length=2000)


class LectureOut(Schema):
    id: UUID
    sequence: int
    title: str
    speaker: str
    starts_at: dt.datetime
    duration_minutes: int
    platform: str
    stream_url: str | None
    replay_url: str
    registered: bool
    attended: bool


class RegistrationOut(Schema):
    lecture_id: UUID
    status: str
    attended_at: dt.datetime | None


class CheckInIn(Schema):
    code: str = Field(..., min_length=1, max_length=12)


class LectureSurveyIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class CohortOut(Schema):
    id: UUID
    name: str
    track: str
    stages: list[str]
    status: str
    capacity: int
    applications_open_on: dt.date
    applications_close_on: dt.date
    starts_on: dt.date
    ends_on: dt.date


class ApplicationIn(Schema):
    motivation: str = Field(..., min_length=10, max_length=3000)


class ApplicationOut(Schema):
    id: UUID
    cohort_id: UUID
    cohort: str
    status: str
    team: str | None
    stages_completed: list[str]


def _booking_out(booking: ConsultingBooking, viewer: Any) -> BookingOut:
    return BookingOut(
        id=booking.public_id,
        service=booking.service.name,
        service_code=booking.service.code,
        starts_at=booking.slot.starts_at,
        ends_at=booking.slot.ends_at,
        consultant=booking.slot.consultant.display_name,
        status=booking.status,
        shared_summary=booking.shared_summary,
        consultant_note=booking.consultant_note
        if selectors.may_read_note(viewer, booking)
        else None,
    )


def _application_out(a: CareerApplication) -> ApplicationOut:
    return ApplicationOut(
        id=a.public_id,
        cohort_id=a.cohort.public_id,
        cohort=a.cohort.name,
        status=a.status,
        team=a.team.name if a.team else None,
        stages_completed=[s.stage for s in a.stage_completions.all()],
    )


# --- consulting -------------------------------------------------------------------------------


@router.get("/consulting/services", response=list[ServiceOut])
def consulting_services(request: HttpRequest) -> list[ServiceOut]:
    """Consulting services with the learner's eligibility and remaining quota."""
    require_role(request.user, Role.LEARNER)
    return [
        ServiceOut(
            id=a.service.public_id,
            code=a.service.code,
            track=a.service.track,
            name=a.service.name,
            quota_per_learner=a.service.quota_per_learner,
            duration_minutes=a.service.duration_minutes,
            eligible=a.eligible,
            used=a.used,
            remaining=a.remaining,
            reason=a.reason,
        )
        for a in selectors.services_for(request.user)
    ]


@router.get("/consulting/slots", response=list[SlotOut])
def consulting_slots(request: HttpRequest, track: str = "") -> list[SlotOut]:
    """Open future slots nobody holds."""
    require_role(request.user, Role.LEARNER, Role.OPERATOR)
    if track and track not in ConsultingService.Track.values:
        raise InvalidInput(_("상담 분야를 확인해 주세요."), details={"field": "track"})
    return [
        SlotOut(
            id=s.public_id,
            track=s.track,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            mode=s.mode,
            location=s.location,
            consultant=s.consultant.display_name,
        )
        for s in selectors.open_slots(track=track or None)[:200]
    ]


@router.post("/consulting/slots", response={201: SlotOut})
def consulting_slot_create(request: HttpRequest, payload: SlotIn) -> tuple[int, SlotOut]:
    """A consultant offers a time."""
    slot = services.consulting_slot_create(
        consultant=request.user,
        track=payload.track,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        mode=payload.mode,
        location=payload.location,
        actor=request.user,
    )
    return 201, SlotOut(
        id=slot.public_id,
        track=slot.track,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        mode=slot.mode,
        location=slot.location,
        consultant=slot.consultant.display_name,
    )


@router.post("/consulting/bookings", response={201: BookingOut})
def consulting_book(request: HttpRequest, payload: BookingIn) -> tuple[int, BookingOut]:
    slot = ConsultantSlot.objects.filter(public_id=payload.slot_id).first()
    service = ConsultingService.objects.filter(public_id=payload.service_id).first()
    if slot is None or service is None:
        raise NotFound(_("상담 일정 또는 상담 종류를 찾을 수 없습니다."))
    booking = services.consulting_book(
        learner=request.user, slot=slot, service=service, topic=payload.topic
    )
    return 201, _booking_out(booking, request.user)


@router.get("/consulting/bookings", response=list[BookingOut])
def consulting_bookings(request: HttpRequest) -> list[BookingOut]:
    """The learner's own bookings, or a consultant's bookings."""
    require_role(request.user, Role.LEARNER, Role.CONSULTANT)
    qs = (
        selectors.bookings_for_learner(request.user)
        if _role(request) == Role.LEARNER
        else selectors.bookings_for_consultant(request.user)
    )
    return [_booking_out(b, request.user) for b in qs[:200]]


@router.get("/consulting/bookings/{booking_id}", response=BookingOut)
def consulting_booking(request: HttpRequest, booking_id: UUID) -> BookingOut:
    require_role(request.user, Role.LEARNER, Role.CONSULTANT, Role.OPERATOR)
    booking = selectors.booking_for(request.user, booking_id)
    if request.user.pk != booking.learner_id:
        access_log_record(
            actor=request.user,
            subject=booking.learner,
            action="view",
            purpose="consulting booking (API)",
            request=request,
            obj=booking,
        )
    return _booking_out(booking, request.user)


@router.post("/consulting/bookings/{booking_id}/cancel", response=BookingOut)
def consulting_cancel(request: HttpRequest, booking_id: UUID, payload: ReasonIn) -> BookingOut:
    require_role(request.user, Role.LEARNER, Role.CONSULTANT, Role.OPERATOR)
    booking = selectors.booking_for(request.user, booking_id)
    booking = services.consulting_cancel(booking=booking, actor=request.user, reason=payload.reason)
    return _booking_out(booking, request.user)


@router.post("/consulting/bookings/{booking_id}/complete", response=BookingOut)
def consulting_complete(request: HttpRequest, booking_id: UUID, payload: RecordIn) -> BookingOut:
    require_role(request.user, Role.CONSULTANT, Role.OPERATOR)
    booking = selectors.booking_for(request.user, booking_id)
    booking = services.consulting_complete(
        booking=booking, actor=request.user, note=payload.note, summary=payload.summary
    )
    return _booking_out(booking, request.user)


@router.post("/consulting/bookings/{booking_id}/no-show", response=BookingOut)
def consulting_no_show(request: HttpRequest, booking_id: UUID, payload: ReasonIn) -> BookingOut:
    require_role(request.user, Role.CONSULTANT, Role.OPERATOR)
    booking = selectors.booking_for(request.user, booking_id)
    booking = services.consulting_no_show(
        booking=booking, actor=request.user, reason=payload.reason
    )
    return _booking_out(booking, request.user)


@router.put("/consulting/bookings/{booking_id}/notes", response=BookingOut)
def consulting_notes(request: HttpRequest, booking_id: UUID, payload: RecordIn) -> BookingOut:
    require_role(request.user, Role.CONSULTANT)
    booking = selectors.booking_for(request.user, booking_id)
    booking = services.consulting_notes_update(
        booking=booking, actor=request.user, note=payload.note, summary=payload.summary
    )
    return _booking_out(booking, request.user)


@router.post("/consulting/bookings/{booking_id}/survey", response={201: dict[str, int]})
def consulting_survey(
    request: HttpRequest, booking_id: UUID, payload: SurveyIn
) -> tuple[int, dict[str, int]]:
    require_role(request.user, Role.LEARNER)
    booking = selectors.booking_for(request.user, booking_id)
    survey = services.consulting_survey_submit(
        booking=booking,
        learner=request.user,
        rating=payload.rating,
        helpful=payload.helpful,
        comment=payload.comment,
    )
    return 201, {"rating": survey.rating}


# --- special lectures -------------------------------------------------------------------------


@router.get("/lectures", response=list[LectureOut])
def lectures(request: HttpRequest) -> list[LectureOut]:
    require_role(request.user, Role.LEARNER)
    regs = {r.lecture_id: r for r in selectors.registrations_for_learner(request.user)}
    result = []
    for lecture in selectors.lectures_of():
        reg = regs.get(lecture.pk)
        registered = reg is not None and reg.status == "registered"
        result.append(
            LectureOut(
                id=lecture.public_id,
                sequence=lecture.sequence,
                title=lecture.title,
                speaker=lecture.speaker,
                starts_at=lecture.starts_at,
                duration_minutes=lecture.duration_minutes,
                platform=lecture.platform,
                stream_url=lecture.stream_url if registered else None,
                replay_url=lecture.replay_url,
                registered=registered,
                attended=bool(reg and reg.attended_at),
            )
        )
    return result


def _lecture(lecture_id: UUID) -> SpecialLecture:
    return selectors.lecture_by_id(lecture_id)


@router.post("/lectures/{lecture_id}/registration", response={201: RegistrationOut})
def lecture_register(request: HttpRequest, lecture_id: UUID) -> tuple[int, RegistrationOut]:
    reg = services.lecture_register(lecture=_lecture(lecture_id), learner=request.user)
    return 201, RegistrationOut(
        lecture_id=lecture_id, status=reg.status, attended_at=reg.attended_at
    )


@router.delete("/lectures/{lecture_id}/registration", response=RegistrationOut)
def lecture_unregister(request: HttpRequest, lecture_id: UUID) -> RegistrationOut:
    require_role(request.user, Role.LEARNER)
    reg = selectors.registration_of(request.user, _lecture(lecture_id))
    if reg is None:
        raise NotFound(_("신청 내역이 없습니다."))
    reg = services.lecture_unregister(registration=reg, actor=request.user)
    return RegistrationOut(lecture_id=lecture_id, status=reg.status, attended_at=reg.attended_at)


@router.post("/lectures/{lecture_id}/check-in", response=RegistrationOut)
def lecture_check_in(request: HttpRequest, lecture_id: UUID, payload: CheckInIn) -> RegistrationOut:
    reg = services.lecture_check_in(
        lecture=_lecture(lecture_id), learner=request.user, code=payload.code
    )
    return RegistrationOut(lecture_id=lecture_id, status=reg.status, attended_at=reg.attended_at)


@router.post("/lectures/{lecture_id}/survey", response={201: dict[str, int]})
def lecture_survey(
    request: HttpRequest, lecture_id: UUID, payload: LectureSurveyIn
) -> tuple[int, dict[str, int]]:
    require_role(request.user, Role.LEARNER)
    reg = selectors.registration_of(request.user, _lecture(lecture_id))
    if reg is None:
        raise NotFound(_("신청 내역이 없습니다."))
    survey = services.lecture_survey_submit(
        registration=reg, learner=request.user, rating=payload.rating, comment=payload.comment
    )
    return 201, {"rating": survey.rating}


# --- career programme -------------------------------------------------------------------------


@router.get("/career/cohorts", response=list[CohortOut])
def cohorts(request: HttpRequest) -> list[CohortOut]:
    require_role(request.user, Role.LEARNER, Role.OPERATOR)
    return [
        CohortOut(
            id=c.public_id,
            name=c.name,
            track=c.track,
            stages=list(c.stages),
            status=c.status,
            capacity=c.capacity,
            applications_open_on=c.applications_open_on,
            applications_close_on=c.applications_close_on,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
        )
        for c in selectors.cohorts_visible()
    ]


@router.post("/career/cohorts/{cohort_id}/applications", response={201: ApplicationOut})
def cohort_apply(
    request: HttpRequest, cohort_id: UUID, payload: ApplicationIn
) -> tuple[int, ApplicationOut]:
    cohort = CareerCohort.objects.filter(public_id=cohort_id).first()
    if cohort is None:
        raise NotFound(_("기수를 찾을 수 없습니다."))
    application = services.cohort_apply(
        cohort=cohort, learner=request.user, motivation=payload.motivation
    )
    return 201, _application_out(application)


@router.get("/career/applications", response=list[ApplicationOut])
def applications(request: HttpRequest) -> list[ApplicationOut]:
    require_role(request.user, Role.LEARNER)
    return [_application_out(a) for a in selectors.applications_for_learner(request.user)]


@router.post("/career/applications/{application_id}/withdraw", response=ApplicationOut)
def application_withdraw(request: HttpRequest, application_id: UUID) -> ApplicationOut:
    require_role(request.user, Role.LEARNER)
    application = selectors.application_for(request.user, application_id)
    application = services.application_withdraw(application=application, actor=request.user)
    return _application_out(application)
