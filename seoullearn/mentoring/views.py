"""Pages of mentors, members (mentees) and university coordinators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Avg, Case, Count, Q, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from seoullearn.core.errors import DomainError, InvalidInput, PermissionDenied
from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import now, today
from seoullearn.mentoring import selectors, services
from seoullearn.mentoring.models import (
    INTEREST_CHOICES,
    LANGUAGE_CHOICES,
    LEVEL_CHOICES,
    MAJOR_CHOICES,
    PLANNED_REASONS,
    SLOT_CHOICES,
    SUBJECT_CHOICES,
    UNPLANNED_REASONS,
    Attendance,
    Award,
    EndReason,
    EndRequest,
    Event,
    Match,
    MenteeApplication,
    MentorApplication,
    Session,
    University,
)

CHOICES = {
    "subjects": SUBJECT_CHOICES,
    "levels": LEVEL_CHOICES,
    "slots": SLOT_CHOICES,
    "majors": MAJOR_CHOICES,
    "interests": INTEREST_CHOICES,
    "languages": LANGUAGE_CHOICES,
    "districts": [(d.code, d.name_ko) for d in SEOUL_DISTRICTS],
}
DISTRICT_NAMES = {d.code: d.name_ko for d in SEOUL_DISTRICTS}


def _int(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise InvalidInput(_("숫자를 입력해 주세요."), details={"field": field}) from exc


def _date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise InvalidInput(_("날짜 형식이 올바르지 않습니다."), details={"field": field}) from exc


def _time(value: str | None, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value or "")
    except ValueError as exc:
        raise InvalidInput(_("시각 형식이 올바르지 않습니다."), details={"field": field}) from exc


RATINGS = [
    (1, _lazy("아쉬워요")),
    (2, _lazy("조금 아쉬워요")),
    (3, _lazy("보통이에요")),
    (4, _lazy("좋아요")),
    (5, _lazy("아주 좋아요")),
]
LIST_FIELDS = ("subjects", "school_levels", "availability", "districts", "languages", "interests")


def _posted(request: HttpRequest, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the form shows: the values just posted (so nothing is lost when they are refused),
    otherwise the defaults."""
    if request.method != "POST":
        return dict(defaults or {})
    data: dict[str, Any] = {key: request.POST.get(key, "") for key in request.POST}
    data.update({key: request.POST.getlist(key) for key in LIST_FIELDS})
    return data


def _me(request: HttpRequest) -> Any:
    """The signed-in user (views here are behind ``role_required``)."""
    return request.user


def _error(request: HttpRequest, exc: DomainError) -> None:
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    messages.error(request, f"{exc.message}" + (f" ({field})" if field else ""))


# --- mentor portal -------------------------------------------------------------------------------


def _my_application(request: HttpRequest) -> MentorApplication | None:
    term = selectors.current_term()
    if term is None:
        return None
    return (
        MentorApplication.objects.filter(user=_me(request), term=term)
        .exclude(status=MentorApplication.Status.WITHDRAWN)
        .select_related("university", "term")
        .first()
    )


@role_required(Role.MENTOR)
def mentor_home(request: HttpRequest) -> HttpResponse:
    app = _my_application(request)
    group = selectors.mentor_groups(request.user).filter(status="active").first()
    term = selectors.current_term()
    return render(
        request,
        "mentoring/mentor_home.html",
        {
            "application": app,
            "group": group,
            "mentee_count": group.matches.filter(status="active").count() if group else 0,
            "next_sessions": group.sessions.filter(status=Session.Status.PLANNED).order_by(
                "date", "start_time"
            )[:3]
            if group
            else [],
            "health": selectors.group_health(group) if group else None,
            "training": selectors.training_status(app) if app else {},
            "ready": selectors.mentor_ready(app) if app else False,
            "term": term,
            "events": Event.objects.filter(term=term, starts_at__gte=now())[:3] if term else [],
            "awards": Award.objects.filter(
                mentor__user=_me(request), status=Award.Status.PUBLISHED
            ).order_by("-period_start"),
            "ended": [e for e in _ended_for_mentor(request) if not e[1]],
        },
    )


