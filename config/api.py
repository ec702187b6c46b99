"""The JSON API: one NinjaAPI, one Router per app, one error shape.

Every error is ``{"code": ..., "message": ..., "details": {...}}`` with the message in the
request's language (Korean by default, English with ``Accept-Language: en``).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from seoullearn.accounts.api_auth import DEFAULT_AUTH
from seoullearn.core.errors import DomainError

api = NinjaAPI(
    title="Seoul Learn API",
    version="1.0.0",
    description=(
        "서울런 플랫폼 API. Authenticate with the browser session (plus the CSRF token) or a "
        "personal token: `Authorization: Bearer slt_...`. Errors always have the shape "
        "`{code, message, details}`."
    ),
    auth=DEFAULT_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, str(exc.message), exc.details)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "payload")]
        fields.append(
            {"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")}
        )
    return _error(request, 400, "invalid_input", _("입력값을 확인해 주세요."), {"errors": fields})


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", _("로그인이 필요합니다."))


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("이 작업을 할 권한이 없습니다."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", _("찾을 수 없습니다."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


# One router per app, mounted under /api/<prefix>/. An app without an api module is skipped.
ROUTERS: list[tuple[str, str]] = [
    ("accounts", "seoullearn.accounts.api"),
    ("programmes", "seoullearn.programmes.api"),
    ("eligibility", "seoullearn.eligibility.api"),
    ("catalog", "seoullearn.catalog.api"),
    ("enrollment", "seoullearn.enrollment.api"),
    ("mentoring", "seoullearn.mentoring.api"),
    ("activities", "seoullearn.activities.api"),
    ("learning", "seoullearn.learning.api"),
    ("insights", "seoullearn.insights.api"),
    ("backoffice", "seoullearn.backoffice.api"),
]

for prefix, module_name in ROUTERS:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            continue
        raise
    api.add_router(f"/{prefix}/", module.router)
