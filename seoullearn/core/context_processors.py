from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from seoullearn.core import navigation
from seoullearn.core.roles import Role


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "SEOULLEARN_ENV": settings.SEOULLEARN_ENV,
        "Role": Role,
        "nav_items": navigation.items_for(getattr(request, "user", None), request.path),
    }
