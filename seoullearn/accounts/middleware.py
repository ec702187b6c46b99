from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Paths a staff user without MFA may still reach: MFA setup itself, logout, static files,
# language switch and the health check.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


class StaffMfaRequiredMiddleware:
    """Operators and auditors must enrol TOTP before they can use anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "mfa_required", False)
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not _has_totp(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "mfa_required",
                        "message": _("운영자와 감사자는 2단계 인증을 먼저 설정해야 합니다."),
                        "details": {},
                    },
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
