"""The learner's pages (application journey, status, membership) and the guardian's view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seoullearn.accounts import selectors as account_selectors
from seoullearn.core.errors import Conflict, DomainError, NotFound
from seoullearn.core.files import read_encrypted
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.eligibility import labels, rules, selectors, services
from seoullearn.eligibility.forms import (
    ApplicantForm,
    EvidenceForm,
    HouseholdForm,
    ReasonForm,
    add_service_errors,
)
from seoullearn.eligibility.models import Application, Evidence, Membership
from seoullearn.programmes.models import Programme
from seoullearn.programmes.selectors import current_programme

STEPS = [
    (Application.Step.APPLICANT, "eligibility:step_applicant"),
    (Application.Step.HOUSEHOLD, "eligibility:step_household"),
    (Application.Step.EVIDENCE, "eligibility:step_evidence"),
    (Application.Step.REVIEW, "eligibility:step_review"),
]

# URL names the accounts app may offer for inviting a guardian, most specific first.
GUARDIAN_INVITE_URL_NAMES = (
    "accounts:guardian_invite",
    "accounts:guardian-invite",
    "accounts:invite_guardian",
    "accounts:guardians",
)


def guardian_invite_url() -> str | None:
    for name in GUARDIAN_INVITE_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _programme_or_none() -> Programme | None:
    try:
        return current_programme()
    except NotFound:
        return None


def _steps(application: Application, current: int) -> list[dict[str, Any]]:
    return [
        {
            "number": int(step),
            "label": step.label,
            "url": reverse(url_name, args=[application.public_id]),
            "current": int(step) == current,
            "done": application.step >= int(step),
            "reachable": int(step) <= application.step + 1,
        }
        for step, url_name in STEPS
    ]


def _editable_or_status(request: HttpRequest, application: Application) -> HttpResponse | None:
    if application.is_editable:
        return None
    messages.info(request, _("제출한 신청서는 고칠 수 없습니다."))
    return redirect("eligibility:application", application.public_id)


# --- home: my membership and my applications -----------------------------------------------


@role_required(Role.LEARNER)
def home(request: HttpRequest) -> HttpResponse:
    programme = _programme_or_none()
    membership = selectors.active_membership(request.user, programme)
    applications = list(selectors.applications_of(request.user)[:10])
    open_app = next((a for a in applications if a.is_open), None)
    policy = selectors.policy_for(programme) if programme else None
    can_renew = bool(
        membership and policy and services.in_renewal_window(membership, policy, _today())
    )
    past = list(selectors.memberships_of(request.user).exclude(status__in=Membership.CURRENT)[:5])
    return render(
        request,
        "eligibility/home.html",
        {
            "programme": programme,
            "membership": membership,
            "past_memberships": past,
            "applications": applications,
            "open_application": open_app,
            "can_renew": can_renew,
            "districts": selectors.district_names(programme),
        },
    )


def _today() -> Any:
    from seoullearn.core.timeutil import today

    return today()


@role_required(Role.LEARNER)
def apply(request: HttpRequest) -> HttpResponse:
    """GET: what applying involves. POST: open a draft (or go back to the open one)."""
    programme = _programme_or_none()
    policy = selectors.policy_for(programme) if programme else None
    if request.method == "POST":
        if programme is None:
            messages.error(request, _("지금은 신청을 받는 사업이 없습니다."))
            return redirect("eligibility:home")
        try:
            application = services.application_start(applicant=request.user, programme=programme)
        except Conflict as exc:
            existing = exc.details.get("application")
            messages.warning(request, str(exc.message))
            if existing:
                return redirect("eligibility:application", existing)
            return redirect("eligibility:home")
        return redirect("eligibility:step_applicant", application.public_id)
    categories = []
    if policy is not None:
        for rule in policy.open_categories:
            categories.append(
                {
                    "label": labels.category_label(rule.code),
                    "income_pct": rule.income_max_pct if rule.income_check else None,
                    "evidence": [labels.evidence_label(k) for k in rule.evidence],
                }
            )
    existing = selectors.open_application(request.user, programme) if programme else None
    membership = selectors.active_membership(request.user, programme) if programme else None
    blocked_by_membership = bool(
        membership and policy and not services.in_renewal_window(membership, policy, _today())
    )
    return render(
        request,
        "eligibility/apply.html",
        {
            "programme": programme,
            "policy": policy,
            "categories": categories,
            "existing": existing,
            "membership": membership,
            "blocked_by_membership": blocked_by_membership,
            "needs_guardian": account_selectors.needs_guardian_consent(request.user),  # type: ignore[arg-type]
        },
    )


# --- the four steps ------------------------------------------------------------------------


@role_required(Role.LEARNER)
def step_applicant(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    if (response := _editable_or_status(request, application)) is not None:
        return response
    districts = [
        (code, name) for code, name in selectors.district_names(application.programme).items()
    ]
    user: Any = request.user
    lock = user.birth_date is not None
    initial = {
        "applicant_name": application.applicant_name or user.full_name,
        "birth_date": application.birth_date or user.birth_date,
        "school_level": application.school_level,
        "grade": application.grade,
        "school_name": application.school_name,
        "district_code": application.district_code,
    }
    form = ApplicantForm(
        request.POST or None, initial=initial, districts=districts, lock_birth_date=lock
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_save_applicant(
                application=application,
                actor=request.user,
                applicant_name=form.cleaned_data["applicant_name"],
                birth_date=form.cleaned_data.get("birth_date"),
                school_level=form.cleaned_data["school_level"],
                grade=form.cleaned_data.get("grade"),
                school_name=form.cleaned_data.get("school_name") or "",
                district_code=form.cleaned_data["district_code"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("저장했습니다."))
            if "save_only" in request.POST:
                return redirect("eligibility:step_applicant", application.public_id)
            return redirect("eligibility:step_household", application.public_id)
    return render(
        request,
        "eligibility/step_applicant.html",
        {"application": application, "form": form, "steps": _steps(application, 1)},
    )


@role_required(Role.LEARNER)
def step_household(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    if (response := _editable_or_status(request, application)) is not None:
        return response
    if application.step < Application.Step.APPLICANT:
        messages.info(request, _("신청자 정보를 먼저 입력해 주세요."))
        return redirect("eligibility:step_applicant", application.public_id)
    policy = selectors.policy_for(application.programme)
    initial = {
        "category": application.category,
        "household_size": application.household_size,
        "monthly_income_krw": application.monthly_income_krw,
        "note": application.applicant_note,
    }
    form = HouseholdForm(request.POST or None, initial=initial, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_save_household(
                application=application,
                actor=request.user,
                category=form.cleaned_data["category"],
                household_size=form.cleaned_data.get("household_size"),
                monthly_income_krw=form.cleaned_data.get("monthly_income_krw"),
                note=form.cleaned_data.get("note") or "",
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("저장했습니다."))
            if "save_only" in request.POST:
                return redirect("eligibility:step_household", application.public_id)
            return redirect("eligibility:step_evidence", application.public_id)
    category_help = [
        {
            "code": rule.code,
            "label": labels.category_label(rule.code),
            "income_pct": rule.income_max_pct if rule.income_check else None,
            "evidence": [labels.evidence_label(k) for k in rule.evidence],
        }
        for rule in policy.open_categories
    ]
    return render(
        request,
        "eligibility/step_household.html",
        {
            "application": application,
            "form": form,
            "steps": _steps(application, 2),
            "category_help": category_help,
            "median_income": sorted(policy.median_income.items()),
        },
    )


def _evidence_context(application: Application) -> dict[str, Any]:
    policy = selectors.policy_for(application.programme)
    rule = policy.category(application.category)
    required = list(rule.evidence) if rule else []
    uploaded = list(application.evidence.all())
    have = {e.kind for e in uploaded}
    return {
        "required": [
            {"code": k, "label": labels.evidence_label(k), "done": k in have} for k in required
        ],
        "uploaded": uploaded,
        # the category's documents first, then anything an operator may ask for
        "kinds": required + [k for k in rules.EVIDENCE_KINDS if k not in required],
    }


@role_required(Role.LEARNER)
def step_evidence(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    if (response := _editable_or_status(request, application)) is not None:
        return response
    if application.step < Application.Step.HOUSEHOLD:
        messages.info(request, _("대상 유형을 먼저 선택해 주세요."))
        return redirect("eligibility:step_household", application.public_id)
    context = _evidence_context(application)
    form = EvidenceForm(request.POST or None, request.FILES or None, kinds=context["kinds"])
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.evidence_add(
                application=application,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=upload,
                filename=upload.name,
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("서류를 올렸습니다."))
            return redirect("eligibility:step_evidence", application.public_id)
    return render(
        request,
        "eligibility/step_evidence.html",
        {
            "application": application,
            "form": form,
            "steps": _steps(application, 3),
            **context,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(Role.LEARNER)
def evidence_delete(request: HttpRequest, pk: Any, evidence_pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    evidence = application.evidence.filter(public_id=evidence_pk).first()
    if evidence is None:
        raise NotFound(_("파일을 찾을 수 없습니다."))
    try:
        services.evidence_remove(evidence=evidence, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("서류를 지웠습니다."))
    return redirect("eligibility:step_evidence", application.public_id)


@role_required(Role.LEARNER)
def step_review(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    if (response := _editable_or_status(request, application)) is not None:
        return response
    if application.step < Application.Step.HOUSEHOLD:
        return redirect("eligibility:step_household", application.public_id)
    error = None
    if request.method == "POST":
        try:
            services.application_submit(application=application, actor=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("신청서를 제출했습니다. 자격 확인 결과를 알려 드릴게요."))
            return redirect("eligibility:application", application.public_id)
    decision = services.application_precheck(application)
    consent_missing = services.guardian_consent_missing(application)
    return render(
        request,
        "eligibility/step_review.html",
        {
            "application": application,
            "steps": _steps(application, 4),
            "reasons": [
                {"ok": r.passed, "message": labels.reason_message(r), "code": r.code}
                for r in decision.reasons
            ],
            "consent_missing": consent_missing,
            "guardian_invite_url": guardian_invite_url(),
            "evidence": list(application.evidence.all()),
            "district_name": selectors.district_names().get(application.district_code, ""),
            "error": error,
        },
        status=error.status_code if error else 200,
    )


# --- status page ---------------------------------------------------------------------------


@role_required(Role.LEARNER)
def application_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    events = list(application.events.all())
    membership = application.memberships.first() if application.status == "approved" else None
    return render(
        request,
        "eligibility/application.html",
        {
            "application": application,
            "events": events,
            "evidence": list(application.evidence.all()),
            "membership": membership,
            "district_name": selectors.district_names().get(application.district_code, ""),
            "withdraw_form": ReasonForm(),
        },
    )


@require_POST
@role_required(Role.LEARNER)
def application_withdraw(request: HttpRequest, pk: Any) -> HttpResponse:
    application = selectors.application_for_owner(request.user, pk)
    try:
        services.application_withdraw(
            application=application, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("신청을 취소했습니다."))
    return redirect("eligibility:application", application.public_id)


# --- evidence files ------------------------------------------------------------------------


def serve_evidence(
    request: HttpRequest, evidence: Evidence, *, inline: bool, purpose: str
) -> HttpResponse:
    """Decrypt and send a document, after writing the access log entry."""
    data = read_encrypted(evidence.file)
    access_log_record(
        actor=request.user,
        subject=evidence.application.applicant,
        action="view" if inline else "download",
        purpose=purpose,
        request=request,
        obj=evidence,
        detail=evidence.kind,
    )
    response = HttpResponse(data, content_type=evidence.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[
        evidence.content_type
    ]
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="evidence-{evidence.public_id}.{extension}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if evidence.is_image:
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@role_required(Role.LEARNER)
def evidence_file(request: HttpRequest, pk: Any) -> HttpResponse:
    evidence = selectors.evidence_for_viewer(request.user, pk)
    return serve_evidence(
        request, evidence, inline=request.GET.get("inline") == "1", purpose="본인 제출 서류 확인"
    )


# --- guardian ------------------------------------------------------------------------------


@role_required(Role.GUARDIAN)
def children(request: HttpRequest) -> HttpResponse:
    """A guardian sees the application and membership status of their own children only."""
    rows = []
    for child in account_selectors.children_of(request.user):  # type: ignore[arg-type]
        latest = selectors.applications_of(child).first()
        rows.append(
            {
                "child": child,
                "application": latest,
                "membership": selectors.active_membership(child),
                "consent_verified": account_selectors.guardian_consent_verified(child),
            }
        )
        access_log_record(
            actor=request.user,
            subject=child,
            action="view",
            purpose="보호자의 자녀 신청 현황 확인",
            request=request,
        )
    return render(request, "eligibility/children.html", {"rows": rows})
