from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seoullearn.catalog.models import Provider
from seoullearn.lrs.models import DEFAULT_PROVIDER_SCOPES, SCOPES

SCOPE_LABELS = {
    "statements/write": _("문장 기록 (statements/write)"),
    "statements/read": _("모든 문장 읽기 (statements/read)"),
    "statements/read/mine": _("직접 기록한 문장만 읽기 (statements/read/mine)"),
    "state": _("상태 문서 (state)"),
    "profile": _("활동·에이전트 프로필 문서 (profile)"),
    "define": _("활동 정의 갱신 (define)"),
    "all/read": _("모두 읽기 (all/read)"),
    "all": _("제한 없음 (all)"),
}


class ClientForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=100)
    provider = forms.ModelChoiceField(
        label=_("교육업체"),
        queryset=Provider.objects.all(),
        required=False,
        empty_label=_("없음 (플랫폼 내부·시험용)"),
    )
    scopes = forms.MultipleChoiceField(
        label=_("권한 범위"),
        choices=[(scope, SCOPE_LABELS[scope]) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_PROVIDER_SCOPES),
    )
    with_oauth = forms.BooleanField(
        label=_("OAuth2 클라이언트 자격 증명 방식도 발급"), required=False, initial=True
    )

    def clean_scopes(self) -> list[str]:
        scopes: list[str] = self.cleaned_data["scopes"]
        if "all" in scopes and len(scopes) > 1:
            raise forms.ValidationError(_("'all'은 다른 범위와 함께 고를 필요가 없습니다."))
        return scopes


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("폐기 사유"), max_length=300)


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("검색"), required=False)
    status = forms.ChoiceField(
        label=_("상태"),
        required=False,
        choices=[("", _("전체")), ("active", _("사용 중")), ("revoked", _("폐기됨"))],
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {"search": self.cleaned_data["q"], "status": self.cleaned_data["status"]}
