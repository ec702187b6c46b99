"""Pages of the learner workspace, the mentor's and the guardian's views, and share links."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from seoullearn.activities.web import attempt, decorate
from seoullearn.core.errors import DomainError, NotFound, PermissionDenied
from seoullearn.core.files import read_encrypted
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import today
from seoullearn.learning import charts, explain, selectors, services, sources
from seoullearn.learning.forms import (
    CertificateForm,
    CommentForm,
    EntryForm,
    GoalForm,
    PlanItemForm,
    ProfileForm,
    ShareForm,
)
from seoullearn.learning.models import WEEKDAYS, Goal, LearningPlan, PortfolioEntry, PortfolioShare
from seoullearn.learning.planner import week_start_of

LEARNER = Role.LEARNER


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _week_param(request: HttpRequest) -> dt.date:
    raw = request.GET.get("week") or request.POST.get("week")
    if raw:
        try:
            return week_start_of(dt.date.fromisoformat(raw))
        except ValueError:
            pass
    return week_start_of(today())


def _plan_days(
    plan: LearningPlan | None, week_start: dt.date, profile: Any
) -> list[dict[str, Any]]:
    items_by_day: dict[dt.date, list[Any]] = defaultdict(list)
    if plan is not None:
        for item in plan.items.all():
            decorate(item, reason_texts=[explain.reason_text(r) for r in item.reasons])
            decorate(
                item, subject_label=explain.subject_label(item.subject) if item.subject else ""
            )
            decorate(item, mode_label=explain.mode_label(item.mode))
            items_by_day[item.day].append(item)
    days = []
    for i in range(7):
        day = week_start + dt.timedelta(days=i)
        items = items_by_day.get(day, [])
        available = profile.availability[i] if profile else 0
        days.append(
            {
                "date": day,
                "name": explain.weekday_label(i),
                "items": items,
                "available": available,
                "planned": sum(it.minutes for it in items if not it.fixed),
                "fixed": sum(it.minutes for it in items if it.fixed),
                "is_today": day == today(),
                "is_past": day < today(),
            }
        )
    return days


# --- learner: home, goals ---------------------------------------------------------------------


@role_required(LEARNER)
def home(request: HttpRequest) -> HttpResponse:
    profile = selectors.profile_of(request.user)
    plan = selectors.current_plan(request.user)
    today_items = []
    if plan is not None:
        for item in plan.items.filter(day=today()):
            decorate(
                item, subject_label=explain.subject_label(item.subject) if item.subject else ""
            )
            today_items.append(item)
    overview = selectors.progress_overview(request.user)
    return render(
        request,
        "learning/home.html",
        {
            "profile": profile,
            "plan": plan,
            "today_items": today_items,
            "overview": overview,
        },
    )


@role_required(LEARNER)
def goals(request: HttpRequest) -> HttpResponse:
    profile = selectors.profile_of(request.user)
    initial: dict[str, Any] = {}
    if profile is not None:
        initial = {
            "purposes": profile.purposes,
            "subjects": profile.subjects,
            "interests": profile.interests,
            "desired_major": profile.desired_major,
            "desired_job": profile.desired_job,
            "learning_style": profile.learning_style,
            "session_minutes": profile.session_minutes,
            "reminders_enabled": profile.reminders_enabled,
            **{f"minutes_{d}": getattr(profile, f"minutes_{d}") for d in WEEKDAYS},
        }
    form = ProfileForm(request.POST or None, initial=initial, prefix="p")
    goal_form = GoalForm(prefix="g")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_save(
                learner=request.user,
                purposes=data["purposes"],
                subjects=data["subjects"],
                interests=data["interests"],
                desired_major=data["desired_major"],
                desired_job=data["desired_job"],
                learning_style=data["learning_style"],
                session_minutes=data["session_minutes"],
                availability=form.availability(),
                reminders_enabled=data["reminders_enabled"],
            )
        except DomainError as exc:
            for field, message in (exc.details.get("fields") or {}).items():
                form.add_error(field if field in form.fields else None, message)
            if not exc.details.get("fields"):
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("목표와 공부 시간을 저장했습니다."))
            return redirect("learning:goals")
    return render(
        request,
        "learning/goals.html",
        {
            "form": form,
            "goal_form": goal_form,
            "goals": selectors.goals_of(request.user),
            "profile": profile,
        },
    )


@role_required(LEARNER)
@require_POST
def goal_add(request: HttpRequest) -> HttpResponse:
    form = GoalForm(request.POST, prefix="g")
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.goal_create(
                learner=request.user,
                title=data["title"],
                purpose=data["purpose"],
                subject=data["subject"],
                metric=data["metric"],
                target_value=data["target_value"],
                due_on=data["due_on"],
            ),
            _("목표를 추가했습니다."),
        )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
    return redirect("learning:goals")


@role_required(LEARNER)
@require_POST
def goal_status(request: HttpRequest, goal_id: str) -> HttpResponse:
    goal = Goal.objects.filter(public_id=goal_id).first()
    if goal is None:
        raise NotFound(_("목표를 찾을 수 없습니다."))
    attempt(
        request,
        lambda: services.goal_status_set(
            goal=goal, learner=request.user, status=request.POST.get("status", "")
        ),
        _("목표를 바꿨습니다."),
    )
    return redirect("learning:goals")


# --- learner: plan ----------------------------------------------------------------------------


@role_required(LEARNER)
def plan(request: HttpRequest) -> HttpResponse:
    week_start = _week_param(request)
    the_plan = selectors.plan_for_week(request.user, week_start)
    profile = selectors.profile_of(request.user)
    return render(
        request,
        "learning/plan.html",
        {
            "plan": the_plan,
            "profile": profile,
            "week_start": week_start,
            "prev_week": week_start - dt.timedelta(weeks=1),
            "next_week": week_start + dt.timedelta(weeks=1),
            "days": _plan_days(the_plan, week_start, profile),
            "plan_reasons": [
                explain.reason_text(r) for r in (the_plan.reasons if the_plan else [])
            ],
            "suggestions": [
                {**s, "texts": [explain.reason_text(r) for r in s["reasons"]]}
                for s in (the_plan.suggestions if the_plan else [])
            ],
            "item_form": PlanItemForm(prefix="add"),
            "comment_form": CommentForm(),
            "can_comment": the_plan is not None,
        },
    )


@role_required(LEARNER)
@require_POST
def plan_generate(request: HttpRequest) -> HttpResponse:
    week_start = _week_param(request)
    result = attempt(
        request,
        lambda: services.plan_generate(learner=request.user, week_start=week_start),
        _("계획을 새로 짰습니다. 왜 이렇게 짰는지는 항목마다 볼 수 있어요."),
    )
    if result is None and selectors.profile_of(request.user) is None:
        return redirect("learning:goals")
    return redirect(f"{reverse('learning:plan')}?week={week_start.isoformat()}")


@role_required(LEARNER)
@require_POST
def plan_item_add(request: HttpRequest, plan_id: str) -> HttpResponse:
    the_plan = selectors.own_plan(request.user, plan_id)
    form = PlanItemForm(request.POST, prefix="add")
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.plan_item_add(
                plan=the_plan,
                learner=request.user,
                day=data["day"],
                minutes=data["minutes"],
                subject=data["subject"],
                title=data["title"],
            ),
            _("할 일을 추가했습니다."),
        )
    else:
        messages.error(request, _("추가할 일의 날짜와 시간을 확인해 주세요."))
    return redirect(f"{reverse('learning:plan')}?week={the_plan.week_start.isoformat()}")


@role_required(LEARNER)
def plan_item_edit(request: HttpRequest, item_id: str) -> HttpResponse:
    item = selectors.own_item(request.user, item_id)
    form = PlanItemForm(
        request.POST or None,
        initial={
            "day": item.day,
            "minutes": item.minutes,
            "subject": item.subject,
            "title": item.title,
        },
        prefix=f"i{item.pk}",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_item_update(
                item=item,
                learner=request.user,
                day=data["day"],
                minutes=data["minutes"],
                subject=data["subject"],
                title=data["title"],
            )
        except DomainError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("계획을 고쳤습니다."))
            return redirect(f"{reverse('learning:plan')}?week={item.plan.week_start.isoformat()}")
    return render(request, "learning/plan_item_edit.html", {"item": item, "form": form})


@role_required(LEARNER)
@require_POST
def plan_item_done(request: HttpRequest, item_id: str) -> HttpResponse:
    item = selectors.own_item(request.user, item_id)
    attempt(
        request,
        lambda: services.plan_item_done(
            item=item, learner=request.user, done=request.POST.get("done") == "1"
        ),
    )
    if request.htmx:  # type: ignore[attr-defined]
        item.refresh_from_db()
        decorate(item, subject_label=explain.subject_label(item.subject) if item.subject else "")
        decorate(item, reason_texts=[explain.reason_text(r) for r in item.reasons])
        decorate(item, mode_label=explain.mode_label(item.mode))
        return render(request, "learning/partials/_plan_item.html", {"item": item})
    return redirect(f"{reverse('learning:plan')}?week={item.plan.week_start.isoformat()}")


@role_required(LEARNER)
@require_POST
def plan_item_delete(request: HttpRequest, item_id: str) -> HttpResponse:
    item = selectors.own_item(request.user, item_id)
    week = item.plan.week_start
    attempt(
        request,
        lambda: services.plan_item_delete(item=item, learner=request.user),
        _("항목을 지웠습니다."),
    )
    return redirect(f"{reverse('learning:plan')}?week={week.isoformat()}")


@role_required(LEARNER, Role.MENTOR)
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    """A plan read by its learner or the learner's mentor (who may comment)."""
    the_plan = selectors.plan_for_viewer(request.user, plan_id)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = attempt(
            request,
            lambda: services.plan_comment_add(
                plan=the_plan, author=request.user, body=form.cleaned_data["body"]
            ),
            _("의견을 남겼습니다."),
        )
        if result is not None:
            return redirect("learning:plan_detail", plan_id=the_plan.public_id)
    if _role(request) == Role.MENTOR:
        access_log_record(
            actor=request.user,
            subject=the_plan.learner,
            action="view",
            purpose="mentor reads mentee's learning plan",
            request=request,
            obj=the_plan,
        )
    profile = selectors.profile_of(the_plan.learner)
    return render(
        request,
        "learning/plan_detail.html",
        {
            "plan": the_plan,
            "days": _plan_days(the_plan, the_plan.week_start, profile),
            "plan_reasons": [explain.reason_text(r) for r in the_plan.reasons],
            "comment_form": form,
        },
    )


