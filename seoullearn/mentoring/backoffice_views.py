"""Operator pages: screening pipeline, training compliance, matching runs, check-ins, awards."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, When
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
    Award,
    Match,
    MatchingRun,
    MentorApplication,
    MentoringGroup,
    MentorTerm,
    Proposal,
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
            "healths": services.CheckIn.Health.choices,
            "today": today(),
        },
    )


@operator_only
def match_end(request: HttpRequest, match_id: str) -> HttpResponse:
    match = get_object_or_404(Match, public_id=match_id)
    if request.method == "POST":
        try:
            services.match_end(
                actor=request.user,  # type: ignore[arg-type]
                match=match,
                ending=request.POST.get("ending", ""),
                reason=request.POST.get("reason", ""),
                rematch=request.POST.get("rematch") == "on",
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("매칭을 종료했습니다."))
    return redirect("mentoring_ops:check_ins")


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
