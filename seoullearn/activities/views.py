"""Pages for learners (consulting, lectures, career programme) and consultants."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seoullearn.activities import selectors, services
from seoullearn.activities.forms import (
    ApplicationForm,
    BookingForm,
    CheckInForm,
    DeliverableForm,
    LectureSurveyForm,
    SchedulePatternForm,
    SessionRecordForm,
    SlotForm,
    SurveyForm,
)
from seoullearn.activities.models import (
    CareerCohort,
    CareerStage,
    ConsultantSlot,
    ConsultingService,
    Deliverable,
)
from seoullearn.activities.web import attempt, decorate
from seoullearn.core.errors import DomainError, NotFound, PermissionDenied
from seoullearn.core.files import read_encrypted
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import SEOUL, now, today

LEARNER = Role.LEARNER
CONSULTANT = Role.CONSULTANT


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


@role_required(LEARNER)
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "activities/home.html",
        {
            "services": selectors.services_for(request.user),
            "bookings": selectors.bookings_for_learner(request.user)[:5],
            "registrations": selectors.registrations_for_learner(request.user),
            "applications": selectors.applications_for_learner(request.user),
        },
    )


# --- consulting (learner) ---------------------------------------------------------------------


@role_required(LEARNER)
def consulting(request: HttpRequest) -> HttpResponse:
    availability = selectors.services_for(request.user)
    eligible = [a.service for a in availability if a.eligible]
    tracks = sorted({s.track for s in eligible})
    track = request.GET.get("track") or (tracks[0] if tracks else "")
    slots = list(selectors.open_slots(track=track)[:60]) if track in tracks else []
    return render(
        request,
        "activities/consulting.html",
        {
            "availability": availability,
            "tracks": [(t, ConsultingService.Track(t).label) for t in tracks],
            "track": track,
            "slots": slots,
            "form": BookingForm(services=[s for s in eligible if s.track == track]),
            "bookings": selectors.bookings_for_learner(request.user),
        },
    )


@role_required(LEARNER)
@require_POST
def consulting_book(request: HttpRequest, slot_id: str) -> HttpResponse:
    slot = ConsultantSlot.objects.filter(public_id=slot_id).first()
    if slot is None:
        raise NotFound(_("상담 일정을 찾을 수 없습니다."))
    services_ = list(ConsultingService.objects.filter(is_active=True, track=slot.track))
    form = BookingForm(request.POST, services=services_)
    if not form.is_valid():
        messages.error(request, _("상담 종류를 골라 주세요."))
        return redirect(f"/activities/consulting/?track={slot.track}")
    service = next(s for s in services_ if str(s.public_id) == form.cleaned_data["service"])
    booking = attempt(
        request,
        lambda: services.consulting_book(
            learner=request.user, slot=slot, service=service, topic=form.cleaned_data["topic"]
        ),
        _("상담을 예약했습니다."),
    )
    if booking is None:
        return redirect(f"/activities/consulting/?track={slot.track}")
    return redirect("activities:booking", booking_id=booking.public_id)


@role_required(LEARNER, CONSULTANT, Role.OPERATOR)
def booking(request: HttpRequest, booking_id: str) -> HttpResponse:
    the_booking = selectors.booking_for(request.user, booking_id)
    note_visible = selectors.may_read_note(request.user, the_booking)
    if request.user.pk != the_booking.learner_id:
        access_log_record(
            actor=request.user,
            subject=the_booking.learner,
            action="view",
            purpose="consulting booking",
            request=request,
            obj=the_booking,
        )
    record_form = None
    if _role(request) == CONSULTANT:
        record_form = SessionRecordForm(
            initial={
                "consultant_note": the_booking.consultant_note,
                "shared_summary": the_booking.shared_summary,
            }
        )
    survey = getattr(the_booking, "survey", None)
    return render(
        request,
        "activities/booking.html",
        {
            "booking": the_booking,
            "note_visible": note_visible,
            "record_form": record_form,
            "survey": survey,
            "survey_form": SurveyForm() if the_booking.learner_id == request.user.pk else None,
            "started": the_booking.slot.starts_at <= now(),
        },
    )


@role_required(LEARNER, CONSULTANT, Role.OPERATOR)
@require_POST
def booking_cancel(request: HttpRequest, booking_id: str) -> HttpResponse:
    the_booking = selectors.booking_for(request.user, booking_id)
    attempt(
        request,
        lambda: services.consulting_cancel(
            booking=the_booking, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("예약을 취소했습니다."),
    )
    return redirect("activities:booking", booking_id=the_booking.public_id)


@role_required(LEARNER)
@require_POST
def booking_survey(request: HttpRequest, booking_id: str) -> HttpResponse:
    the_booking = selectors.booking_for(request.user, booking_id)
    form = SurveyForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.consulting_survey_submit(
                booking=the_booking,
                learner=request.user,
                rating=form.cleaned_data["rating"],
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
            ),
            _("응답해 주셔서 고맙습니다."),
        )
    else:
        messages.error(request, _("만족도를 골라 주세요."))
    return redirect("activities:booking", booking_id=the_booking.public_id)


# --- consultant -------------------------------------------------------------------------------


@role_required(CONSULTANT)
def consultant_home(request: HttpRequest) -> HttpResponse:
    midnight = dt.datetime.combine(today(), dt.time.min, tzinfo=SEOUL)
    upcoming = selectors.bookings_for_consultant(request.user).filter(slot__starts_at__gte=midnight)
    access_log_record(
        actor=request.user,
        subject=None,
        action="view",
        purpose="consultant's own bookings",
        request=request,
    )
    return render(
        request,
        "activities/consultant_home.html",
        {
            "upcoming": upcoming[:50],
            "to_record": selectors.bookings_for_consultant(request.user).filter(
                status="booked", slot__starts_at__lt=now()
            ),
            "slots": selectors.slots_for_consultant(request.user).filter(
                starts_at__gte=now(), status="open"
            )[:60],
            "slot_form": SlotForm(prefix="slot"),
            "pattern_form": SchedulePatternForm(prefix="pattern"),
        },
    )


@role_required(CONSULTANT)
@require_POST
def consultant_slot_add(request: HttpRequest) -> HttpResponse:
    form = SlotForm(request.POST, prefix="slot")
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.consulting_slot_create(
                consultant=request.user,
                track=data["track"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                location=data["location"],
                actor=request.user,
            ),
            _("일정을 추가했습니다."),
        )
    else:
        messages.error(request, _("일정의 시작 시각과 시간을 확인해 주세요."))
    return redirect("activities:consultant_home")


@role_required(CONSULTANT)
@require_POST
def consultant_pattern_add(request: HttpRequest) -> HttpResponse:
    form = SchedulePatternForm(request.POST, prefix="pattern")
    if form.is_valid():
        data = form.cleaned_data
        created = attempt(
            request,
            lambda: services.consulting_schedule_generate(
                consultant=request.user,
                track=data["track"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                weekdays=data["weekdays"],
                times=data["times"],
                duration_minutes=data["duration_minutes"],
                mode=data["mode"],
                location=data["location"],
                actor=request.user,
            ),
        )
        if created is not None:
            messages.success(request, _("일정 %(n)s개를 만들었습니다.") % {"n": len(created)})
    else:
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label}: {' '.join(str(e) for e in errors)}"
            )
    return redirect("activities:consultant_home")


@role_required(CONSULTANT, Role.OPERATOR)
@require_POST
def slot_withdraw(request: HttpRequest, slot_id: str) -> HttpResponse:
    slot = ConsultantSlot.objects.filter(public_id=slot_id).first()
    if slot is None:
        raise NotFound(_("상담 일정을 찾을 수 없습니다."))
    attempt(
        request,
        lambda: services.consulting_slot_withdraw(
            slot=slot, actor=request.user, reason=request.POST.get("reason", "")
        ),
        _("일정을 취소했습니다."),
    )
    if _role(request) == Role.OPERATOR:
        return redirect("activities_backoffice:slots")
    return redirect("activities:consultant_home")


@role_required(CONSULTANT)
@require_POST
def booking_record(request: HttpRequest, booking_id: str) -> HttpResponse:
    the_booking = selectors.booking_for(request.user, booking_id)
    form = SessionRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("기록이 너무 깁니다."))
        return redirect("activities:booking", booking_id=the_booking.public_id)
    note = form.cleaned_data["consultant_note"]
    summary = form.cleaned_data["shared_summary"]
    action = request.POST.get("action")
    if action == "complete":
        attempt(
            request,
            lambda: services.consulting_complete(
                booking=the_booking, actor=request.user, note=note, summary=summary
            ),
            _("상담을 완료로 기록했습니다."),
        )
    elif action == "no_show":
        attempt(
            request,
            lambda: services.consulting_no_show(
                booking=the_booking, actor=request.user, reason=note[:300] or "no show"
            ),
            _("불참으로 기록했습니다."),
        )
    else:
        attempt(
            request,
            lambda: services.consulting_notes_update(
                booking=the_booking, actor=request.user, note=note, summary=summary
            ),
            _("기록을 저장했습니다."),
        )
    return redirect("activities:booking", booking_id=the_booking.public_id)


# --- special lectures (learner) ---------------------------------------------------------------


@role_required(LEARNER)
def lectures(request: HttpRequest) -> HttpResponse:
    regs = {r.lecture_id: r for r in selectors.registrations_for_learner(request.user)}
    rows = []
    current = now()
    for lecture in selectors.lectures_of():
        reg = regs.get(lecture.pk)
        end = lecture.starts_at + dt.timedelta(minutes=lecture.duration_minutes)
        rows.append(
            {
                "lecture": lecture,
                "registration": reg,
                "over": current >= end,
                "checkin_open": reg is not None
                and reg.status == "registered"
                and reg.attended_at is None
                and lecture.starts_at - dt.timedelta(minutes=15)
                <= current
                <= end + dt.timedelta(minutes=30),
                "survey_done": reg is not None and hasattr(reg, "survey"),
            }
        )
    return render(
        request,
        "activities/lectures.html",
        {"rows": rows, "checkin_form": CheckInForm(), "survey_form": LectureSurveyForm()},
    )


@role_required(LEARNER)
@require_POST
def lecture_register(request: HttpRequest, lecture_id: str) -> HttpResponse:
    lecture = selectors.lecture_by_id(lecture_id)
    attempt(
        request,
        lambda: services.lecture_register(lecture=lecture, learner=request.user),
        _("특강을 신청했습니다. 하루 전에 알려 드릴게요."),
    )
    return redirect("activities:lectures")


@role_required(LEARNER)
@require_POST
def lecture_unregister(request: HttpRequest, lecture_id: str) -> HttpResponse:
    lecture = selectors.lecture_by_id(lecture_id)
    registration = selectors.registration_of(request.user, lecture)
    if registration is None:
        raise NotFound(_("신청 내역이 없습니다."))
    attempt(
        request,
        lambda: services.lecture_unregister(registration=registration, actor=request.user),
        _("신청을 취소했습니다."),
    )
    return redirect("activities:lectures")


@role_required(LEARNER)
@require_POST
def lecture_checkin(request: HttpRequest, lecture_id: str) -> HttpResponse:
    lecture = selectors.lecture_by_id(lecture_id)
    attempt(
        request,
        lambda: services.lecture_check_in(
            lecture=lecture, learner=request.user, code=request.POST.get("code", "")
        ),
        _("출석했습니다."),
    )
    return redirect("activities:lectures")


@role_required(LEARNER)
@require_POST
def lecture_survey(request: HttpRequest, lecture_id: str) -> HttpResponse:
    lecture = selectors.lecture_by_id(lecture_id)
    registration = selectors.registration_of(request.user, lecture)
    if registration is None:
        raise NotFound(_("신청 내역이 없습니다."))
    form = LectureSurveyForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.lecture_survey_submit(
                registration=registration,
                learner=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            ),
            _("응답해 주셔서 고맙습니다."),
        )
    else:
        messages.error(request, _("만족도를 골라 주세요."))
    return redirect("activities:lectures")


# --- career programme (learner) ---------------------------------------------------------------


@role_required(LEARNER)
def career(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.applications_for_learner(request.user))
    applied = {a.cohort_id for a in applications if a.status != "withdrawn"}
    cohorts = [c for c in selectors.cohorts_open_for_application() if c.pk not in applied]
    for a in applications:
        done = {s.stage for s in a.stage_completions.all()}
        rows = [(stage, CareerStage(stage).label, stage in done) for stage in a.cohort.stages]
        decorate(a, stage_rows=rows)
        decorate(a, visits=list(a.cohort.visits.all()))
    return render(
        request,
        "activities/career.html",
        {
            "cohorts": cohorts,
            "applications": applications,
            "application_form": ApplicationForm(),
            "deliverable_form": DeliverableForm(),
        },
    )


@role_required(LEARNER)
@require_POST
def career_apply(request: HttpRequest, cohort_id: str) -> HttpResponse:
    cohort = CareerCohort.objects.filter(public_id=cohort_id).first()
    if cohort is None:
        raise NotFound(_("기수를 찾을 수 없습니다."))
    form = ApplicationForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.cohort_apply(
                cohort=cohort, learner=request.user, motivation=form.cleaned_data["motivation"]
            ),
            _("신청했습니다. 선발 결과를 알려 드릴게요."),
        )
    else:
        messages.error(request, _("지원 동기를 10자 이상 적어 주세요."))
    return redirect("activities:career")


@role_required(LEARNER)
@require_POST
def career_withdraw(request: HttpRequest, application_id: str) -> HttpResponse:
    application = selectors.application_for(request.user, application_id)
    attempt(
        request,
        lambda: services.application_withdraw(application=application, actor=request.user),
        _("신청을 취소했습니다."),
    )
    return redirect("activities:career")


@role_required(LEARNER)
@require_POST
def career_upload(request: HttpRequest, application_id: str) -> HttpResponse:
    application = selectors.application_for(request.user, application_id)
    form = DeliverableForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            messages.error(request, _("파일이 너무 큽니다."))
            return redirect("activities:career")
        attempt(
            request,
            lambda: services.deliverable_upload(
                application=application,
                actor=request.user,
                stage=form.cleaned_data["stage"],
                title=form.cleaned_data["title"],
                data=upload.read(),
            ),
            _("결과물을 올렸습니다."),
        )
    else:
        messages.error(request, _("단계, 제목, 파일을 확인해 주세요."))
    return redirect("activities:career")


@role_required(LEARNER, Role.OPERATOR)
def deliverable_download(request: HttpRequest, deliverable_id: str) -> HttpResponse:
    deliverable = (
        Deliverable.objects.select_related("application", "application__learner")
        .filter(public_id=deliverable_id)
        .first()
    )
    if deliverable is None:
        raise NotFound(_("파일을 찾을 수 없습니다."))
    learner = deliverable.application.learner
    if _role(request) == LEARNER and learner.pk != request.user.pk:
        raise PermissionDenied(_("본인의 결과물만 받을 수 있습니다."), code="wrong_owner")
    access_log_record(
        actor=request.user,
        subject=learner,
        action="download",
        purpose="career deliverable",
        request=request,
        obj=deliverable,
    )
    try:
        data = read_encrypted(deliverable.file)
    except (OSError, DomainError) as exc:
        raise NotFound(_("파일을 찾을 수 없습니다.")) from exc
    response = HttpResponse(data, content_type=deliverable.content_type)
    response["Content-Disposition"] = "attachment"
    response["Cache-Control"] = "no-store"
    return response