# --- learner: progress ------------------------------------------------------------------------


def _charts(overview: selectors.Overview) -> dict[str, Any]:
    week_points = [(explain.short_weekday(d.weekday()), m) for d, m in overview.week_days]
    month_points = [(str(d.day), m) for d, m in overview.month_days]
    weeks_points = [(d.strftime("%m/%d"), m) for d, m in overview.weeks]
    week_total = sum(m for _d, m in overview.week_days)
    month_total = sum(m for _d, m in overview.month_days)
    return {
        "week_svg": mark_safe(  # noqa: S308 - built from escaped values in charts.bar_chart
            charts.bar_chart(
                chart_id="chart-week",
                title=_("이번 주 요일별 학습 시간"),
                description=_("이번 주 모두 %(m)s분 공부했습니다. ") % {"m": week_total}
                + ", ".join(f"{label} {v}" for label, v in week_points),
                points=week_points,
                unit=_("분"),
            )
        ),
        "month_svg": mark_safe(  # noqa: S308
            charts.bar_chart(
                chart_id="chart-month",
                title=_("이번 달 날짜별 학습 시간"),
                description=_("이번 달 모두 %(m)s분 공부했습니다.") % {"m": month_total},
                points=month_points,
                unit=_("분"),
            )
        ),
        "weeks_svg": mark_safe(  # noqa: S308
            charts.bar_chart(
                chart_id="chart-weeks",
                title=_("최근 8주 주별 학습 시간"),
                description=", ".join(f"{label} {v}" for label, v in weeks_points),
                points=weeks_points,
                unit=_("분"),
                highlight_last=True,
            )
        ),
        "week_points": week_points,
        "weeks_points": weeks_points,
    }


