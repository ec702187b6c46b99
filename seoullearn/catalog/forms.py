from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seoullearn.catalog.models import Offering, Provider, SelectionPolicy, Track
from seoullearn.catalog.policy import LEVEL_NAMES, SCHOOL_LEVELS

LEVEL_CHOICES = [(lv, LEVEL_NAMES[lv][0]) for lv in SCHOOL_LEVELS]


class ProviderForm(forms.ModelForm[Provider]):
    class Meta:
        model = Provider
        fields = [
            "code",
            "name_ko",
            "name_en",
            "homepage",
            "description_ko",
            "description_en",
            "logo_text",
            "brand_color",
            "is_active",
        ]
        widgets = {"brand_color": forms.TextInput(attrs={"type": "color"})}


class OfferingForm(forms.ModelForm[Offering]):
    target_levels = forms.MultipleChoiceField(
        label=_("대상 학교급"),
        choices=LEVEL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("선택하지 않으면 모든 학교급이 신청할 수 있습니다."),
    )
    subjects = forms.CharField(
        label=_("과목"), required=False, help_text=_("쉼표로 구분합니다. 예: 국어, 수학, 영어")
    )

    class Meta:
        model = Offering
        fields = [
            "provider",
            "track",
            "title_ko",
            "title_en",
            "description_ko",
            "description_en",
            "target_levels",
            "subjects",
            "order",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["provider"].disabled = True
            self.fields["track"].disabled = True
            self.initial["subjects"] = ", ".join(self.instance.subjects or [])
        self.fields["track"].queryset = Track.objects.order_by("order")  # type: ignore[attr-defined]

    def clean_subjects(self) -> list[str]:
        raw = self.cleaned_data.get("subjects") or ""
        return [s.strip() for s in raw.split(",") if s.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        provider, track = data.get("provider"), data.get("track")
        if (
            not self.instance.pk
            and provider
            and track
            and Offering.objects.filter(provider=provider, track=track).exists()
        ):
            raise forms.ValidationError(_("이 업체는 이미 이 트랙의 과정이 있습니다."))
        return data


class PolicyForm(forms.ModelForm[SelectionPolicy]):
    groups_text = forms.CharField(
        label=_("그룹별 선택 한도"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("한 줄에 하나: 그룹코드 = 한도 (비우면 한도 없음). 예: curricular = 1"),
    )
    windows_text = forms.CharField(
        label=_("변경 기간"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("한 줄에 하나: 2026-03-01 ~ 2026-03-31. 비우면 연중 변경할 수 있습니다."),
    )

    class Meta:
        model = SelectionPolicy
        fields = [
            "max_total",
            "restrict_levels",
            "max_switches",
            "switch_period_days",
            "cooldown_days",
            "idle_days",
            "idle_grace_days",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = self.instance
        self.initial["groups_text"] = "\n".join(
            f"{g['code']} = {'' if g.get('cap') is None else g['cap']}" for g in policy.groups or []
        )
        self.initial["windows_text"] = "\n".join(
            f"{w['starts_on']} ~ {w['ends_on']}" for w in policy.switch_windows or []
        )

    def clean_groups_text(self) -> list[dict[str, Any]]:
        labels = {g["code"]: g for g in self.instance.groups or []}
        groups: list[dict[str, Any]] = []
        for number, line in enumerate(self.cleaned_data["groups_text"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, cap_text = line.partition("=")
            code = code.strip()
            if not sep or not code:
                raise forms.ValidationError(
                    _("%(line)d번째 줄: '그룹코드 = 한도' 형식이어야 합니다.") % {"line": number}
                )
            cap_text = cap_text.strip()
            if cap_text and not cap_text.isdigit():
                raise forms.ValidationError(
                    _("%(line)d번째 줄: 한도는 0 이상의 정수이거나 비워야 합니다.")
                    % {"line": number}
                )
            old = labels.get(code, {})
            groups.append(
                {
                    "code": code,
                    "cap": int(cap_text) if cap_text else None,
                    "label_ko": old.get("label_ko", code),
                    "label_en": old.get("label_en", code),
                }
            )
        return groups

    def clean_windows_text(self) -> list[dict[str, str]]:
        windows = []
        for number, line in enumerate(
            (self.cleaned_data.get("windows_text") or "").splitlines(), start=1
        ):
            if not line.strip():
                continue
            start, sep, end = line.partition("~")
            try:
                starts_on = dt.date.fromisoformat(start.strip())
                ends_on = dt.date.fromisoformat(end.strip())
            except ValueError as exc:
                raise forms.ValidationError(
                    _("%(line)d번째 줄: 날짜는 YYYY-MM-DD ~ YYYY-MM-DD 형식입니다.")
                    % {"line": number}
                ) from exc
            if not sep or ends_on < starts_on:
                raise forms.ValidationError(
                    _("%(line)d번째 줄: 종료일이 시작일보다 빠릅니다.") % {"line": number}
                )
            windows.append({"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
        return windows
