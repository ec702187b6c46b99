from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts.models import User
from seoullearn.catalog.models import Provider
from seoullearn.core.roles import Role
from seoullearn.enrollment.models import Contract


class ContractForm(forms.ModelForm[Contract]):
    class Meta:
        model = Contract
        fields = [
            "provider",
            "seat_capacity",
            "price_per_seat_month_krw",
            "starts_on",
            "ends_on",
            "note",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["provider"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("계약 종료일이 시작일보다 빠릅니다."))
        return data


class EndpointForm(forms.Form):
    base_url = forms.URLField(label=_("API 주소"), assume_scheme="https")
    secret = forms.CharField(
        label=_("서명 비밀키"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("바꿀 때만 입력합니다."),
    )
    is_enabled = forms.BooleanField(label=_("연동 사용"), required=False, initial=True)


class StaffLinkForm(forms.Form):
    username = forms.CharField(label=_("담당자 아이디"))

    def clean_username(self) -> User:
        user = User.objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("그런 사용자가 없습니다."))
        if user.role != Role.PROVIDER_STAFF:
            raise forms.ValidationError(_("교육업체 담당자 역할의 사용자만 연결할 수 있습니다."))
        return user


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("클라이언트 이름"), max_length=100)


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("회수 사유"), max_length=200)


def provider_choices() -> Any:
    return Provider.objects.order_by("name_ko")
