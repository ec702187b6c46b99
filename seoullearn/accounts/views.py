from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's starting page: the menu shows what the role can do."""
    return render(request, "accounts/dashboard.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"profile_user": request.user})


def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/notices.html")
