"""Operator and auditor pages of the accounts app (mounted at /backoffice/accounts/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from seoullearn.accounts import selectors, services
from seoullearn.accounts.forms import InPersonConsentForm, RevokeForm, StaffUserForm
from seoullearn.accounts.forms import apply_domain_error as _apply
from seoullearn.accounts.models import GuardianLink, LearnerProfile, User
from seoullearn.core.errors import DomainError
from seoullearn.core.exports import export_response
from seoullearn.core.models import AccessLog, OutboundMessage
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import SEOUL

PAGE_SIZE = 50


def _querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- access log (auditors and operators) -----------------------------------------------------


class AccessLogFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("열람자 아이디"), required=False, max_length=150)
    subject = forms.CharField(
        label=gettext_lazy("정보 주체 아이디"), required=False, max_length=150
    )
    action = forms.ChoiceField(
        label=gettext_lazy("행위"),
        required=False,
        choices=[("", gettext_lazy("전체")), *AccessLog.Action.choices],
    )
    purpose = forms.CharField(label=gettext_lazy("목적"), required=False, max_length=100)
    date_from = forms.DateField(
        label=gettext_lazy("시작일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("종료일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext_lazy("종료일은 시작일보다 빠를 수 없습니다."))
        return data


def access_log_search(data: dict[str, Any]) -> QuerySet[AccessLog]:
    qs = AccessLog.objects.all()
    if data.get("actor"):
        qs = qs.filter(actor_label__iexact=data["actor"].strip())
    if data.get("subject"):
        qs = qs.filter(subject_label__iexact=data["subject"].strip())
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("purpose"):
        qs = qs.filter(purpose__icontains=data["purpose"].strip())
    if data.get("date_from"):
        start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=SEOUL)
        qs = qs.filter(occurred_at__gte=start)
    if data.get("date_to"):
        end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL)
        qs = qs.filter(occurred_at__lt=end)
    return qs.order_by("-occurred_at", "-id")


@role_required(Role.AUDITOR, Role.OPERATOR)
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    qs = access_log_search(data) if valid else AccessLog.objects.none()
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and valid:
        filters = ", ".join(f"{k}={v}" for k, v in data.items() if v)
        access_log_record(
            actor=request.user,
            subject=None,
            action=AccessLog.Action.EXPORT,
            purpose="access log export",
            request=request,
            detail=f"{fmt}; {qs.count()} rows; {filters}",
        )
        rows = (
            (
                e.occurred_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_label,
                e.actor_role,
                e.ip_address or "",
                e.subject_label,
                e.get_action_display(),
                e.purpose,
                e.object_type,
                e.object_id,
                e.detail,
            )
            for e in qs.iterator()
        )
        return export_response(
            filename="access-log",
            headers=[
                _("일시"),
                _("열람자"),
                _("열람자 역할"),
                "IP",
                _("정보 주체"),
                _("행위"),
                _("목적"),
                _("대상 종류"),
                _("대상 ID"),
                _("상세"),
            ],
            rows=rows,
            fmt=fmt,
        )
    return render(
        request,
        "accounts/backoffice/access_log.html",
        {
            "form": form,
            "page_obj": _page(request, qs),
            "querystring_without_page": _querystring_without_page(request),
        },
        status=200 if valid else 400,
    )


# --- users (operators) -----------------------------------------------------------------------


class UserFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("아이디·이름·이메일"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=gettext_lazy("역할"),
        required=False,
        choices=[("", gettext_lazy("전체")), *Role.choices],
    )


def _user_queryset(data: dict[str, Any]) -> QuerySet[User]:
    qs = User.objects.all().order_by("username")
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    if data.get("role"):
        qs = qs.filter(role=data["role"])
    return qs


@role_required(Role.OPERATOR)
def users(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = _user_queryset(data)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        access_log_record(
            actor=request.user,
            subject=None,
            action=AccessLog.Action.EXPORT,
            purpose="user list export",
            request=request,
            detail=f"{fmt}; {qs.count()} rows; q={data.get('q', '')}; role={data.get('role', '')}",
        )
        return export_response(
            filename="users",
            headers=[_("아이디"), _("이름"), _("이메일"), _("역할"), _("가입일"), _("활성")],
            rows=(
                (
                    u.username,
                    u.full_name,
                    u.email,
                    u.get_role_display(),
                    u.date_joined.astimezone(SEOUL).date(),
                    u.is_active,
                )
                for u in qs.iterator()
            ),
            fmt=fmt,
        )
    if data.get("q"):
        access_log_record(
            actor=request.user,
            subject=None,
            action=AccessLog.Action.SEARCH,
            purpose="user search",
            request=request,
            detail=f"q={data['q']}; role={data.get('role', '')}",
        )
    return render(
        request,
        "accounts/backoffice/users.html",
        {
            "form": form,
            "page_obj": _page(request, qs),
            "querystring_without_page": _querystring_without_page(request),
        },
    )


@role_required(Role.OPERATOR)
def user_create(request: HttpRequest) -> HttpResponse:
    form = StaffUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _password = services.staff_user_create(
                actor=request.user,  # type: ignore[arg-type]
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            # The staff member sets their own password through the reset e-mail; the random
            # initial password is never shown.
            from allauth.account.forms import ResetPasswordForm

            reset = ResetPasswordForm(data={"email": user.email})
            if reset.is_valid():
                reset.save(request)
            messages.success(
                request,
                _("%(username)s 계정을 만들고 비밀번호 설정 메일을 보냈습니다.")
                % {"username": user.username},
            )
            return redirect("accounts_backoffice:user_detail", public_id=user.public_id)
    return render(
        request,
        "accounts/backoffice/user_create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.OPERATOR)
def user_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    subject = get_object_or_404(User, public_id=public_id)
    form = InPersonConsentForm(
        request.POST if request.method == "POST" and "in_person" in request.POST else None
    )
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            services.consent_record_in_person(
                operator=request.user,  # type: ignore[arg-type]
                learner=subject,
                relationship=form.cleaned_data["relationship"],
                reason=form.cleaned_data["reason"],
                ip_address=services.request_ip(request),
            )
        except DomainError as exc:
            _apply(form, exc, default_field="reason")
        else:
            messages.success(request, _("보호자 방문 동의를 기록했습니다."))
            return redirect("accounts_backoffice:user_detail", public_id=subject.public_id)
    access_log_record(
        actor=request.user,
        subject=subject,
        action=AccessLog.Action.VIEW,
        purpose="operator views account",
        request=request,
        obj=subject,
    )
    return render(
        request,
        "accounts/backoffice/user_detail.html",
        {
            "subject": subject,
            "learner_profile": LearnerProfile.objects.filter(user=subject).first(),
            "phone": services.format_mobile(subject.phone) if subject.phone else "",
            "consents": selectors.consents_of(subject),
            "links": [
                (link, services.mask_mobile(link.contact))
                for link in selectors.guardian_links_of_learner(subject)
            ],
            "children": selectors.guardian_links_of_guardian(subject),
            "needs_guardian": subject.role == Role.LEARNER
            and selectors.needs_guardian_consent(subject),
            "may_apply": selectors.may_apply(subject) if subject.role == Role.LEARNER else None,
            "has_totp": selectors.has_totp(subject),
            "form": form,
            "revoke_form": RevokeForm(),
        },
        status=400 if form.is_bound else 200,
    )


@role_required(Role.OPERATOR)
@require_POST
def link_revoke(request: HttpRequest, public_id: Any) -> HttpResponse:
    link = get_object_or_404(GuardianLink.objects.select_related("learner"), public_id=public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("해제 사유를 입력해 주세요."))
    else:
        try:
            services.guardian_link_revoke(
                link=link,
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("보호자 연결을 해제했습니다."))
    return redirect("accounts_backoffice:user_detail", public_id=link.learner.public_id)


@role_required(Role.OPERATOR)
@require_POST
def mfa_reset(request: HttpRequest, public_id: Any) -> HttpResponse:
    subject = get_object_or_404(User, public_id=public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("초기화 사유를 입력해 주세요."))
    else:
        try:
            services.mfa_reset(
                operator=request.user,  # type: ignore[arg-type]
                user=subject,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("2단계 인증을 초기화했습니다. 다음 로그인 때 다시 등록합니다.")
            )
    return redirect("accounts_backoffice:user_detail", public_id=subject.public_id)


# --- SMS sandbox outbox (operators, development and staging) ----------------------------------


@role_required(Role.OPERATOR)
def outbox(request: HttpRequest) -> HttpResponse:
    """Messages the sandbox channels "sent", so testers can read invitation codes."""
    if "sms_sandbox" not in _enabled_channels() and "console" not in _enabled_channels():
        raise Http404
    qs = OutboundMessage.objects.filter(channel__in=["sms_sandbox", "console"])
    purpose = (request.GET.get("purpose") or "").strip()
    if purpose:
        qs = qs.filter(purpose=purpose)
    page_obj = _page(request, qs.order_by("-created_at"))
    rows = list(page_obj)
    access_log_record(
        actor=request.user,
        subject=None,
        action=AccessLog.Action.VIEW,
        purpose="sms sandbox outbox",
        request=request,
        detail=f"page {page_obj.number}; {len(rows)} messages",
    )
    return render(
        request,
        "accounts/backoffice/outbox.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "purpose": purpose,
            "purposes": ["guardian_invitation", "guardian_code"],
            "querystring_without_page": _querystring_without_page(request),
        },
    )


def _enabled_channels() -> list[str]:
    from django.conf import settings

    return list(settings.NOTIFICATION_CHANNELS)