@role_required(LEARNER)
def progress(request: HttpRequest) -> HttpResponse:
    overview = selectors.progress_overview(request.user)
    return render(
        request,
        "learning/progress.html",
        {"overview": overview, **_charts(overview), "subject": request.user},
    )


# --- learner: portfolio -----------------------------------------------------------------------


@role_required(LEARNER)
def portfolio(request: HttpRequest) -> HttpResponse:
    qs = selectors.portfolio_of(request.user).order_by("-included", "-occurred_on", "title")
    kind = request.GET.get("kind", "")
    if kind in PortfolioEntry.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    for entry in entries:
        form = EntryForm(
            initial={"included": entry.included, "reflection": entry.reflection},
            prefix=f"e{entry.pk}",
        )
        decorate(entry, form=form)
    new_share = request.session.pop("new_share_url", None)
    return render(
        request,
        "learning/portfolio.html",
        {
            "entries": entries,
            "page": page,
            "kind": kind,
            "kinds": PortfolioEntry.Kind.choices,
            "included_count": selectors.portfolio_of(request.user, included_only=True).count(),
            "certificate_form": CertificateForm(),
            "share_form": ShareForm(),
            "shares": selectors.shares_of(request.user),
            "new_share_url": new_share,
        },
    )


@role_required(LEARNER)
@require_POST
def portfolio_sync(request: HttpRequest) -> HttpResponse:
    count = attempt(request, lambda: services.portfolio_sync(learner=request.user))
    if count is not None:
        messages.success(request, _("새 성과 %(n)s개를 가져왔습니다.") % {"n": count})
    return redirect("learning:portfolio")


