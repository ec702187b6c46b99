"""Operator pages: screening pipeline, training compliance, matching runs, check-ins, awards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Case, Count, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from seoullearn.core.errors import DomainError, NotFound
from seoullearn.core.exports import export_response
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import today
from seoullearn.mentoring import selectors, services
from seoullearn.mentoring.models import (
    PLANNED_REASONS,
    UNPLANNED_REASONS,
    Award,
    CheckIn,
    EndReason,
    EndRequest,
    ExitSurvey,
    Match,
    MatchingRun,
    MentorApplication,
    MentoringGroup,
    MentorTerm,
    Proposal,
    Session,
    TrainingModule,
)
from seoullearn.mentoring.views import _date, _error, _int

operator_only = role_required(Role.OPERATOR)
PIPELINE_ORDER = [
    MentorApplication.Status.RECOMMENDED,
    MentorApplication.Status.SUBMITTED,
    MentorApplication.Status.NOT_RECOMMENDED,
    MentorApplication.Status.SELECTED,
    MentorApplication.Status.REJECTED,
    MentorApplication.Status.WITHDRAWN,
    MentorApplication.Status.ENDED,
]


def _term() -> MentorTerm:
    term = selectors.current_term()
    if term is None:
        raise NotFound(_("멘토링 기수가 없습니다."), code="no_term")
    return term


def _page(request: HttpRequest, items: object, per_page: int = 50) -> dict[str, object]:
    """A page of a list, and the query string that keeps its filters when paging."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {
        "page_obj": Paginator(items, per_page).get_page(request.GET.get("page")),  # type: ignore[arg-type]
        "querystring_without_page": f"{encoded}&" if encoded else "",
    }


@operator_only
def pipeline(request: HttpRequest) -> HttpResponse:
    term = _term()
    qs = MentorApplication.objects.filter(term=term).select_related("user", "university")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(user__full_name__icontains=query) | qs.filter(
            university__name__icontains=query
        )
    # those waiting for the city's review first, then along the pipeline
    stage = Case(
        *(When(status=v, then=i) for i, v in enumerate(PIPELINE_ORDER)), default=len(PIPELINE_ORDER)
    )
    qs = qs.annotate(stage=stage).order_by("stage", "-created_at")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        access_log_record(
            actor=request.user, subject=None, action="export", purpose="mentor screening list",
            request=request,
        )  # fmt: skip
        return export_response(
            filename="mentor-applications",
            headers=[
                "id",
                "name",
                "university",
                "major",
                "status",
                "review_total",
                "reference",
                "background",
            ],
            rows=(
                [
                    str(a.public_id),
                    a.user.display_name,
                    a.university.name,
                    a.major,
                    a.status,
                    a.review_total,
                    a.reference_status,
                    a.background_status,
                ]
                for a in qs
            ),
            fmt=fmt,
        )
    counts = dict(
        MentorApplication.objects.filter(term=term)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return render(
        request,
        "mentoring/ops/pipeline.html",
        {
            "term": term,
            **_page(request, qs),
            "statuses": [
                (v, label, counts.get(v, 0)) for v, label in MentorApplication.Status.choices
            ],
            "total": sum(counts.values()),
            "status": status,
            "q": query,
        },
    )


@operator_only
def application_detail(request: HttpRequest, application_id: str) -> HttpResponse:
    app = get_object_or_404(
        MentorApplication.objects.select_related("user", "university"), public_id=application_id
    )
    access_log_record(
        actor=request.user, subject=app.user, action="view", purpose="mentor screening",
        request=request, obj=app,
    )  # fmt: skip
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        try:
            if action == "review":
                services.mentor_application_review(
                    operator=request.user,  # type: ignore[arg-type]
                    application=app,
                    scores={k: _int(p.get(k), k) for k in services.RUBRIC},
                    interviewed_on=_date(p.get("interviewed_on"), "interviewed_on")
                    if p.get("interviewed_on")
                    else None,
                    interview_notes=p.get("interview_notes", ""),
                )
            elif action == "checks":
                services.mentor_application_checks(
                    operator=request.user,  # type: ignore[arg-type]
                    application=app,
                    reference_status=p.get("reference_status", ""),
                    reference_valid_until=_date(
                        p.get("reference_valid_until"), "reference_valid_until"
                    )
                    if p.get("reference_valid_until")
                    else None,
                    background_status=p.get("background_status", ""),
                    background_valid_until=_date(
                        p.get("background_valid_until"), "background_valid_until"
                    )
                    if p.get("background_valid_until")
                    else None,
                )
            elif action in ("select", "reject"):
                services.mentor_application_decide(
                    operator=request.user,  # type: ignore[arg-type]
                    application=app,
                    select=action == "select",
                    reason=p.get("reason", ""),
                )
            else:
                return HttpResponse(status=400)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("저장했습니다."))
            return redirect("mentoring_ops:application", application_id=app.public_id)
    return render(
        request,
        "mentoring/ops/application.html",
        {
            "application": app,
            "rubric": services.RUBRIC,
            "check_choices": MentorApplication.CheckStatus.choices,
            "training": selectors.training_status(app),
        },
    )


