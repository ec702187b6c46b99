"""Operator pages for the city's own programmes: consulting services and schedules, bookings,
career cohorts and special lectures. Every list is paginated, filterable and exportable."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from seoullearn.activities import services, xapi
from seoullearn.activities.forms import CohortForm, LectureForm, SlotForm, TeamForm, VisitForm
from seoullearn.activities.listing import (
    export_if_asked,
    log_list_view,
    paginate,
    query_without_page,
)
from seoullearn.activities.models import (
    STAGE_ORDER,
    CareerApplication,
    CareerCohort,
    CareerStage,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingService,
    LectureRegistration,
    ProjectTeam,
    SpecialLecture,
)
from seoullearn.activities.web import attempt, decorate
from seoullearn.core.errors import NotFound
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL, now
from seoullearn.programmes.selectors import current_programme

OPERATOR = Role.OPERATOR
User = get_user_model()


def _uuid(value: str | None) -> uuid.UUID:
    """The UUID in a form value; the nil UUID (which names nothing) when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") if value else ""


@role_required(OPERATOR)
def home(request: HttpRequest) -> HttpResponse:
    current = now()
    stats = {
        "upcoming_bookings": ConsultingBooking.objects.filter(
            status="booked", slot__starts_at__gte=current
        ).count(),
        "open_slots": ConsultantSlot.objects.filter(status="open", starts_at__gte=current)
        .exclude(bookings__status__in=ConsultingBooking.SLOT_HOLDING)
        .count(),
        "pending_applications": CareerApplication.objects.filter(status="applied").count(),
        "lectures": SpecialLecture.objects.count(),
        "consulting_rating": ConsultingBooking.objects.aggregate(r=Avg("survey__rating"))["r"],
    }
    return render(request, "activities/backoffice/home.html", {"stats": stats})


# --- consulting services (quotas) -------------------------------------------------------------


class ServiceForm(forms.ModelForm):
    class Meta:
        model = ConsultingService
        fields = [
            "name_ko",
            "name_en",
            "quota_per_learner",
            "duration_minutes",
            "grade_min",
            "grade_max",
            "cancel_deadline_hours",
            "late_cancel_uses_quota",
            "no_show_uses_quota",
            "no_show_block_days",
            "is_active",
        ]
        help_texts = {
            "grade_min": gettext_lazy(
                "초1=1, 중1=7, 고1=10, 고3=12, 졸업생=13 (학교 밖 청소년은 나이로 계산)"
            ),
        }


@role_required(OPERATOR)
def services_list(request: HttpRequest) -> HttpResponse:
    qs = ConsultingService.objects.select_related("programme").annotate(
        booked=Count("bookings", filter=Q(bookings__status__in=["booked", "completed"]))
    )
    track = request.GET.get("track")
    if track:
        qs = qs.filter(track=track)
    export = export_if_asked(
        request,
        filename="consulting-services",
        headers=["programme", "code", "track", "name", "quota", "minutes", "grades", "booked"],
        rows=lambda: (
            [
                s.programme.code,
                s.code,
                s.track,
                s.name,
                s.quota_per_learner,
                s.duration_minutes,
                f"{s.grade_min}-{s.grade_max}",
                s.booked,
            ]
            for s in qs
        ),
        purpose="consulting services list",
    )
    if export:
        return export
    return render(
        request,
        "activities/backoffice/services.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "tracks": ConsultingService.Track.choices,
        },
    )


@role_required(OPERATOR)
@require_POST
def services_seed(request: HttpRequest) -> HttpResponse:
    """The seed document's five consulting services for the current programme."""
    try:
        programme = current_programme()
    except NotFound as exc:
        messages.error(request, str(exc.message))
        return redirect("activities_backoffice:services")
    created = attempt(
        request,
        lambda: services.consulting_services_seed(programme=programme, actor=request.user),
    )
    if created is not None:
        messages.success(request, _("상담 종류 %(n)s개를 만들었습니다.") % {"n": created})
    return redirect("activities_backoffice:services")


