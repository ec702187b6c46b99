from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:dashboard")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:dashboard")


class MFAAdapter(DefaultMFAAdapter):
    """Operators and auditors cannot switch their authenticator app off (they may replace
    it by re-enrolling after an operator resets it)."""

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        from allauth.mfa.models import Authenticator

        user = authenticator.user
        if authenticator.type == Authenticator.Type.TOTP and getattr(user, "mfa_required", False):
            return False
        return bool(super().can_delete_authenticator(authenticator))