@role_required(Role.MENTOR)
def mentor_apply(request: HttpRequest) -> HttpResponse:
    term = selectors.current_term()
    if term is None:
        raise Http404
    if request.method == "GET" and _my_application(request) is not None:
        messages.info(request, _("이번 기수에 이미 지원했습니다."))
        return redirect("mentoring:mentor_home")
    if request.method == "POST":
        p = request.POST
        try:
            university = University.objects.filter(
                public_id=p.get("university") or "00000000-0000-0000-0000-000000000000"
            ).first()
            if university is None:
                raise InvalidInput(_("대학을 선택해 주세요."), details={"field": "university"})
            services.mentor_application_submit(
                user=_me(request),
                term=term,
                data={
                    "university": university,
                    "major": p.get("major", ""),
                    "major_field": p.get("major_field"),
                    "year": _int(p.get("year"), "year"),
                    "grade_band": p.get("grade_band"),
                    "subjects": p.getlist("subjects"),
                    "school_levels": p.getlist("school_levels"),
                    "availability": p.getlist("availability"),
                    "mode": p.get("mode"),
                    "districts": p.getlist("districts"),
                    "languages": p.getlist("languages"),
                    "interests": p.getlist("interests"),
                    "gender": p.get("gender", ""),
                    "motivation": p.get("motivation", ""),
                    "capacity": _int(p.get("capacity") or str(term.group_capacity), "capacity"),
                },
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("지원서를 제출했습니다."))
            return redirect("mentoring:mentor_home")
    return render(
        request,
        "mentoring/mentor_apply.html",
        {
            "term": term,
            "universities": University.objects.all(),
            "choices": CHOICES,
            "form": _posted(request),
        },
    )


@role_required(Role.MENTOR)
def mentor_training(request: HttpRequest) -> HttpResponse:
    app = _my_application(request)
    records = []
    if app is not None:
        done = {r.module_id: r for r in app.training_records.all()}
        records = [(m, done.get(m.pk)) for m in app.term.modules.all()]
    return render(
        request, "mentoring/mentor_training.html", {"application": app, "records": records}
    )


@role_required(Role.MENTOR)
def mentor_group(request: HttpRequest) -> HttpResponse:
    group = selectors.mentor_groups(request.user).filter(status="active").first()
    if request.method == "POST" and group is not None:
        p = request.POST
        try:
            services.session_plan(
                mentor_user=_me(request),
                group=group,
                date=_date(p.get("date"), "date"),
                duration_minutes=_int(p.get("duration_minutes"), "duration_minutes"),
                mode=p.get("mode", ""),
                topic=p.get("topic", ""),
                online_link=p.get("online_link", ""),
                place=p.get("place", ""),
                start_time=_time(p.get("start_time"), "start_time")
                if p.get("start_time")
                else None,
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("활동을 계획했습니다."))
            return redirect("mentoring:mentor_group")
    matches = (
        list(group.matches.filter(status="active").select_related("mentee__user")) if group else []
    )
    requested = set(
        EndRequest.objects.filter(
            match__in=[m.pk for m in matches], status=EndRequest.Status.OPEN
        ).values_list("match_id", flat=True)
    )
    for match in matches:
        access_log_record(
            actor=request.user,
            subject=match.mentee.user,
            action="view",
            purpose="mentor views own mentees",
            request=request,
            obj=match,
        )
    sessions = (
        group.sessions.exclude(status=Session.Status.CANCELLED).annotate(
            present=Count("attendance", filter=Q(attendance__attended=True)),
            counted=Count("attendance"),
            rating=Avg("attendance__feedback"),
        )
        if group
        else Session.objects.none()
    )
    return render(
        request,
        "mentoring/mentor_group.html",
        {
            "group": group,
            "matches": [(m, m.pk in requested) for m in matches],
            "ended": _ended_for_mentor(request),
            "planned": sessions.filter(status=Session.Status.PLANNED).order_by(
                "date", "start_time"
            ),
            "logged": sessions.filter(status=Session.Status.LOGGED).order_by("-date")[:30],
            "health": selectors.group_health(group) if group else None,
            "today": today(),
            "form": _posted(request, {"duration_minutes": 90, "mode": group.mode if group else ""}),
        },
    )


@role_required(Role.MENTOR)
def session_log(request: HttpRequest, session_id: str) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("group__mentor"), public_id=session_id
    )
    if session.group.mentor.user_id != request.user.pk:
        raise PermissionDenied(_("본인 모둠의 활동만 기록할 수 있습니다."), code="wrong_owner")
    matches = session.group.matches.filter(status="active").select_related("mentee__user")
    if request.method == "POST":
        try:
            services.session_log(
                mentor_user=_me(request),
                session=session,
                notes=request.POST.get("notes", ""),
                attended={str(m.public_id): f"att-{m.public_id}" in request.POST for m in matches},
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("활동을 기록했습니다."))
            return redirect("mentoring:mentor_group")
    return render(request, "mentoring/session_log.html", {"session": session, "matches": matches})


