from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from seoullearn.core.roles import Role


class SignupForm(AllauthSignupForm):
    full_name = forms.CharField(label=_("이름"), max_length=100)
    birth_date = forms.DateField(
        label=_("생년월일"), widget=forms.DateInput(attrs={"type": "date"})
    )
    role = forms.ChoiceField(
        label=_("가입 유형"),
        choices=[
            (Role.LEARNER, _("학습자 (서울런 신청자)")),
            (Role.GUARDIAN, _("보호자")),
            (Role.MENTOR, _("대학생 멘토")),
        ],
        initial=Role.LEARNER,
    )

    def save(self, request: Any) -> Any:
        user = super().save(request)
        user.full_name = self.cleaned_data["full_name"]
        user.birth_date = self.cleaned_data["birth_date"]
        user.role = self.cleaned_data["role"]
        user.save(update_fields=["full_name", "birth_date", "role"])
        return user
