"""Account pages for everyone: profile, consents, notices, guardian invitation and home, tokens."""

from __future__ import annotations

from typing import Any

from allauth.account.views import SignupView as AllauthSignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seoullearn.accounts import selectors, services
from seoullearn.accounts.effects import WITHDRAWAL_EFFECTS
from seoullearn.accounts.forms import (
    ApiTokenForm,
    GuardianAcceptForm,
    GuardianInviteForm,
    LearnerProfileForm,
    ProfileForm,
    RevokeForm,
    WithdrawForm,
    apply_domain_error,
)
from seoullearn.accounts.models import ApiToken, ConsentRecord, GuardianLink, LearnerProfile, User
from seoullearn.core.errors import DomainError
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import SELF_SIGNUP_ROLES, Role
from seoullearn.core.services import access_log_record


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


class SignupView(AllauthSignupView):
    """allauth's sign-up with the role preselected from ``?role=`` (guardian invitations)."""

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        role = self.request.GET.get("role")
        if role in SELF_SIGNUP_ROLES:
            initial["role"] = role
        return initial


signup = SignupView.as_view()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's starting page: the menu shows what the role can do."""
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, Any] = {}
    if user.role == Role.LEARNER:
        context["needs_guardian"] = selectors.needs_guardian_consent(user)
        context["may_apply"] = selectors.may_apply(user)
    if user.role == Role.GUARDIAN:
        context["children"] = selectors.children_status(user)
    if user.mfa_required:
        context["has_totp"] = selectors.has_totp(user)
    return render(request, "accounts/dashboard.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    is_learner = user.role == Role.LEARNER
    learner_profile = LearnerProfile.objects.filter(user=user).first() if is_learner else None
    form = ProfileForm(
        request.POST if request.method == "POST" and "save_profile" in request.POST else None,
        initial={
            "full_name": user.full_name,
            "phone": services.format_mobile(user.phone) if user.phone else "",
            "preferred_language": user.preferred_language,
        },
    )
    learner_form = None
    if is_learner:
        learner_form = LearnerProfileForm(
            request.POST if request.method == "POST" and "save_learner" in request.POST else None,
            initial={
                "school_level": getattr(learner_profile, "school_level", ""),
                "grade": getattr(learner_profile, "grade", None),
                "district_code": getattr(learner_profile, "district_code", ""),
                "school_name": getattr(learner_profile, "school_name", ""),
            },
        )
    if request.method == "POST":
        if "save_profile" in request.POST and form.is_valid():
            try:
                services.user_update_profile(
                    user=user,
                    actor=user,
                    full_name=form.cleaned_data["full_name"],
                    phone=form.cleaned_data["phone"],
                    preferred_language=form.cleaned_data["preferred_language"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("내 정보를 저장했습니다."))
                return redirect("accounts:profile")
        elif (
            "save_learner" in request.POST and learner_form is not None and learner_form.is_valid()
        ):
            data = learner_form.cleaned_data
            try:
                services.learner_profile_update(
                    user=user,
                    actor=user,
                    school_level=data["school_level"],
                    grade=data["grade"],
                    district_code=data["district_code"],
                    school_name=data["school_name"],
                )
            except DomainError as exc:
                apply_domain_error(learner_form, exc)
            else:
                messages.success(request, _("학교·거주 정보를 저장했습니다."))
                return redirect("accounts:profile")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "form": form,
            "learner_form": learner_form,
            "has_totp": selectors.has_totp(user),
        },
        status=status,
    )


def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/notices.html", {"notices": selectors.current_notices()})


def _consent_rows(subject: User) -> list[dict[str, Any]]:
    return [
        {"record": record, "effect": WITHDRAWAL_EFFECTS.get(record.notice.kind, "")}
        for record in selectors.consents_of(subject)
    ]