def _ended_for_mentor(request: HttpRequest) -> list[tuple[Match, bool]]:
    """The mentor's ended matches, each with whether the mentor answered its exit survey."""
    ended = list(selectors.ended_matches_of(_me(request)).filter(group__mentor__user=_me(request)))
    answered = selectors.answered_exit_surveys(_me(request), ended)
    return [(m, m.pk in answered) for m in ended]


def _ending_choice(value: str) -> tuple[str, str]:
    """``planned:term_end`` -> (``planned``, ``term_end``): one choice names the kind of
    ending and the reason together."""
    ending, _sep, code = value.partition(":")
    return ending, code


def _reason_choices() -> list[tuple[str, str, list[tuple[str, Any]]]]:
    """The reasons grouped by kind of ending, as the forms offer them."""
    labels = dict(EndReason.choices)
    return [
        (
            ending,
            str(label),
            [(f"{ending}:{code}", labels[code]) for code in codes],
        )
        for (ending, label), codes in zip(
            Match.Ending.choices, (PLANNED_REASONS, UNPLANNED_REASONS), strict=True
        )
    ]


@role_required(Role.MENTOR)
def end_request(request: HttpRequest, match_id: str) -> HttpResponse:
    """A mentor asks the city to end a match of their group, with a reason."""
    match = get_object_or_404(
        Match.objects.select_related("mentee__user", "group__mentor"), public_id=match_id
    )
    if match.group.mentor.user_id != request.user.pk:
        raise PermissionDenied(_("본인 모둠의 멘티만 다룰 수 있습니다."), code="wrong_owner")
    if match.status != Match.Status.ACTIVE:
        messages.info(request, _("이미 종료된 매칭입니다."))
        return redirect("mentoring:mentor_group")
    current = match.end_requests.filter(status=EndRequest.Status.OPEN).first()
    declined = (
        match.end_requests.filter(status=EndRequest.Status.DECLINED).order_by("-decided_at").first()
    )
    if request.method == "POST":
        ending, code = _ending_choice(request.POST.get("choice", ""))
        try:
            services.end_request_submit(
                mentor_user=_me(request),
                match=match,
                ending=ending,
                reason_code=code,
                detail=request.POST.get("detail", ""),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("종료를 요청했습니다. 운영자가 확인하고 종료 처리합니다."))
            return redirect("mentoring:mentor_group")
    access_log_record(
        actor=request.user, subject=match.mentee.user, action="view",
        purpose="mentor asks to end a match", request=request, obj=match,
    )  # fmt: skip
    chosen = (
        request.POST.get("choice", "")
        if request.method == "POST"
        else (f"{current.ending}:{current.reason_code}" if current else "")
    )
    return render(
        request,
        "mentoring/end_request.html",
        {
            "match": match,
            "current": current,
            "declined": declined,
            "reasons": _reason_choices(),
            "chosen": chosen,
            "detail": request.POST.get("detail", current.detail if current else ""),
        },
    )


RECOMMEND_CHOICES = [("yes", _lazy("네, 추천하고 싶어요")), ("no", _lazy("아니요"))]


@role_required(Role.MENTOR, Role.LEARNER)
def exit_survey(request: HttpRequest, match_id: str) -> HttpResponse:
    """The exit survey of an ended match: only its mentee and its mentor may open it, each
    answers once."""
    match = get_object_or_404(
        Match.objects.select_related(
            "mentee__user", "group__mentor__user", "group__mentor__university"
        ),
        public_id=match_id,
    )
    respondent = selectors.respondent_of(request.user, match)
    if respondent is None:
        raise PermissionDenied(_("본인의 매칭에만 응답할 수 있습니다."), code="wrong_owner")
    home = "mentoring:mentee_home" if respondent == "mentee" else "mentoring:mentor_home"
    if match.status != Match.Status.ENDED:
        messages.info(request, _("멘토링이 끝나면 마무리 설문에 답할 수 있습니다."))
        return redirect(home)
    existing = match.exit_surveys.filter(respondent=respondent).first()
    if request.method == "POST":
        p = request.POST
        recommend = {"yes": True, "no": False}.get(p.get("would_recommend", ""))
        try:
            services.exit_survey_submit(
                user=_me(request),
                match=match,
                rating=_int(p.get("rating"), "rating"),
                went_well=p.get("went_well", ""),
                could_be_better=p.get("could_be_better", ""),
                would_recommend=recommend,
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("마무리 설문에 답해 주셔서 고맙습니다."))
            return redirect(home)
    if respondent == "mentor":
        access_log_record(
            actor=request.user, subject=match.mentee.user, action="view",
            purpose="mentor answers the exit survey", request=request, obj=match,
        )  # fmt: skip
    form = _posted(request)
    return render(
        request,
        "mentoring/exit_survey.html",
        {
            "match": match,
            "respondent": respondent,
            "existing": existing,
            "form": form,
            "ratings": RATINGS,
            "recommend_choices": RECOMMEND_CHOICES,
            "home": home,
        },
    )