@operator_only
def training(request: HttpRequest) -> HttpResponse:
    term = _term()
    if request.method == "POST":
        p = request.POST
        try:
            module = get_object_or_404(TrainingModule, public_id=p.get("module"), term=term)
            mentor = get_object_or_404(MentorApplication, public_id=p.get("mentor"), term=term)
            services.training_record_set(
                operator=request.user,  # type: ignore[arg-type]
                module=module,
                mentor=mentor,
                attended=p.get("attended") == "on",
                completed=p.get("completed") == "on",
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("교육 기록을 저장했습니다."))
        return redirect("mentoring_ops:training")
    month = request.GET.get("month") or today().strftime("%Y-%m")
    try:
        month_date = dt.date.fromisoformat(month + "-01")
    except ValueError:
        month_date = today().replace(day=1)
    rows = selectors.monthly_compliance(term, month_date)
    only_missing = request.GET.get("missing") == "1"
    if only_missing:
        rows = [r for r in rows if not r["completed"]]
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename=f"training-compliance-{month}",
            headers=["mentor", "university", "completed"],
            rows=(
                [r["mentor"].user.display_name, r["mentor"].university.name, r["completed"]]
                for r in rows
            ),
            fmt=fmt,
        )
    selected = MentorApplication.objects.filter(term=term, status="selected").select_related("user")
    return render(
        request,
        "mentoring/ops/training.html",
        {
            "term": term,
            **_page(request, rows),
            "month": month,
            "modules": term.modules.all(),
            "mentors": selected.select_related("university").order_by("user__full_name"),
            "missing": only_missing,
            "ready_count": len(selectors.ready_mentors(term)),
        },
    )


@operator_only
def runs(request: HttpRequest) -> HttpResponse:
    term = _term()
    if request.method == "POST":
        try:
            run = services.matching_run_start(
                operator=request.user,  # type: ignore[arg-type]
                term=term,
                fairness=request.POST.get("fairness") == "on",
                cohesion=request.POST.get("cohesion") == "on",
            )
        except DomainError as exc:
            _error(request, exc)
            return redirect("mentoring_ops:runs")
        return redirect("mentoring_ops:run", run_id=run.public_id)
    return render(
        request,
        "mentoring/ops/runs.html",
        {
            "term": term,
            **_page(request, term.runs.all()),
            "waiting": term.mentee_applications.filter(status="submitted").count(),
            "ready": len(selectors.ready_mentors(term)),
        },
    )


@operator_only
def run_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run = get_object_or_404(MatchingRun.objects.select_related("term"), public_id=run_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.matching_run_publish(operator=request.user, run=run)  # type: ignore[arg-type]
                messages.success(request, _("매칭 결과를 공개했습니다."))
            elif action in ("adjust", "remove"):
                proposal = get_object_or_404(
                    Proposal, public_id=request.POST.get("proposal"), run=run
                )
                if action == "remove":
                    services.proposal_remove(operator=request.user, proposal=proposal)  # type: ignore[arg-type]
                else:
                    mentor = get_object_or_404(
                        MentorApplication, public_id=request.POST.get("mentor") or None
                    )
                    services.proposal_adjust(
                        operator=request.user,  # type: ignore[arg-type]
                        proposal=proposal,
                        mentor=mentor,
                        reason=request.POST.get("reason", ""),
                    )
                messages.success(request, _("조정했습니다."))
            else:
                return HttpResponse(status=400)
        except DomainError as exc:
            _error(request, exc)
        return redirect("mentoring_ops:run", run_id=run.public_id)
    if request.htmx and request.GET.get("partial") == "progress":  # type: ignore[attr-defined]
        return render(request, "mentoring/ops/partials/_progress.html", {"run": run})
    proposals = run.proposals.select_related("mentee__user", "mentor__user").order_by(
        "mentor__user__username", "-score"
    )
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename=f"matching-{run.public_id}",
            headers=["mentor", "mentee", "score", *sorted(services.matching.COMPONENTS)],
            rows=(
                [
                    p.mentor.user.username,
                    p.mentee.user.username,
                    p.score,
                    *[p.components.get(c, 0) for c in sorted(services.matching.COMPONENTS)],
                ]
                for p in proposals
            ),
            fmt=fmt,
        )
    return render(
        request,
        "mentoring/ops/run.html",
        {
            "run": run,
            **_page(request, proposals, 100),
            "components": services.matching.COMPONENTS,
            "mentors": selectors.ready_mentors(run.term) if run.status == "done" else [],
        },
    )


