"""Operator pages under /backoffice/eligibility/: review queue, application detail with the
evidence viewer, member search, membership detail and revocation, the policy editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from seoullearn.core.errors import Conflict, DomainError, NotFound
from seoullearn.core.exports import export_response
from seoullearn.core.files import read_encrypted
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.eligibility import exports, labels, rules, selectors, services
from seoullearn.eligibility.forms import (
    DecisionForm,
    PolicyForm,
    ReasonForm,
    add_service_errors,
)
from seoullearn.eligibility.models import (
    Application,
    BulkApproval,
    EligibilityPolicy,
    ExportJob,
    Membership,
)
from seoullearn.eligibility.views import serve_evidence
from seoullearn.programmes.models import Programme
from seoullearn.programmes.selectors import current_programme

PAGE_SIZE = 50


def _programme() -> Programme | None:
    try:
        return current_programme()
    except NotFound:
        return None


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _filter_context(programme: Programme | None) -> dict[str, Any]:
    return {
        "status_choices": [c for c in Application.Status.choices if c[0] != "draft"],
        "verification_choices": Application.Verification.choices,
        "kind_choices": Application.Kind.choices,
        "category_choices": labels.category_choices(),
        "district_choices": sorted(selectors.district_names(programme).items()),
        "school_level_choices": Application._meta.get_field("school_level").choices,
        "membership_status_choices": Membership.Status.choices,
    }


# --- exports -------------------------------------------------------------------------------

EXPORT_PURPOSES: dict[str, str] = {
    ExportJob.Kind.APPLICATIONS: "자격 심사 목록 내보내기",
    ExportJob.Kind.MEMBERS: "회원 목록 내보내기",
}


def _export(
    request: HttpRequest,
    kind: str,
    fmt: str,
    filters: dict[str, str],
    programme: Programme | None,
    districts: dict[str, str],
) -> HttpResponse:
    """Send a small export at once; build a large one in the background."""
    qs, headers, rows = exports.source(kind, request.user, filters, programme)
    count = qs.count()
    if count > exports.INLINE_MAX_ROWS:
        job = exports.export_start(
            actor=request.user, kind=kind, fmt=fmt, filters=filters, programme=programme
        )
        messages.info(request, _("내보낼 행이 많아 백그라운드에서 파일을 만듭니다."))
        return redirect("eligibility_backoffice:export_job", job.public_id)
    access_log_record(
        actor=request.user,
        subject=None,
        action="export",
        purpose=EXPORT_PURPOSES[kind],
        request=request,
        detail=f"{count} rows; {urlencode(filters)}",
    )
    return export_response(filename=kind, headers=headers, rows=rows(qs, districts), fmt=fmt)


def _own_export(request: HttpRequest, pk: Any) -> ExportJob:
    job = ExportJob.objects.filter(public_id=pk, requested_by_id=request.user.pk).first()
    if job is None:
        raise NotFound(_("작업을 찾을 수 없습니다."))
    return job


@role_required(Role.OPERATOR)
def export_job(request: HttpRequest, pk: Any) -> HttpResponse:
    job = _own_export(request, pk)
    template = (
        "eligibility/backoffice/partials/_export_progress.html"
        if getattr(request, "htmx", False)
        else "eligibility/backoffice/export_job.html"
    )
    return render(request, template, {"job": job})


@role_required(Role.OPERATOR)
def export_download(request: HttpRequest, pk: Any) -> HttpResponse:
    """The finished file, for the operator who asked for it only; the download is logged."""
    job = _own_export(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise NotFound(_("내려받을 파일이 없습니다."))
    access_log_record(
        actor=request.user,
        subject=None,
        action="export",
        purpose=EXPORT_PURPOSES[job.kind],
        request=request,
        obj=job,
        detail=f"{job.total} rows; {urlencode(job.filters)}",
    )
    content_type = (
        "text/csv; charset=utf-8"
        if job.fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(read_encrypted(job.file), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- review queue --------------------------------------------------------------------------


@role_required(Role.OPERATOR)
def queue(request: HttpRequest) -> HttpResponse:
    programme = _programme()
    filters = selectors.ReviewFilters.from_query(request.GET)
    qs = selectors.review_queue(request.user, filters, programme=programme)
    districts = selectors.district_names(programme)
    fmt = request.GET.get("export")
    if fmt in exports.FORMATS:
        return _export(
            request, ExportJob.Kind.APPLICATIONS, fmt, filters.as_query(), programme, districts
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log_record(
        actor=request.user,
        subject=None,
        action="search",
        purpose="자격 심사 목록 조회",
        request=request,
        detail=urlencode(filters.as_query()),
    )
    auto_verified = qs.filter(
        status=Application.Status.IN_REVIEW, verification=Application.Verification.AUTO_VERIFIED
    ).count()
    return render(
        request,
        "eligibility/backoffice/queue.html",
        {
            "programme": programme,
            "filters": filters,
            "filter_items": sorted(filters.as_query().items()),
            "auto_verified_count": auto_verified,
            "page_obj": page,
            "querystring_without_page": _query_without_page(request),
            "districts": districts,
            "counts": selectors.awaiting_review_counts(programme),
            "bulk_form": ReasonForm(
                initial={"reason": _("자동 확인(복지 자격 정보 일치) 후 일괄 승인")}
            ),
            **_filter_context(programme),
        },
    )


@require_POST
@role_required(Role.OPERATOR)
def bulk_approve(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("applications")
    back = request.POST.get("next") or ""
    if not back.startswith("/backoffice/"):
        back = "/backoffice/eligibility/applications/"
    if not ids:
        messages.error(request, _("승인할 신청서를 선택해 주세요."))
        return redirect(back)
    try:
        result = services.applications_bulk_approve(
            actor=request.user, application_ids=ids, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    messages.success(
        request,
        _("%(n)s건을 승인했습니다.") % {"n": len(result.approved)},
    )
    if result.skipped:
        messages.warning(
            request,
            _("%(n)s건은 승인하지 않았습니다: %(why)s")
            % {"n": len(result.skipped), "why": "; ".join(sorted(set(result.skipped.values())))},
        )
    return redirect(back)


@require_POST
@role_required(Role.OPERATOR)
def bulk_approve_all(request: HttpRequest) -> HttpResponse:
    """Approve every automatically verified application matching the filters, as a task."""
    filters = selectors.ReviewFilters.from_query(request.POST)
    try:
        job = services.bulk_approval_start(
            actor=request.user, filters=filters, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(
            reverse("eligibility_backoffice:queue") + "?" + urlencode(filters.as_query())
        )
    return redirect("eligibility_backoffice:bulk_job", job.public_id)


@role_required(Role.OPERATOR)
def bulk_job(request: HttpRequest, pk: Any) -> HttpResponse:
    job = BulkApproval.objects.select_related("requested_by").filter(public_id=pk).first()
    if job is None:
        raise NotFound(_("작업을 찾을 수 없습니다."))
    template = (
        "eligibility/backoffice/partials/_bulk_progress.html"
        if getattr(request, "htmx", False)
        else "eligibility/backoffice/bulk_job.html"
    )
    return render(request, template, {"job": job})


# --- application detail --------------------------------------------------------------------


def _detail_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    runs = []
    for run in application.verification_runs.all():
        runs.append(
            {
                "run": run,
                "label": labels.verifier_label(run.verifier),
                "reasons": [
                    {"ok": r.passed, "message": labels.reason_message(r)}
                    for r in run.reason_objects()
                ],
            }
        )
    history = list(
        application.history.select_related("history_user").order_by("-history_date")[:50]
    )
    claimed_by_other = selectors.is_claimed_by_other(
        application, request.user, ttl=services.CLAIM_TTL
    )
    others = (
        Application.objects.filter(applicant=application.applicant)
        .exclude(pk=application.pk)
        .exclude(status=Application.Status.DRAFT)
        .order_by("-created_at")
    )
    return {
        "application": application,
        "applicant": application.applicant,
        "events": list(application.events.select_related("actor")),
        "evidence": list(application.evidence.all()),
        "runs": runs,
        "history": history,
        "other_applications": list(others[:10]),
        "membership": selectors.active_membership(application.applicant),
        "district_name": selectors.district_names().get(application.district_code, ""),
        "claimed_by_me": application.claimed_by_id == request.user.pk,
        "claimed_by_other": claimed_by_other,
        "decidable": application.status in Application.DECIDABLE,
        "decision_form": DecisionForm(),
        "precheck": [
            {"ok": r.passed, "message": labels.reason_message(r)}
            for r in services.application_precheck(application).reasons
        ],
    }


@role_required(Role.OPERATOR)
def application_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_reviewer(request.user, pk)
    access_log_record(
        actor=request.user,
        subject=application.applicant,
        action="view",
        purpose="자격 심사",
        request=request,
        obj=application,
    )
    return render(
        request, "eligibility/backoffice/application.html", _detail_context(request, application)
    )


@require_POST
@role_required(Role.OPERATOR)
def application_claim(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_reviewer(request.user, pk)
    try:
        if request.POST.get("release"):
            services.application_release(application=application, actor=request.user)
            messages.success(request, _("심사를 내려놓았습니다."))
        else:
            services.application_claim(application=application, actor=request.user)
            messages.success(
                request, _("이 신청서를 맡았습니다. 다른 심사자는 결정할 수 없습니다.")
            )
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return _detail_with_status(request, application, status=409)
    return redirect("eligibility_backoffice:application", application.public_id)


def _detail_with_status(
    request: HttpRequest, application: Application, *, status: int, form: Any = None
) -> HttpResponse:
    application.refresh_from_db()
    context = _detail_context(request, application)
    if form is not None:
        context["decision_form"] = form
    return render(request, "eligibility/backoffice/application.html", context, status=status)


@require_POST
@role_required(Role.OPERATOR)
def application_decide(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_reviewer(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail_with_status(request, application, status=400, form=form)
    try:
        services.application_decide(
            application=application,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return _detail_with_status(request, application, status=409)
    except DomainError as exc:
        add_service_errors(form, exc)
        return _detail_with_status(request, application, status=exc.status_code, form=form)
    messages.success(request, _("결정을 저장했습니다."))
    return redirect("eligibility_backoffice:application", application.public_id)


@xframe_options_sameorigin
@role_required(Role.OPERATOR)
def evidence_file(request: HttpRequest, pk: Any) -> HttpResponse:
    evidence = selectors.evidence_for_viewer(request.user, pk)
    inline = request.GET.get("download") != "1"
    return serve_evidence(request, evidence, inline=inline, purpose="자격 심사 증빙 확인")


# --- members -------------------------------------------------------------------------------


@role_required(Role.OPERATOR)
def members(request: HttpRequest) -> HttpResponse:
    programme = _programme()
    filters = selectors.MemberFilters.from_query(request.GET)
    qs = selectors.member_search(request.user, filters, programme=programme)
    districts = selectors.district_names(programme)
    fmt = request.GET.get("export")
    if fmt in exports.FORMATS:
        return _export(
            request, ExportJob.Kind.MEMBERS, fmt, filters.as_query(), programme, districts
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log_record(
        actor=request.user,
        subject=None,
        action="search",
        purpose="회원 검색",
        request=request,
        detail=urlencode(filters.as_query()),
    )
    return render(
        request,
        "eligibility/backoffice/members.html",
        {
            "programme": programme,
            "filters": filters,
            "page_obj": page,
            "querystring_without_page": _query_without_page(request),
            "districts": districts,
            "counts": selectors.membership_counts(programme),
            **_filter_context(programme),
        },
    )


@role_required(Role.OPERATOR)
def member_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    membership = selectors.membership_for_operator(request.user, pk)
    access_log_record(
        actor=request.user,
        subject=membership.user,
        action="view",
        purpose="회원 자격 확인",
        request=request,
        obj=membership,
    )
    return _member_page(request, membership, ReasonForm())


def _member_page(
    request: HttpRequest, membership: Membership, form: ReasonForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "eligibility/backoffice/member.html",
        {
            "membership": membership,
            "events": list(membership.events.select_related("actor")),
            "history": list(
                membership.history.select_related("history_user").order_by("-history_date")[:50]
            ),
            "district_name": selectors.district_names().get(membership.district_code, ""),
            "revoke_form": form,
            "revocable": membership.status in Membership.CURRENT,
        },
        status=status,
    )


@require_POST
@role_required(Role.OPERATOR)
def member_revoke(request: HttpRequest, pk: Any) -> HttpResponse:
    membership = selectors.membership_for_operator(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _member_page(request, membership, form, status=400)
    try:
        services.membership_revoke(
            membership=membership, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
        membership.refresh_from_db()
        return _member_page(request, membership, form, status=409)
    except DomainError as exc:
        add_service_errors(form, exc)
        return _member_page(request, membership, form, status=exc.status_code)
    messages.success(request, _("회원 자격을 취소했습니다."))
    return redirect("eligibility_backoffice:member", membership.public_id)


# --- policy --------------------------------------------------------------------------------


def _policy_field(name: str) -> str | None:
    """Map a policy-document field (``categories.2.evidence``) to its form field."""
    parts = name.split(".")
    if parts[0] == "categories" and len(parts) == 3 and parts[1].isdigit():
        codes = list(rules.CATEGORY_LABELS)
        index = int(parts[1])
        if index < len(codes):
            return f"{codes[index]}__{parts[2]}"
    if parts[0] == "median_income":
        return "median_1"
    return name if parts[0] in PolicyForm.base_fields else None


@role_required(Role.OPERATOR)
def policy(request: HttpRequest) -> HttpResponse:
    programme = _programme()
    if programme is None:
        raise NotFound(_("운영 중인 사업이 없습니다."))
    current = selectors.policy_for(programme)
    districts = sorted(selectors.district_names(programme).items())
    form = PolicyForm(
        request.POST or None, initial=PolicyForm.initial_from(current), districts=districts
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.policy_save(
                    programme=programme,
                    data=form.to_document(),
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                for name, message in (exc.details.get("fields") or {}).items():
                    target = _policy_field(name)
                    form.add_error(target if target in form.fields else None, message)
                if not exc.details.get("fields"):
                    form.add_error(None, str(exc.message))
                status = exc.status_code
            else:
                messages.success(request, _("정책을 저장했습니다."))
                return redirect("eligibility_backoffice:policy")
        else:
            status = 400
    stored = EligibilityPolicy.objects.filter(programme=programme).first()
    history = (
        list(stored.history.select_related("history_user").order_by("-history_date")[:20])
        if stored
        else []
    )
    return render(
        request,
        "eligibility/backoffice/policy.html",
        {"programme": programme, "form": form, "history": history, "stored": stored},
        status=status,
    )
