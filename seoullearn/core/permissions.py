"""Role checks for views and API endpoints. Object-level checks live in each app's selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from seoullearn.core.errors import PermissionDenied

F = TypeVar("F", bound=Callable[..., Any])


def has_role(user: Any, *roles: str) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in roles)


def require_role(user: Any, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles."""
    if not has_role(user, *roles):
        raise PermissionDenied(
            _("이 작업을 할 권한이 없습니다."),
            code="wrong_role",
            details={"required_roles": list(roles)},
        )


def role_required(*roles: str) -> Callable[[F], F]:
    """View decorator: login required, then one of the roles, else 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]

        return wrapped  # type: ignore[return-value]

    return decorator