@operator_only
def check_ins(request: HttpRequest) -> HttpResponse:
    term = _term()
    if request.method == "POST":
        group = get_object_or_404(MentoringGroup, public_id=request.POST.get("group"), term=term)
        try:
            services.check_in_record(
                staff=request.user,  # type: ignore[arg-type]
                group=group,
                held_on=_date(request.POST.get("held_on"), "held_on"),
                notes=request.POST.get("notes", ""),
                health=request.POST.get("health", ""),
                channel=request.POST.get("channel", "phone"),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("점검을 기록했습니다."))
        return redirect("mentoring_ops:check_ins")
    rows = selectors.check_in_due_list(term)
    health = request.GET.get("health", "")
    if health:
        rows = [r for r in rows if r["health"] == health]
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename="check-ins-due",
            headers=["group", "mentor", "started_on", "required", "done", "health"],
            rows=(
                [
                    str(r["group"].public_id),
                    r["group"].mentor.user.display_name,
                    r["group"].started_on,
                    r["required"],
                    r["done"],
                    r["health"],
                ]
                for r in rows
            ),
            fmt=fmt,
        )
    return render(
        request,
        "mentoring/ops/check_ins.html",
        {
            **_page(request, rows),
            "health": health,
            "healths": CheckIn.Health.choices,
            "today": today(),
        },
    )


GROUP_STATUSES = MentoringGroup.Status.choices


@operator_only
def groups(request: HttpRequest) -> HttpResponse:
    """The term's groups with their mentees, health and check-ins; the way to a group's page
    (and from there to ending a match)."""
    term = _term()
    base = MentoringGroup.objects.filter(term=term)
    status = request.GET.get("status", MentoringGroup.Status.ACTIVE)
    if status in MentoringGroup.Status.values:
        base = base.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        base = base.filter(
            Q(mentor__user__full_name__icontains=query)
            | Q(matches__mentee__user__full_name__icontains=query)
        ).distinct()
    monitoring = selectors.groups_monitoring(base)
    qs = (
        MentoringGroup.objects.filter(pk__in=base.values("pk"))
        .select_related("mentor__user", "mentor__university")
        .annotate(
            active=Count("matches", filter=Q(matches__status=Match.Status.ACTIVE), distinct=True),
            total=Count("matches", distinct=True),
            requests=Count(
                "matches__end_requests",
                filter=Q(matches__end_requests__status=EndRequest.Status.OPEN),
                distinct=True,
            ),
        )
        .order_by("-requests", "started_on", "pk")
    )
    health = request.GET.get("health", "")
    rows: list[dict[str, Any]] = [{"group": g, "m": monitoring[g.pk]} for g in qs]
    if health:
        rows = [r for r in rows if r["group"].status == "active" and r["m"].health == health]
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename="mentoring-groups",
            headers=[
                "group", "mentor", "university", "status", "started_on", "active_mentees",
                "mentees", "health", "last_session", "check_ins_done", "check_ins_required",
                "open_end_requests",
            ],
            rows=(
                [
                    str(r["group"].public_id), r["group"].mentor.user.display_name,
                    r["group"].mentor.university.name, r["group"].status, r["group"].started_on,
                    r["group"].active, r["group"].total, r["m"].health, r["m"].last_session,
                    r["m"].done, r["m"].required, r["group"].requests,
                ]
                for r in rows
            ),
            fmt=fmt,
        )  # fmt: skip
    return render(
        request,
        "mentoring/ops/groups.html",
        {
            **_page(request, rows),
            "status": status,
            "statuses": GROUP_STATUSES,
            "health": health,
            "healths": CheckIn.Health.choices,
            "q": query,
        },
    )