@role_required(Role.MENTOR)
def mentor_stipends(request: HttpRequest) -> HttpResponse:
    app = _my_application(request)
    rows = selectors.stipend_statements(app) if app else []
    return render(request, "mentoring/mentor_stipends.html", {"rows": rows, "application": app})


# --- member (mentee) pages -----------------------------------------------------------------------


@role_required(Role.LEARNER)
def mentee_home(request: HttpRequest) -> HttpResponse:
    term = selectors.current_term()
    me = _me(request)
    applications = list(MenteeApplication.objects.filter(user=me).select_related("term"))
    matches = list(selectors.mentee_matches(request.user).order_by("status", "-started_on"))
    answered = selectors.answered_exit_surveys(me, matches)
    cards = [
        {
            "match": m,
            "next_step": selectors.next_step(m, applications, matches),
            "survey_answered": m.pk in answered,
        }
        for m in matches
    ]
    upcoming = (
        Session.objects.filter(
            status=Session.Status.PLANNED,
            group__matches__mentee__user=me,
            group__matches__status="active",
            date__gte=today(),
        )
        .select_related("group__mentor__user")
        .order_by("date", "start_time")[:5]
    )
    held = (
        Attendance.objects.filter(match__mentee__user=me, session__status=Session.Status.LOGGED)
        .select_related("session__group__mentor__user")
        .order_by("-session__date")[:30]
    )
    return render(
        request,
        "mentoring/mentee_home.html",
        {
            "term": term,
            "applications": applications,
            "open_application": any(a.status in ("submitted", "matched") for a in applications),
            "cards": cards,
            "upcoming": upcoming,
            "held": held,
        },
    )


@role_required(Role.LEARNER)
def mentee_apply(request: HttpRequest) -> HttpResponse:
    term = selectors.current_term()
    if term is None:
        raise Http404
    open_application = MenteeApplication.objects.filter(
        user=_me(request), term=term, status__in=["submitted", "matched"]
    ).exists()
    if request.method == "GET" and open_application:
        messages.info(request, _("이미 신청한 멘토링이 있습니다."))
        return redirect("mentoring:mentee_home")
    if request.method == "POST":
        p = request.POST
        try:
            services.mentee_application_submit(
                user=_me(request),
                term=term,
                data={
                    "school_level": p.get("school_level"),
                    "grade": _int(p.get("grade") or "0", "grade"),
                    "subjects": p.getlist("subjects"),
                    "goals": p.get("goals", ""),
                    "desired_major": p.get("desired_major", ""),
                    "interests": p.getlist("interests"),
                    "mode": p.get("mode"),
                    "availability": p.getlist("availability"),
                    "mentor_gender": p.get("mentor_gender", ""),
                    "languages": p.getlist("languages"),
                },
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("멘토링을 신청했습니다."))
            return redirect("mentoring:mentee_home")
    profile = getattr(request.user, "learner_profile", None)
    defaults = {
        "school_level": getattr(profile, "school_level", ""),
        "grade": getattr(profile, "grade", "") or "",
        "mode": "online",
    }
    return render(
        request,
        "mentoring/mentee_apply.html",
        {
            "term": term,
            "choices": CHOICES,
            "form": _posted(request, defaults),
            "district": DISTRICT_NAMES.get(getattr(profile, "district_code", "")),
        },
    )


