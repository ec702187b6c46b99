from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from seoullearn.backoffice import selectors
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role


@role_required(Role.OPERATOR)
def home(request: HttpRequest) -> HttpResponse:
    """The operator home: programme counts at a glance and every operator section."""
    return render(
        request,
        "backoffice/home.html",
        {
            "dashboard": selectors.dashboard(),
            "menu": selectors.operator_menu(request.user, request.path),
        },
    )