@operator_only
def group_detail(request: HttpRequest, group_id: str) -> HttpResponse:
    group = get_object_or_404(
        MentoringGroup.objects.select_related("mentor__user", "mentor__university", "term"),
        public_id=group_id,
    )
    matches = list(
        group.matches.select_related("mentee__user", "ended_by").order_by("status", "started_on")
    )
    for match in matches:
        access_log_record(
            actor=request.user, subject=match.mentee.user, action="view",
            purpose="operator monitors a mentoring group", request=request, obj=match,
        )  # fmt: skip
    surveys: dict[int, dict[str, ExitSurvey]] = {}
    for survey in ExitSurvey.objects.filter(match__group=group):
        surveys.setdefault(survey.match_id, {})[survey.respondent] = survey
    requests = {
        r.match_id: r
        for r in EndRequest.objects.filter(match__group=group, status=EndRequest.Status.OPEN)
    }
    monitoring = selectors.groups_monitoring(MentoringGroup.objects.filter(pk=group.pk))[group.pk]
    sessions = group.sessions.exclude(status=Session.Status.CANCELLED).annotate(
        present=Count("attendance", filter=Q(attendance__attended=True)),
        counted=Count("attendance"),
        rating=Avg("attendance__feedback"),
    )
    return render(
        request,
        "mentoring/ops/group.html",
        {
            "group": group,
            "rows": [
                {
                    "match": m,
                    "request": requests.get(m.pk),
                    "mentee_survey": surveys.get(m.pk, {}).get("mentee"),
                    "mentor_survey": surveys.get(m.pk, {}).get("mentor"),
                }
                for m in matches
            ],
            "m": monitoring,
            "sessions": sessions.order_by("-date", "-start_time")[:12],
            "check_ins": group.check_ins.select_related("staff")[:12],
        },
    )


def _reason_forms(match: Match, request: HttpRequest) -> list[dict[str, object]]:
    """The planned and the unplanned ending, each with its reasons; the mentor's open request
    (or what was just posted) chosen."""
    labels = dict(EndReason.choices)
    posted = request.POST if request.method == "POST" else None
    open_request = match.end_requests.filter(status=EndRequest.Status.OPEN).first()
    forms = []
    for (ending, label), codes in zip(
        Match.Ending.choices, (PLANNED_REASONS, UNPLANNED_REASONS), strict=True
    ):
        if posted is not None and posted.get("ending") == ending:
            chosen, detail = posted.get("reason_code", ""), posted.get("reason", "")
            rematch = posted.get("rematch") == "on"
        elif posted is None and open_request is not None and open_request.ending == ending:
            chosen, detail, rematch = open_request.reason_code, open_request.detail, True
        else:
            chosen, detail, rematch = "", "", True
        forms.append(
            {
                "ending": ending,
                "label": label,
                "reasons": [(code, labels[code]) for code in codes],
                "chosen": chosen,
                "detail": detail,
                "rematch": rematch,
            }
        )
    return forms


@operator_only
def match_end(request: HttpRequest, match_id: str) -> HttpResponse:
    """Confirm the ending of a match: planned or unplanned, a reason from the list, and for an
    unplanned ending whether the mentee goes back into matching."""
    match = get_object_or_404(
        Match.objects.select_related("mentee__user", "group__mentor__user"), public_id=match_id
    )
    if match.status != Match.Status.ACTIVE:
        messages.info(request, _("이미 종료된 매칭입니다."))
        return redirect("mentoring_ops:group", group_id=match.group.public_id)
    if request.method == "POST":
        try:
            services.match_end(
                actor=request.user,  # type: ignore[arg-type]
                match=match,
                ending=request.POST.get("ending", ""),
                reason_code=request.POST.get("reason_code", ""),
                reason=request.POST.get("reason", ""),
                rematch=request.POST.get("rematch") == "on",
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("매칭을 종료했습니다."))
            return redirect("mentoring_ops:group", group_id=match.group.public_id)
    access_log_record(
        actor=request.user, subject=match.mentee.user, action="view",
        purpose="operator ends a match", request=request, obj=match,
    )  # fmt: skip
    return render(
        request,
        "mentoring/ops/match_end.html",
        {
            "match": match,
            "forms": _reason_forms(match, request),
            "open_request": match.end_requests.filter(status=EndRequest.Status.OPEN)
            .select_related("requested_by")
            .first(),
            "others": match.group.matches.filter(status=Match.Status.ACTIVE)
            .exclude(pk=match.pk)
            .count(),
        },
    )