@role_required(Role.LEARNER)
def mentee_feedback(request: HttpRequest, session_id: str) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("group__mentor__user"), public_id=session_id
    )
    # Only a mentee who took part may see the session or answer it, whatever the method.
    current = session.attendance.filter(match__mentee__user=_me(request)).first()
    if current is None:
        raise PermissionDenied(_("참여한 활동에만 의견을 남길 수 있습니다."), code="wrong_owner")
    if request.method == "POST":
        try:
            services.session_feedback(
                mentee_user=_me(request),
                session=session,
                rating=_int(request.POST.get("rating"), "rating"),
                comment=request.POST.get("comment", ""),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("의견을 남겼습니다."))
            return redirect("mentoring:mentee_home")
    return render(
        request,
        "mentoring/mentee_feedback.html",
        {"session": session, "current": current, "ratings": RATINGS},
    )


# --- university coordinator ----------------------------------------------------------------------


@role_required(Role.UNIVERSITY_COORDINATOR)
def coordinator_home(request: HttpRequest) -> HttpResponse:
    apps = (
        selectors.applications_for_coordinator(request.user)
        .annotate(waiting=Case(When(status="submitted", then=0), default=1))
        .order_by("waiting", "-term__starts_on", "-created_at")
    )
    access_log_record(
        actor=request.user,
        subject=None,
        action="view",
        purpose="coordinator reviews own university's applicants",
        request=request,
    )
    university = University.objects.filter(
        pk=selectors.coordinator_university_id(request.user) or 0
    ).first()
    return render(
        request,
        "mentoring/coordinator_home.html",
        {"applications": apps[:200], "university": university},
    )


@role_required(Role.UNIVERSITY_COORDINATOR)
def coordinator_recommend(request: HttpRequest, application_id: str) -> HttpResponse:
    app = get_object_or_404(MentorApplication, public_id=application_id)
    if not selectors.coordinator_may_see(request.user, app):
        raise PermissionDenied(_("소속 대학의 지원자만 볼 수 있습니다."), code="wrong_owner")
    access_log_record(
        actor=request.user, subject=app.user, action="view", purpose="recommendation",
        request=request, obj=app,
    )  # fmt: skip
    if request.method == "POST":
        try:
            services.mentor_application_recommend(
                coordinator=request.user,  # type: ignore[arg-type]
                application=app,
                recommend=request.POST.get("decision") == "recommend",
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("추천 의견을 저장했습니다."))
            return redirect("mentoring:coordinator_home")
    return render(request, "mentoring/coordinator_application.html", {"application": app})


# --- events and certificates ---------------------------------------------------------------------


@role_required(Role.MENTOR, Role.LEARNER)
def event_register(request: HttpRequest, event_id: str) -> HttpResponse:
    event = get_object_or_404(Event, public_id=event_id)
    if request.method != "POST":
        return redirect("mentoring:events")
    try:
        services.event_register(user=request.user, event=event)  # type: ignore[arg-type]
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("행사에 신청했습니다."))
    return redirect("mentoring:events")


@role_required(Role.MENTOR, Role.LEARNER)
def events(request: HttpRequest) -> HttpResponse:
    term = selectors.current_term()
    registrations = request.user.event_registrations.all()  # type: ignore[union-attr]
    mine = {r.event_id for r in registrations}
    events = Event.objects.filter(term=term) if term else Event.objects.none()
    moment = now()
    return render(
        request,
        "mentoring/events.html",
        {
            "upcoming": events.filter(starts_at__gte=moment),
            "past": events.filter(starts_at__lt=moment).order_by("-starts_at"),
            "mine": mine,
            "attended": {r.event_id for r in registrations if r.attended},
        },
    )


@role_required(Role.MENTOR, Role.OPERATOR)
def award_certificate(request: HttpRequest, award_id: str) -> HttpResponse:
    award = get_object_or_404(
        Award.objects.select_related("mentor__user", "mentor__university", "term"),
        public_id=award_id,
        status=Award.Status.PUBLISHED,
    )
    if _me(request).role == Role.MENTOR and award.mentor.user_id != request.user.pk:
        raise PermissionDenied(_("본인의 상장만 받을 수 있습니다."), code="wrong_owner")
    from seoullearn.mentoring.certificates import certificate_pdf

    access_log_record(
        actor=request.user, subject=award.mentor.user, action="download",
        purpose="award certificate", request=request, obj=award,
    )  # fmt: skip
    response = HttpResponse(certificate_pdf(award), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{award.public_id}.pdf"'
    return response
