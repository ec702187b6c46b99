"""Operator pages of the workspace: how plans are going, and certificates waiting for checks."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seoullearn.activities.listing import (
    export_if_asked,
    log_list_view,
    paginate,
    query_without_page,
)
from seoullearn.activities.web import attempt
from seoullearn.core.errors import NotFound
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import today
from seoullearn.learning import services
from seoullearn.learning.models import LearningPlan, PortfolioEntry
from seoullearn.learning.planner import week_start_of

OPERATOR = Role.OPERATOR


@role_required(OPERATOR)
def home(request: HttpRequest) -> HttpResponse:
    """This week's plans: pace, planned and ticked-off minutes, mentor comments."""
    week = week_start_of(today())
    raw_week = request.GET.get("week")
    if raw_week:
        with contextlib.suppress(ValueError):
            week = week_start_of(dt.date.fromisoformat(raw_week))
    qs = (
        LearningPlan.objects.filter(week_start=week)
        .select_related("learner", "learner__learner_profile")
        .annotate(
            planned=Sum("items__minutes", filter=Q(items__fixed=False)),
            done=Sum("items__minutes", filter=Q(items__fixed=False, items__done_at__isnull=False)),
            comments_count=Count("comments", distinct=True),
        )
        .order_by("pace", "learner__username")
    )
    if request.GET.get("pace"):
        qs = qs.filter(pace=request.GET["pace"])
    if request.GET.get("level"):
        qs = qs.filter(learner__learner_profile__school_level=request.GET["level"])
    export = export_if_asked(
        request,
        filename=f"learning-plans-{week.isoformat()}",
        headers=["learner", "week", "pace", "load_percent", "planned_minutes", "done_minutes"],
        rows=lambda: (
            [
                str(p.learner.pseudonym),
                p.week_start,
                p.pace,
                p.load_percent,
                p.planned or 0,
                p.done or 0,
            ]
            for p in qs
        ),
        purpose="weekly learning plans overview",
    )
    if export:
        return export
    log_list_view(request, purpose="weekly learning plans overview")
    summary = qs.aggregate(n=Count("id"), behind=Count("id", filter=Q(pace="behind")))
    return render(
        request,
        "learning/backoffice/home.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "week": week,
            "summary": summary,
            "paces": [
                ("start", _("첫 주")),
                ("behind", _("뒤처짐")),
                ("on_track", _("순조로움")),
                ("ahead", _("앞서감")),
            ],
        },
    )


@role_required(OPERATOR)
def certificates(request: HttpRequest) -> HttpResponse:
    qs = PortfolioEntry.objects.select_related("learner").filter(
        kind=PortfolioEntry.Kind.CERTIFICATE
    )
    status = request.GET.get("status", "pending")
    if status:
        qs = qs.filter(verification=status)
    qs = qs.order_by("created_at")
    export = export_if_asked(
        request,
        filename="certificates",
        headers=["entry", "learner", "title", "issuer", "occurred_on", "verification"],
        rows=lambda: (
            [
                str(e.public_id),
                str(e.learner.pseudonym),
                e.title,
                e.detail,
                e.occurred_on,
                e.verification,
            ]
            for e in qs
        ),
        purpose="certificate verification queue",
    )
    if export:
        return export
    log_list_view(request, purpose="certificate verification queue")
    return render(
        request,
        "learning/backoffice/certificates.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "status": status,
            "statuses": PortfolioEntry.Verification.choices,
        },
    )


@role_required(OPERATOR)
@require_POST
def certificate_verify(request: HttpRequest, entry_id: str) -> HttpResponse:
    entry = PortfolioEntry.objects.filter(public_id=entry_id).first()
    if entry is None:
        raise NotFound(_("항목을 찾을 수 없습니다."))
    attempt(
        request,
        lambda: services.certificate_verify(
            entry=entry,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        ),
        _("확인 결과를 기록했습니다."),
    )
    return redirect("learning_backoffice:certificates")