@operator_only
def end_request_decline(request: HttpRequest, request_id: str) -> HttpResponse:
    end_request = get_object_or_404(
        EndRequest.objects.select_related("match__group"), public_id=request_id
    )
    if request.method != "POST":
        return redirect("mentoring_ops:group", group_id=end_request.match.group.public_id)
    try:
        services.end_request_decline(
            operator=request.user,  # type: ignore[arg-type]
            request=end_request,
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("종료 요청을 반려했습니다."))
    return redirect("mentoring_ops:group", group_id=end_request.match.group.public_id)


@operator_only
def closure(request: HttpRequest) -> HttpResponse:
    """Endings and exit surveys: the mentors' open requests, the surveys in aggregate and why
    matches ended, then the answers themselves (paginated, exportable)."""
    term = _term()
    answers = (
        ExitSurvey.objects.filter(match__group__term=term)
        .select_related("match__mentee__user", "match__group__mentor__user")
        .order_by("-created_at", "-pk")
    )
    respondent = request.GET.get("respondent", "")
    if respondent in ExitSurvey.Respondent.values:
        answers = answers.filter(respondent=respondent)
    fmt = request.GET.get("export")
    access_log_record(
        actor=request.user, subject=None, action="export" if fmt else "view",
        purpose="mentoring exit surveys", request=request,
    )  # fmt: skip
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename="exit-surveys",
            headers=[
                "match", "respondent", "mentor", "mentee", "ending", "reason", "rating",
                "would_recommend", "went_well", "could_be_better", "answered_at",
            ],
            rows=(
                [
                    str(a.match.public_id), a.respondent, a.match.group.mentor.user.display_name,
                    a.match.mentee.user.display_name, a.match.ending, a.match.end_reason_code,
                    a.rating, a.would_recommend, a.went_well, a.could_be_better,
                    a.created_at.isoformat(),
                ]
                for a in answers
            ),
            fmt=fmt,
        )  # fmt: skip
    return render(
        request,
        "mentoring/ops/closure.html",
        {
            "term": term,
            "summary": selectors.exit_survey_summary(term),
            "requests": EndRequest.objects.filter(
                match__group__term=term, status=EndRequest.Status.OPEN
            )
            .select_related("match__mentee__user", "match__group__mentor__user")
            .order_by("created_at"),
            **_page(request, answers, 20),
            "respondent": respondent,
            "respondents": ExitSurvey.Respondent.choices,
        },
    )


@operator_only
def awards(request: HttpRequest) -> HttpResponse:
    term = _term()
    if request.method == "POST":
        p = request.POST
        action = p.get("action")
        try:
            if action == "propose":
                services.awards_propose(
                    operator=request.user,  # type: ignore[arg-type]
                    term=term,
                    kind=p.get("kind", ""),
                    period_start=_date(p.get("period_start"), "period_start"),
                    period_end=_date(p.get("period_end"), "period_end"),
                )
            elif action == "exclude":
                award = get_object_or_404(Award, public_id=p.get("award"), term=term)
                services.award_exclude(
                    operator=request.user,  # type: ignore[arg-type]
                    award=award,
                    reason=p.get("reason", ""),
                )
            elif action == "publish":
                services.awards_publish(
                    operator=request.user,  # type: ignore[arg-type]
                    term=term,
                    kind=p.get("kind", ""),
                    period_start=_date(p.get("period_start"), "period_start"),
                )
            else:
                return HttpResponse(status=400)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("저장했습니다."))
        return redirect("mentoring_ops:awards")
    qs = (
        Award.objects.filter(term=term)
        .select_related("mentor__user", "group")
        .order_by("status", "-period_start", "kind", "rank")
    )
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename="awards",
            headers=["kind", "period_start", "rank", "mentor", "score", "status", "components"],
            rows=(
                [
                    a.kind,
                    a.period_start,
                    a.rank,
                    a.mentor.user.display_name,
                    a.score,
                    a.status,
                    a.components,
                ]
                for a in qs
            ),
            fmt=fmt,
        )
    return render(
        request,
        "mentoring/ops/awards.html",
        {**_page(request, qs), "kinds": Award.Kind.choices, "kind": kind},
    )