@role_required(LEARNER)
@require_POST
def portfolio_entry(request: HttpRequest, entry_id: str) -> HttpResponse:
    entry = selectors.own_entry(request.user, entry_id)
    form = EntryForm(request.POST, prefix=f"e{entry.pk}")
    if form.is_valid():
        attempt(
            request,
            lambda: services.portfolio_entry_update(
                entry=entry,
                learner=request.user,
                included=form.cleaned_data["included"],
                reflection=form.cleaned_data["reflection"],
            ),
            _("저장했습니다."),
        )
    else:
        messages.error(request, _("성찰은 3,000자 이내로 적어 주세요."))
    return redirect(f"{reverse('learning:portfolio')}#entry-{entry.public_id}")


@role_required(LEARNER)
@require_POST
def certificate_add(request: HttpRequest) -> HttpResponse:
    form = CertificateForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.MAX_EVIDENCE_BYTES:
            messages.error(request, _("10MB 이하의 파일을 올려 주세요."))
            return redirect("learning:portfolio")
        attempt(
            request,
            lambda: services.certificate_add(
                learner=request.user,
                title=form.cleaned_data["title"],
                issuer=form.cleaned_data["issuer"],
                occurred_on=form.cleaned_data["occurred_on"],
                data=upload.read(),
            ),
            _("자격증을 올렸습니다. 운영자가 확인하면 포트폴리오에 넣을 수 있어요."),
        )
    else:
        messages.error(request, _("자격증 이름, 발급 기관, 취득일, 파일을 확인해 주세요."))
    return redirect("learning:portfolio")


