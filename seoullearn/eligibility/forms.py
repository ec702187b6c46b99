"""Forms of the application journey, the review pages and the policy editor.

Forms only parse and present; the services validate the rules and raise errors that
``add_service_errors`` places on the right fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts.models import SchoolLevel
from seoullearn.core.errors import DomainError
from seoullearn.eligibility import labels, rules
from seoullearn.eligibility.validators import reject_rrn


def add_service_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service error on the form: on its fields when the error names them."""
    fields = exc.details.get("fields") if isinstance(exc.details, dict) else None
    single = exc.details.get("field") if isinstance(exc.details, dict) else None
    if fields:
        for name, message in fields.items():
            form.add_error(name if name in form.fields else None, message)
    elif single and single in form.fields:
        form.add_error(single, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


class DateInput(forms.DateInput):
    input_type = "date"


class ApplicantForm(forms.Form):
    applicant_name = forms.CharField(label=_("이름"), max_length=100)
    birth_date = forms.DateField(
        label=_("생년월일"),
        widget=DateInput(),
        required=False,
        help_text=_("계정에 등록한 생년월일이 있으면 그 날짜를 씁니다."),
    )
    school_level = forms.ChoiceField(label=_("학교급"), choices=SchoolLevel.choices)
    grade = forms.IntegerField(
        label=_("학년"),
        required=False,
        min_value=1,
        max_value=6,
        help_text=_("학교 밖 청소년과 대학생·청년은 비워 두세요."),
    )
    school_name = forms.CharField(
        label=_("학교명"), max_length=100, required=False, validators=[reject_rrn]
    )
    district_code = forms.ChoiceField(label=_("거주 자치구"))

    def __init__(
        self, *args: Any, districts: list[tuple[str, str]], lock_birth_date: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("district_code", [("", _("선택하세요")), *districts])
        self._choices("school_level", [("", _("선택하세요")), *SchoolLevel.choices])
        if lock_birth_date:
            self.fields["birth_date"].disabled = True

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class HouseholdForm(forms.Form):
    category = forms.ChoiceField(label=_("대상 유형"), widget=forms.RadioSelect)
    household_size = forms.IntegerField(
        label=_("가구원 수"),
        required=False,
        min_value=1,
        max_value=rules.MAX_HOUSEHOLD_SIZE,
        help_text=_("주민등록상 함께 사는 가족 수(본인 포함)"),
    )
    monthly_income_krw = forms.IntegerField(
        label=_("가구 월 소득(원)"),
        required=False,
        min_value=0,
        max_value=rules.MAX_MONTHLY_INCOME_KRW,
        help_text=_(
            "소득 기준이 있는 유형(수급·차상위·한부모)만 적어 주세요. 세전 월평균 금액입니다."
        ),
    )
    note = forms.CharField(
        label=_("하고 싶은 말(선택)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_rrn],
        help_text=_("주민등록번호는 적지 마세요."),
    )

    def __init__(self, *args: Any, policy: rules.Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = labels.category_choices([c.code for c in policy.open_categories])


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("서류 종류"))
    file = forms.FileField(
        label=_("파일"),
        help_text=_("PDF, JPG, PNG 파일만, 파일 하나에 %(mb)sMB까지 올릴 수 있습니다.")
        % {"mb": f"{settings.EVIDENCE_MAX_BYTES / 1048576:g}"},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = labels.evidence_choices(kinds)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("사유"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_rrn],
    )


class DecisionForm(ReasonForm):
    decision = forms.ChoiceField(
        label=_("결정"),
        choices=[
            ("approve", _("승인")),
            ("reject", _("반려")),
            ("request_info", _("보완 요청")),
        ],
        widget=forms.RadioSelect,
    )


class BulkApproveForm(ReasonForm):
    applications = forms.CharField(widget=forms.MultipleHiddenInput, required=False)


class PolicyForm(forms.Form):
    """The policy document as a form; categories are rows of fields named ``<code>__...``."""

    age_min = forms.IntegerField(label=_("최소 나이(만)"), min_value=0, max_value=40)
    age_max = forms.IntegerField(label=_("최대 나이(만)"), min_value=0, max_value=40)
    district_codes = forms.MultipleChoiceField(
        label=_("신청 가능 자치구"), widget=forms.CheckboxSelectMultiple
    )
    term_kind = forms.ChoiceField(
        label=_("회원 기간"),
        choices=[("months", _("승인일부터 개월 수")), ("programme_end", _("사업 종료일까지"))],
    )
    term_months = forms.IntegerField(
        label=_("회원 기간(개월)"), min_value=1, max_value=60, required=False
    )
    reverify_months = forms.IntegerField(
        label=_("자격 재확인 주기(개월)"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("비워 두면 기간 중 재확인을 하지 않습니다."),
    )
    reminder_days = forms.IntegerField(
        label=_("재확인 안내 시점(기한 며칠 전)"), min_value=0, max_value=180
    )
    grace_days = forms.IntegerField(label=_("유예 기간(일)"), min_value=0, max_value=180)
    reason = forms.CharField(
        label=_("변경 사유"), max_length=300, validators=[reject_rrn], widget=forms.TextInput
    )

    MEDIAN_SIZES = range(1, 8)

    def __init__(self, *args: Any, districts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district_codes = self.fields["district_codes"]
        assert isinstance(district_codes, forms.ChoiceField)
        district_codes.choices = districts
        for size in self.MEDIAN_SIZES:
            self.fields[f"median_{size}"] = forms.IntegerField(
                label=_("%(n)s인 가구 기준 중위소득(원/월)") % {"n": size},
                min_value=1,
                required=size == 1,
            )
        evidence_choices = labels.evidence_choices()
        for code in rules.CATEGORY_LABELS:
            self.fields[f"{code}__enabled"] = forms.BooleanField(
                label=_("신청 받음"), required=False
            )
            self.fields[f"{code}__income_check"] = forms.BooleanField(
                label=_("소득 확인"), required=False
            )
            self.fields[f"{code}__income_max_pct"] = forms.IntegerField(
                label=_("중위소득 대비 상한(%)"), min_value=1, max_value=200, required=False
            )
            self.fields[f"{code}__evidence"] = forms.MultipleChoiceField(
                label=_("제출 서류"),
                choices=evidence_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    @staticmethod
    def initial_from(policy: rules.Policy) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "age_min": policy.age_min,
            "age_max": policy.age_max,
            "district_codes": sorted(policy.district_codes),
            "term_kind": policy.term_kind,
            "term_months": policy.term_months,
            "reverify_months": policy.reverify_months,
            "reminder_days": policy.reminder_days,
            "grace_days": policy.grace_days,
        }
        for size, amount in policy.median_income.items():
            initial[f"median_{size}"] = amount
        for code in rules.CATEGORY_LABELS:
            rule = policy.category(code)
            initial[f"{code}__enabled"] = bool(rule and rule.enabled)
            initial[f"{code}__income_check"] = bool(rule and rule.income_check)
            initial[f"{code}__income_max_pct"] = rule.income_max_pct if rule else None
            initial[f"{code}__evidence"] = list(rule.evidence) if rule else []
        return initial

    def category_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "label": labels.category_label(code),
                "enabled": self[f"{code}__enabled"],
                "income_check": self[f"{code}__income_check"],
                "income_max_pct": self[f"{code}__income_max_pct"],
                "evidence": self[f"{code}__evidence"],
            }
            for code in rules.CATEGORY_LABELS
        ]

    def median_fields(self) -> list[Any]:
        return [self[f"median_{size}"] for size in self.MEDIAN_SIZES]

    def to_document(self) -> dict[str, Any]:
        data = self.cleaned_data
        median = {
            str(size): data[f"median_{size}"]
            for size in self.MEDIAN_SIZES
            if data.get(f"median_{size}") is not None
        }
        return {
            "age_min": data["age_min"],
            "age_max": data["age_max"],
            "district_codes": list(data["district_codes"]),
            "term_kind": data["term_kind"],
            "term_months": data.get("term_months"),
            "reverify_months": data.get("reverify_months"),
            "reminder_days": data["reminder_days"],
            "grace_days": data["grace_days"],
            "median_income": median,
            "categories": [
                {
                    "code": code,
                    "enabled": data.get(f"{code}__enabled", False),
                    "income_check": data.get(f"{code}__income_check", False),
                    "income_max_pct": data.get(f"{code}__income_max_pct"),
                    "evidence": list(data.get(f"{code}__evidence") or []),
                }
                for code in rules.CATEGORY_LABELS
            ],
        }