@login_required
def my_consents(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/consents.html",
        {"rows": _consent_rows(user), "subject": user, "withdraw_form": WithdrawForm()},
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = get_object_or_404(ConsentRecord.objects.select_related("subject"), public_id=public_id)
    if record.subject_id != user.pk and not selectors.is_guardian_of(user, record.subject):
        raise Http404
    form = WithdrawForm(request.POST)
    back = (
        reverse("accounts:consents")
        if record.subject_id == user.pk
        else reverse("accounts:guardian_child", args=[record.subject.public_id])
    )
    if not form.is_valid():
        messages.error(request, _("철회 사유를 입력해 주세요."))
        return redirect(back)
    try:
        services.consent_withdraw(record=record, actor=user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("동의를 철회했습니다."))
    return redirect(back)


# --- guardian invitation (learner side) ----------------------------------------------------


@role_required(Role.LEARNER)
def guardian_invite(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = GuardianInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.guardian_invite(
                learner=user,
                actor=user,
                guardian_name=form.cleaned_data["guardian_name"],
                relationship=form.cleaned_data["relationship"],
                phone=form.cleaned_data["phone"],
                base_url=_base_url(request),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(phone)s 번호로 동의 링크와 인증번호를 보냈습니다.")
                % {"phone": services.mask_mobile(link.contact)},
            )
            return redirect("accounts:guardian_invite")
    links = selectors.guardian_links_of_learner(user)
    return render(
        request,
        "accounts/guardian_invite.html",
        {
            "form": form,
            "links": [(link, services.mask_mobile(link.contact)) for link in links],
            "needs_guardian": selectors.needs_guardian_consent(user),
            "guardian_consent": selectors.guardian_consent_verified(user),
            "revoke_form": RevokeForm(),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.LEARNER)
@require_POST
def guardian_resend(request: HttpRequest, public_id: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    link = get_object_or_404(GuardianLink, public_id=public_id, learner=user)
    try:
        services.guardian_link_resend(link=link, actor=user, base_url=_base_url(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("새 동의 링크와 인증번호를 보냈습니다."))
    return redirect("accounts:guardian_invite")


@login_required
@require_POST
def guardian_link_revoke(request: HttpRequest, public_id: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    link = get_object_or_404(GuardianLink, public_id=public_id)
    if user.pk not in (link.learner_id, link.guardian_id):
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("해제 사유를 입력해 주세요."))
    else:
        try:
            services.guardian_link_revoke(link=link, actor=user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("보호자 연결을 해제했습니다."))
    if user.role == Role.GUARDIAN:
        return redirect("accounts:guardian_home")
    return redirect("accounts:guardian_invite")


# --- guardian acceptance -------------------------------------------------------------------


def guardian_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Where the invitation link lands. Anyone may open it; only a guardian may accept."""
    try:
        link = services.guardian_link_by_token(token)
    except DomainError as exc:
        return render(
            request, "accounts/guardian_accept_invalid.html", {"error": exc.message}, status=404
        )
    context: dict[str, Any] = {"link": link, "learner_name": link.learner.display_name}
    if link.status != GuardianLink.Status.INVITED:
        return render(request, "accounts/guardian_accept_invalid.html", {**context}, status=410)
    user = request.user
    if not user.is_authenticated:
        context["next"] = request.get_full_path()
        return render(request, "accounts/guardian_accept_login.html", context)
    if user.role != Role.GUARDIAN:  # type: ignore[union-attr]
        context["wrong_role"] = True
        context["next"] = request.get_full_path()
        return render(request, "accounts/guardian_accept_login.html", context, status=403)
    form = GuardianAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.guardian_link_accept(
                token=token,
                guardian=user,  # type: ignore[arg-type]
                code=form.cleaned_data["code"],
                consent_kinds=form.consent_kinds(),
                ip_address=services.request_ip(request),
            )
        except DomainError as exc:
            apply_domain_error(form, exc, default_field="code")
        else:
            messages.success(
                request,
                _("%(name)s님의 보호자 동의를 마쳤습니다.") % {"name": link.learner.display_name},
            )
            return redirect("accounts:guardian_home")
    context["form"] = form
    context["masked_phone"] = services.mask_mobile(link.contact)
    return render(
        request,
        "accounts/guardian_accept.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.GUARDIAN)
def guardian_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/guardian_home.html",
        {"children": selectors.children_status(user), "revoke_form": RevokeForm()},
    )


@role_required(Role.GUARDIAN)
def guardian_child(request: HttpRequest, public_id: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    child = selectors.child_of_guardian(user, public_id)
    if child is None:
        raise Http404
    access_log_record(
        actor=user,
        subject=child,
        action="view",
        purpose="guardian views child's consents",
        request=request,
        obj=child,
    )
    return render(
        request,
        "accounts/consents.html",
        {
            "rows": _consent_rows(child),
            "subject": child,
            "withdraw_form": WithdrawForm(),
            "as_guardian": True,
            "may_apply": selectors.may_apply(child),
        },
    )


# --- personal API tokens -------------------------------------------------------------------


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": selectors.api_tokens_of(user),
            "mfa_blocked": user.mfa_required and not selectors.has_totp(user),
        },
        status=400 if request.method == "POST" and new_token is None else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, public_id: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = get_object_or_404(ApiToken, public_id=public_id, user=user)
    services.api_token_revoke(token=token, actor=user)
    messages.success(request, _("토큰을 폐기했습니다."))
    return redirect("accounts:tokens")