@role_required(LEARNER, Role.OPERATOR)
def certificate_evidence(request: HttpRequest, entry_id: str) -> HttpResponse:
    entry = PortfolioEntry.objects.select_related("learner").filter(public_id=entry_id).first()
    if entry is None or not entry.evidence_file:
        raise NotFound(_("파일을 찾을 수 없습니다."))
    if _role(request) == Role.LEARNER and entry.learner_id != request.user.pk:
        raise PermissionDenied(_("본인의 파일만 볼 수 있습니다."), code="wrong_owner")
    access_log_record(
        actor=request.user,
        subject=entry.learner,
        action="download",
        purpose="certificate evidence",
        request=request,
        obj=entry,
    )
    response = HttpResponse(
        read_encrypted(entry.evidence_file), content_type=entry.evidence_content_type
    )
    response["Content-Disposition"] = "attachment"
    response["Cache-Control"] = "no-store"
    return response


@role_required(LEARNER)
@require_POST
def share_create(request: HttpRequest) -> HttpResponse:
    form = ShareForm(request.POST)
    if form.is_valid():
        result = attempt(
            request,
            lambda: services.share_create(
                learner=request.user,
                recipient=form.cleaned_data["recipient"],
                days=form.cleaned_data["days"],
            ),
            _("공유 링크를 만들었습니다."),
        )
        if result is not None:
            _share, token = result
            request.session["new_share_url"] = request.build_absolute_uri(
                reverse("learning:shared", kwargs={"token": token})
            )
    else:
        messages.error(request, _("받는 곳과 공유 기간(1–90일)을 확인해 주세요."))
    return redirect("learning:portfolio")


@role_required(LEARNER)
@require_POST
def share_revoke(request: HttpRequest, share_id: str) -> HttpResponse:
    share = PortfolioShare.objects.filter(public_id=share_id).first()
    if share is None:
        raise NotFound(_("공유 링크를 찾을 수 없습니다."))
    attempt(
        request,
        lambda: services.share_revoke(share=share, learner=request.user),
        _("공유를 중단했습니다."),
    )
    return redirect("learning:portfolio")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(LEARNER)
def portfolio_pdf(request: HttpRequest) -> HttpResponse:
    pdf = services.portfolio_pdf(learner=request.user, request=request, actor=request.user)
    return _pdf_response(pdf, "portfolio.pdf")


@require_safe  # opening is logged: only reads count as openings
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The page a school or employer opens from a share link, without an account."""
    try:
        share = services.share_open(token=token, request=request)
    except (NotFound, PermissionDenied) as exc:
        return render(
            request, "learning/shared_invalid.html", {"error": exc}, status=exc.status_code
        )
    response = render(
        request,
        "learning/shared.html",
        {
            "share": share,
            "learner": share.learner,
            "profile": selectors.profile_of(share.learner),
            "entries": selectors.portfolio_of(share.learner, included_only=True),
            "token": token,
        },
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        share = selectors.share_from_token(token)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(str(exc.message)) from exc
    pdf = services.portfolio_pdf(learner=share.learner, request=request, actor=None)
    return _pdf_response(pdf, "portfolio.pdf")


# --- mentor -----------------------------------------------------------------------------------


@role_required(Role.MENTOR)
def mentor_home(request: HttpRequest) -> HttpResponse:
    mentees = []
    for learner in sources.mentees_of(request.user):
        mentees.append({"learner": learner, "plan": selectors.current_plan(learner)})
    return render(
        request,
        "learning/mentor_home.html",
        {"mentees": mentees, "mentoring_installed": sources.installed_sources()["mentoring"]},
    )


# --- guardian ---------------------------------------------------------------------------------


@role_required(Role.GUARDIAN)
def guardian_home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "learning/guardian_home.html", {"children": selectors.children_for(request.user)}
    )


@role_required(Role.GUARDIAN)
def guardian_child(request: HttpRequest, child_id: str) -> HttpResponse:
    child = selectors.child_for_guardian(request.user, child_id)
    services.guardian_view_record(guardian=request.user, child=child, request=request)
    summary = selectors.child_summary(child)
    return render(
        request,
        "learning/guardian_child.html",
        {"summary": summary, **_charts(summary.overview)},
    )
