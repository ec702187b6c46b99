from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts import selectors, services
from seoullearn.accounts.models import ConsentNotice, SchoolLevel
from seoullearn.core.errors import DomainError
from seoullearn.core.roles import Role

SIGNUP_ROLE_CHOICES = [
    (Role.LEARNER, _("학습자 (서울런 신청자)")),
    (Role.GUARDIAN, _("보호자")),
    (Role.MENTOR, _("대학생 멘토")),
]


def consent_field_name(kind: str) -> str:
    return f"consent_{kind}"


def apply_domain_error(
    form: forms.Form, error: DomainError, default_field: str | None = None
) -> None:
    """Show a service's error on the field it names, else on the form."""
    field = error.details.get("field") if isinstance(error.details, dict) else None
    if field not in form.fields:
        field = default_field if default_field in form.fields else None
    form.add_error(field, str(error.message))


class SignupForm(AllauthSignupForm):
    role = forms.ChoiceField(
        label=_("가입 유형"), choices=SIGNUP_ROLE_CHOICES, initial=Role.LEARNER
    )
    full_name = forms.CharField(label=_("이름"), max_length=100)
    birth_date = forms.DateField(
        label=_("생년월일"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("만 14세 미만은 가입 후 보호자 동의가 필요합니다."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notices: list[ConsentNotice] = []
        kinds = {kind for kinds in services.SIGNUP_NOTICE_KINDS.values() for kind in kinds}
        for notice in selectors.current_notices():
            if notice.kind not in kinds:
                continue
            self.notices.append(notice)
            learner_only = notice.kind not in services.SIGNUP_NOTICE_KINDS[Role.GUARDIAN]
            if notice.required and learner_only:
                hint = _("학습자 필수")
            elif notice.required:
                hint = _("필수")
            else:
                hint = _("선택")
            self.fields[consent_field_name(notice.kind)] = forms.BooleanField(
                label=f"{notice.title} ({hint})", required=False
            )
        self.order_fields(
            ["role", "full_name", "birth_date", "username", "email", "password1", "password2"]
        )

    def consent_fields(self) -> list[tuple[ConsentNotice, forms.BoundField]]:
        return [(n, self[consent_field_name(n.kind)]) for n in self.notices]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        role = cleaned.get("role")
        birth_date = cleaned.get("birth_date")
        if role and birth_date:
            try:
                services.validate_birth_date(role=role, birth_date=birth_date)
            except DomainError as exc:
                self.add_error("birth_date", str(exc.message))
        if role:
            for notice in self.notices:
                name = consent_field_name(notice.kind)
                if (
                    notice.required
                    and notice.kind in services.SIGNUP_NOTICE_KINDS[role]
                    and not cleaned.get(name)
                ):
                    self.add_error(name, _("필수 동의 항목입니다."))
        return cleaned

    def save(self, request: Any) -> Any:
        user = super().save(request)
        kinds = [n.kind for n in self.notices if self.cleaned_data.get(consent_field_name(n.kind))]
        services.user_complete_signup(
            user=user,
            full_name=self.cleaned_data["full_name"],
            birth_date=self.cleaned_data["birth_date"],
            role=self.cleaned_data["role"],
            consent_kinds=kinds,
            ip_address=services.request_ip(request),
        )
        return user


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("이름"), max_length=100)
    phone = forms.CharField(
        label=_("휴대전화"),
        max_length=20,
        required=False,
        help_text=_("예: 010-1234-5678. 암호화하여 저장합니다."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("언어"), choices=[("ko", "한국어"), ("en", "English")]
    )


def district_choices() -> list[tuple[str, str]]:
    district = apps.get_model("programmes", "District")
    return [("", "---------")] + [(d.code, str(d)) for d in district.objects.order_by("name_ko")]


class LearnerProfileForm(forms.Form):
    school_level = forms.ChoiceField(
        label=_("학교급"), choices=[("", "---------"), *SchoolLevel.choices], required=False
    )
    grade = forms.IntegerField(label=_("학년"), min_value=1, max_value=6, required=False)
    district_code = forms.ChoiceField(label=_("거주 자치구"), required=False)
    school_name = forms.CharField(label=_("학교"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district_code"].choices = district_choices()  # type: ignore[attr-defined]


class GuardianInviteForm(forms.Form):
    guardian_name = forms.CharField(label=_("보호자 이름"), max_length=100)
    relationship = forms.ChoiceField(
        label=_("관계"),
        choices=[
            ("어머니", _("어머니")),
            ("아버지", _("아버지")),
            ("조부모", _("조부모")),
            ("후견인", _("후견인")),
            ("기타 법정대리인", _("기타 법정대리인")),
        ],
    )
    phone = forms.CharField(
        label=_("보호자 휴대전화"),
        max_length=20,
        help_text=_("이 번호로 동의 링크와 인증번호를 보냅니다."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class GuardianAcceptForm(forms.Form):
    code = forms.CharField(
        label=_("인증번호 6자리"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = list(services.GUARDIAN_NOTICE_KINDS)
        self.notices = sorted(
            (n for n in selectors.current_notices() if n.kind in order),
            key=lambda n: order.index(n.kind),
        )
        for notice in self.notices:
            hint = _("필수") if notice.required else _("선택")
            self.fields[consent_field_name(notice.kind)] = forms.BooleanField(
                label=f"{notice.title} ({hint})", required=notice.required
            )

    def consent_fields(self) -> list[tuple[ConsentNotice, forms.BoundField]]:
        return [(n, self[consent_field_name(n.kind)]) for n in self.notices]

    def consent_kinds(self) -> list[str]:
        return [n.kind for n in self.notices if self.cleaned_data.get(consent_field_name(n.kind))]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("철회 사유"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("해제 사유"), max_length=300)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("토큰 이름"), max_length=100, help_text=_("예: 주간 보고 스크립트")
    )
    expires_in_days = forms.IntegerField(
        label=_("유효 기간(일)"), min_value=1, max_value=services.API_TOKEN_MAX_DAYS, initial=90
    )


class StaffUserForm(forms.Form):
    username = forms.CharField(label=_("아이디"), max_length=150)
    email = forms.EmailField(label=_("이메일"))
    full_name = forms.CharField(label=_("이름"), max_length=100)
    role = forms.ChoiceField(
        label=_("역할"), choices=[(r, Role(r).label) for r in services.STAFF_ROLES]
    )


class InPersonConsentForm(forms.Form):
    relationship = forms.CharField(label=_("보호자와의 관계"), max_length=30)
    reason = forms.CharField(
        label=_("확인 내용"),
        max_length=150,
        help_text=_(
            "예: 2026-03-02 주민센터 방문, 가족관계증명서 확인 (주민등록번호는 적지 마세요)"
        ),
    )