@role_required(OPERATOR)
def service_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    service = ConsultingService.objects.filter(public_id=service_id).first()
    if service is None:
        raise NotFound(_("상담 종류를 찾을 수 없습니다."))
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["grade_max"] < form.cleaned_data["grade_min"]:
            form.add_error("grade_max", _("대상 학년의 끝이 시작보다 앞설 수 없습니다."))
        else:
            form.save()
            messages.success(request, _("저장했습니다."))
            return redirect("activities_backoffice:services")
    return render(request, "activities/backoffice/form.html", {"form": form, "title": service.name})


# --- consultant schedules ---------------------------------------------------------------------


@role_required(OPERATOR)
def slots(request: HttpRequest) -> HttpResponse:
    qs = (
        ConsultantSlot.objects.select_related("consultant")
        .annotate(
            held=Count("bookings", filter=Q(bookings__status__in=ConsultingBooking.SLOT_HOLDING))
        )
        .order_by("starts_at")
    )
    f = request.GET
    if f.get("consultant"):
        qs = qs.filter(consultant__public_id=f["consultant"])
    if f.get("track"):
        qs = qs.filter(track=f["track"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    since = _date(f.get("from"))
    until = _date(f.get("to"))
    if since:
        qs = qs.filter(starts_at__date__gte=since)
    if until:
        qs = qs.filter(starts_at__date__lte=until)
    if f.get("free") == "1":
        qs = qs.filter(held=0)
    export = export_if_asked(
        request,
        filename="consultant-slots",
        headers=["consultant", "track", "starts_at", "ends_at", "mode", "status", "booked"],
        rows=lambda: (
            [
                s.consultant.display_name,
                s.track,
                _local(s.starts_at),
                _local(s.ends_at),
                s.mode,
                s.status,
                s.held,
            ]
            for s in qs
        ),
        purpose="consultant schedule list",
    )
    if export:
        return export
    consultants = User.objects.filter(role=Role.CONSULTANT, is_active=True).order_by("full_name")
    form = SlotForm(prefix="slot")
    return render(
        request,
        "activities/backoffice/slots.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "consultants": consultants,
            "tracks": ConsultingService.Track.choices,
            "form": form,
        },
    )


@role_required(OPERATOR)
@require_POST
def slot_add(request: HttpRequest) -> HttpResponse:
    consultant = User.objects.filter(
        public_id=_uuid(request.POST.get("consultant")), role=Role.CONSULTANT
    ).first()
    form = SlotForm(request.POST, prefix="slot")
    if consultant is None:
        messages.error(request, _("컨설턴트를 골라 주세요."))
    elif form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.consulting_slot_create(
                consultant=consultant,
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
    return redirect("activities_backoffice:slots")


# --- bookings ---------------------------------------------------------------------------------


@role_required(OPERATOR)
def bookings(request: HttpRequest) -> HttpResponse:
    qs = ConsultingBooking.objects.select_related(
        "slot", "slot__consultant", "service", "learner"
    ).order_by("-slot__starts_at")
    f = request.GET
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("service"):
        qs = qs.filter(service__code=f["service"])
    if f.get("consultant"):
        qs = qs.filter(slot__consultant__public_id=f["consultant"])
    since = _date(f.get("from"))
    until = _date(f.get("to"))
    if since:
        qs = qs.filter(slot__starts_at__date__gte=since)
    if until:
        qs = qs.filter(slot__starts_at__date__lte=until)
    export = export_if_asked(
        request,
        filename="consulting-bookings",
        headers=["booking", "learner", "service", "consultant", "starts_at", "status", "rating"],
        rows=lambda: (
            [
                str(b.public_id),
                str(b.learner.pseudonym),
                b.service.code,
                b.slot.consultant.display_name,
                _local(b.slot.starts_at),
                b.status,
                getattr(getattr(b, "survey", None), "rating", ""),
            ]
            for b in qs.select_related("survey")
        ),
        purpose="consulting bookings list",
    )
    if export:
        return export
    log_list_view(request, purpose="consulting bookings list")
    return render(
        request,
        "activities/backoffice/bookings.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "statuses": ConsultingBooking.Status.choices,
            "services": ConsultingService.objects.all(),
            "consultants": User.objects.filter(role=Role.CONSULTANT).order_by("full_name"),
        },
    )


# --- career cohorts ---------------------------------------------------------------------------


@role_required(OPERATOR)
def cohorts(request: HttpRequest) -> HttpResponse:
    qs = CareerCohort.objects.annotate(
        applicants=Count("applications", filter=~Q(applications__status="withdrawn")),
        selected=Count(
            "applications", filter=Q(applications__status__in=["selected", "completed"])
        ),
        completed=Count("applications", filter=Q(applications__status="completed")),
    ).order_by("-starts_on")
    f = request.GET
    if f.get("track"):
        qs = qs.filter(track=f["track"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    export = export_if_asked(
        request,
        filename="career-cohorts",
        headers=["name", "track", "status", "capacity", "applicants", "selected", "completed"],
        rows=lambda: (
            [c.name, c.track, c.status, c.capacity, c.applicants, c.selected, c.completed]
            for c in qs
        ),
        purpose="career cohorts list",
    )
    if export:
        return export
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = form.save(commit=False)
        try:
            cohort.programme = current_programme()
        except NotFound as exc:
            messages.error(request, str(exc.message))
            return redirect("activities_backoffice:cohorts")
        if attempt(request, lambda: services.cohort_save(cohort=cohort, actor=request.user)):
            messages.success(request, _("기수를 만들었습니다."))
            return redirect("activities_backoffice:cohort", cohort_id=cohort.public_id)
    return render(
        request,
        "activities/backoffice/cohorts.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "form": form,
            "tracks": CareerCohort.Track.choices,
            "statuses": CareerCohort.Status.choices,
        },
    )


def _cohort(cohort_id: str) -> CareerCohort:
    cohort = CareerCohort.objects.filter(public_id=cohort_id).first()
    if cohort is None:
        raise NotFound(_("기수를 찾을 수 없습니다."))
    return cohort


@role_required(OPERATOR)
def cohort(request: HttpRequest, cohort_id: str) -> HttpResponse:
    the_cohort = _cohort(cohort_id)
    qs = (
        the_cohort.applications.select_related("learner", "team")
        .prefetch_related("stage_completions", "deliverables")
        .order_by("status", "created_at")
    )
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    export = export_if_asked(
        request,
        filename=f"cohort-{the_cohort.pk}-applications",
        headers=["application", "learner", "status", "team", "stages_done", "applied_at"],
        rows=lambda: (
            [
                str(a.public_id),
                str(a.learner.pseudonym),
                a.status,
                a.team.name if a.team else "",
                ",".join(s.stage for s in a.stage_completions.all()),
                a.created_at.isoformat(),
            ]
            for a in qs
        ),
        purpose="career cohort applications",
    )
    if export:
        return export
    page = paginate(request, qs)
    log_list_view(request, purpose="career cohort applicants")
    for application in page.object_list:
        done = {s.stage for s in application.stage_completions.all()}
        next_stage = next((s for s in the_cohort.stages if s not in done), None)
        decorate(application, next_stage=next_stage)
        decorate(application, next_stage_label=CareerStage(next_stage).label if next_stage else "")
        labels = [CareerStage(s).label for s in STAGE_ORDER if s in done]
        decorate(application, done_labels=labels)
    return render(
        request,
        "activities/backoffice/cohort.html",
        {
            "cohort": the_cohort,
            "page": page,
            "query": query_without_page(request),
            "teams": the_cohort.teams.all(),
            "visits": the_cohort.visits.all(),
            "team_form": TeamForm(prefix="team"),
            "visit_form": VisitForm(prefix="visit"),
            "statuses": CareerApplication.Status.choices,
            "next_statuses": {
                "draft": [("recruiting", _("모집 시작"))],
                "recruiting": [("running", _("진행 시작")), ("draft", _("준비로 되돌리기"))],
                "running": [("finished", _("종료"))],
                "finished": [],
            }[the_cohort.status],
            "stage_labels": [CareerStage(s).label for s in the_cohort.stages],
        },
    )


@role_required(OPERATOR)
@require_POST
def cohort_action(request: HttpRequest, cohort_id: str) -> HttpResponse:
    the_cohort = _cohort(cohort_id)
    action = request.POST.get("action")
    if action == "status":
        attempt(
            request,
            lambda: services.cohort_status_set(
                cohort=the_cohort, status=request.POST.get("status", ""), actor=request.user
            ),
            _("상태를 바꿨습니다."),
        )
    elif action == "team":
        form = TeamForm(request.POST, prefix="team")
        if form.is_valid():
            attempt(
                request,
                lambda: services.team_create(
                    cohort=the_cohort,
                    name=form.cleaned_data["name"],
                    topic=form.cleaned_data["topic"],
                    actor=request.user,
                ),
                _("팀을 만들었습니다."),
            )
        else:
            messages.error(request, _("팀 이름을 적어 주세요."))
    elif action == "visit":
        visit_form = VisitForm(request.POST, prefix="visit")
        if visit_form.is_valid():
            data = visit_form.cleaned_data
            attempt(
                request,
                lambda: services.visit_schedule(
                    cohort=the_cohort,
                    company_name=data["company_name"],
                    visit_at=data["visit_at"],
                    duration_minutes=data["duration_minutes"],
                    address=data["address"],
                    capacity=data["capacity"],
                    note=data["note"],
                    actor=request.user,
                ),
                _("기업 방문 일정을 잡았습니다."),
            )
        else:
            messages.error(request, _("기업 방문 정보를 확인해 주세요."))
    elif action == "presentation":
        team = ProjectTeam.objects.filter(
            public_id=_uuid(request.POST.get("team")), cohort=the_cohort
        ).first()
        try:
            at = dt.datetime.fromisoformat(request.POST.get("at", "")).replace(tzinfo=SEOUL)
        except ValueError:
            at = None
        if team is None or at is None:
            messages.error(request, _("팀과 발표 일시를 확인해 주세요."))
        else:
            attempt(
                request,
                lambda: services.presentation_schedule(
                    team=team, at=at, location=request.POST.get("location", ""), actor=request.user
                ),
                _("발표 일정을 잡았습니다."),
            )
    elif action == "feedback":
        chosen = ProjectTeam.objects.filter(
            public_id=_uuid(request.POST.get("team")), cohort=the_cohort
        ).first()
        if chosen is None:
            messages.error(request, _("팀을 골라 주세요."))
        else:
            attempt(
                request,
                lambda: services.presentation_feedback_save(
                    team=chosen, feedback=request.POST.get("feedback", ""), actor=request.user
                ),
                _("발표 피드백을 저장했습니다."),
            )
    else:
        messages.error(request, _("알 수 없는 작업입니다."))
    return redirect("activities_backoffice:cohort", cohort_id=the_cohort.public_id)


@role_required(OPERATOR)
@require_POST
def application_action(request: HttpRequest, application_id: str) -> HttpResponse:
    application = (
        CareerApplication.objects.select_related("cohort").filter(public_id=application_id).first()
    )
    if application is None:
        raise NotFound(_("신청을 찾을 수 없습니다."))
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    if action in ("selected", "waitlisted", "rejected"):
        attempt(
            request,
            lambda: services.application_decide(
                application=application, decision=action, actor=request.user, reason=reason
            ),
            _("결정을 기록했습니다."),
        )
    elif action == "stage":
        attempt(
            request,
            lambda: services.stage_complete(
                application=application,
                stage=request.POST.get("stage", ""),
                actor=request.user,
                note=reason,
            ),
            _("단계 이수를 기록했습니다."),
        )
    elif action == "team":
        team = ProjectTeam.objects.filter(
            public_id=_uuid(request.POST.get("team")), cohort=application.cohort
        ).first()
        attempt(
            request,
            lambda: services.team_assign(application=application, team=team, actor=request.user),
            _("팀을 바꿨습니다."),
        )
    else:
        messages.error(request, _("알 수 없는 작업입니다."))
    return redirect("activities_backoffice:cohort", cohort_id=application.cohort.public_id)


# --- special lectures -------------------------------------------------------------------------


@role_required(OPERATOR)
def lectures(request: HttpRequest) -> HttpResponse:
    qs = SpecialLecture.objects.annotate(
        registered=Count("registrations", filter=Q(registrations__status="registered")),
        attended=Count("registrations", filter=Q(registrations__attended_at__isnull=False)),
        rating=Avg("registrations__survey__rating"),
    ).order_by("starts_at")
    f = request.GET
    if f.get("platform"):
        qs = qs.filter(platform=f["platform"])
    if f.get("year"):
        qs = qs.filter(starts_at__year=f["year"]) if f["year"].isdigit() else qs
    export = export_if_asked(
        request,
        filename="special-lectures",
        headers=["sequence", "title", "speaker", "starts_at", "platform", "registered", "attended"],
        rows=lambda: (
            [
                lec.sequence,
                lec.title,
                lec.speaker,
                _local(lec.starts_at),
                lec.platform,
                lec.registered,
                lec.attended,
            ]
            for lec in qs
        ),
        purpose="special lectures list",
    )
    if export:
        return export
    form = LectureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lecture = form.save(commit=False)
        try:
            lecture.programme = current_programme()
        except NotFound as exc:
            messages.error(request, str(exc.message))
            return redirect("activities_backoffice:lectures")
        if attempt(request, lambda: services.lecture_save(lecture=lecture, actor=request.user)):
            messages.success(request, _("특강을 만들었습니다."))
            return redirect("activities_backoffice:lectures")
    return render(
        request,
        "activities/backoffice/lectures.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "form": form,
            "platforms": SpecialLecture.Platform.choices,
        },
    )


@role_required(OPERATOR)
def lecture(request: HttpRequest, lecture_id: str) -> HttpResponse:
    the_lecture = SpecialLecture.objects.filter(public_id=lecture_id).first()
    if the_lecture is None:
        raise NotFound(_("특강을 찾을 수 없습니다."))
    form = LectureForm(request.POST or None, instance=the_lecture)
    if (
        request.method == "POST"
        and request.POST.get("action") == "edit"
        and form.is_valid()
        and attempt(
            request,
            lambda: services.lecture_save(lecture=form.save(commit=False), actor=request.user),
        )
        is not None
    ):
        messages.success(request, _("저장했습니다."))
        return redirect("activities_backoffice:lecture", lecture_id=the_lecture.public_id)
    qs = LectureRegistration.objects.select_related("learner").filter(lecture=the_lecture)
    if request.GET.get("attended") == "1":
        qs = qs.filter(attended_at__isnull=False)
    elif request.GET.get("attended") == "0":
        qs = qs.filter(attended_at__isnull=True)
    export = export_if_asked(
        request,
        filename=f"lecture-{the_lecture.sequence}-registrations",
        headers=["learner", "status", "attended_at", "source", "rating"],
        rows=lambda: (
            [
                str(r.learner.pseudonym),
                r.status,
                _local(r.attended_at),
                r.attendance_source,
                getattr(getattr(r, "survey", None), "rating", ""),
            ]
            for r in qs.select_related("survey")
        ),
        purpose="lecture registrations",
    )
    if export:
        return export
    log_list_view(request, purpose="lecture registrations")
    return render(
        request,
        "activities/backoffice/lecture.html",
        {
            "lecture": the_lecture,
            "activity_iri": xapi.lecture_activity_id(the_lecture.public_id),
            "form": form,
            "page": paginate(request, qs.order_by("created_at")),
            "query": query_without_page(request),
            "comments": LectureRegistration.objects.filter(lecture=the_lecture)
            .exclude(survey__comment="")
            .filter(survey__isnull=False)
            .values_list("survey__rating", "survey__comment")[:50],
        },
    )


@role_required(OPERATOR)
@require_POST
def lecture_attend(request: HttpRequest, registration_id: str) -> HttpResponse:
    registration = (
        LectureRegistration.objects.select_related("lecture", "learner")
        .filter(public_id=registration_id)
        .first()
    )
    if registration is None:
        raise NotFound(_("신청을 찾을 수 없습니다."))
    attempt(
        request,
        lambda: services.lecture_attendance_record(
            lecture=registration.lecture,
            learner=registration.learner,
            at=now(),
            source=LectureRegistration.Source.OPERATOR,
            actor=request.user,
        ),
        _("출석으로 기록했습니다."),
    )
    return redirect("activities_backoffice:lecture", lecture_id=registration.lecture.public_id)
