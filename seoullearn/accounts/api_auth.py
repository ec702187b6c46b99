"""API authentication: browser session (with CSRF) and personal bearer tokens for scripts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from seoullearn.accounts.models import ApiToken


class ApiTokenAuth(HttpBearer):
    openapi_description = "Personal API token: `Authorization: Bearer slt_...`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from seoullearn.accounts.selectors import has_totp

        if not token.startswith("slt_"):
            return None
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.expires_at is not None and row.expires_at <= now:
            return None
        # A staff token stops working if its owner no longer has an authenticator app.
        if row.user.mfa_required and not has_totp(row.user):
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class CsrfSessionAuth(SessionAuth):
    """Django session with CSRF checks for unsafe methods (the browser's htmx calls)."""


session_auth = CsrfSessionAuth()
token_auth = ApiTokenAuth()
DEFAULT_AUTH = [token_auth, session_auth]
