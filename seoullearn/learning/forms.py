from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seoullearn.learning.models import WEEKDAYS, Goal, LearningStyle, Purpose, Subject

DAY_LABELS = {
    "mon": _("월"),
    "tue": _("화"),
    "wed": _("수"),
    "thu": _("목"),
    "fri": _("금"),
    "sat": _("토"),
    "sun": _("일"),
}


class ProfileForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("학습 목적"), choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    subjects = forms.MultipleChoiceField(
        label=_("공부할 과목"),
        choices=[c for c in Subject.choices if c[0] != "general"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    interests = forms.CharField(label=_("관심 분야"), max_length=300, required=False)
    desired_major = forms.CharField(label=_("희망 전공"), max_length=100, required=False)
    desired_job = forms.CharField(label=_("희망 직업"), max_length=100, required=False)
    learning_style = forms.ChoiceField(
        label=_("나는 이렇게 배울 때 잘 돼요"),
        choices=[("", _("고르지 않음")), *LearningStyle.choices],
        required=False,
    )
    session_minutes = forms.IntegerField(
        label=_("한 번에 공부하는 시간(분)"), min_value=15, max_value=90, initial=40
    )
    reminders_enabled = forms.BooleanField(label=_("학습 알림 받기"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[f"minutes_{day}"] = forms.IntegerField(
                label=DAY_LABELS[day], min_value=0, max_value=720, initial=0
            )

    def availability(self) -> dict[str, int]:
        return {day: self.cleaned_data[f"minutes_{day}"] for day in WEEKDAYS}

    def day_fields(self) -> list[Any]:
        return [self[f"minutes_{day}"] for day in WEEKDAYS]


class GoalForm(forms.Form):
    title = forms.CharField(label=_("목표"), max_length=150)
    purpose = forms.ChoiceField(label=_("목적"), choices=Purpose.choices)
    subject = forms.ChoiceField(
        label=_("과목"), choices=[("", _("과목 없음")), *Subject.choices], required=False
    )
    metric = forms.ChoiceField(label=_("측정 방법"), choices=Goal.Metric.choices)
    target_value = forms.IntegerField(label=_("목표 값"), min_value=1, max_value=5040)
    due_on = forms.DateField(
        label=_("목표일"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PlanItemForm(forms.Form):
    day = forms.DateField(label=_("날짜"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=_("시간(분)"), min_value=5, max_value=240)
    subject = forms.ChoiceField(
        label=_("과목"), choices=[("", _("과목 없음")), *Subject.choices], required=False
    )
    title = forms.CharField(label=_("할 일"), max_length=200, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("의견"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EntryForm(forms.Form):
    included = forms.BooleanField(label=_("포트폴리오에 넣기"), required=False)
    reflection = forms.CharField(
        label=_("나의 성찰"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CertificateForm(forms.Form):
    title = forms.CharField(label=_("자격증 이름"), max_length=200)
    issuer = forms.CharField(label=_("발급 기관"), max_length=200)
    occurred_on = forms.DateField(label=_("취득일"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("자격증 사본 (PDF, JPEG, PNG, 10MB 이하)"))

    def clean_occurred_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["occurred_on"]
        return value


class ShareForm(forms.Form):
    recipient = forms.CharField(label=_("받는 곳 (학교·기관 이름)"), max_length=100)
    days = forms.IntegerField(label=_("공유 기간(일)"), min_value=1, max_value=90, initial=14)
