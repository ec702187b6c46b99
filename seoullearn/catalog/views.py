from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from seoullearn.catalog import selectors
from seoullearn.catalog.logos import logo_svg
from seoullearn.catalog.models import Provider
from seoullearn.catalog.policy import rules_in_words
from seoullearn.core.errors import NotFound
from seoullearn.programmes.selectors import current_programme


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    """The public catalog: every open offering by track, with the programme's rules."""
    try:
        rules = rules_in_words(selectors.policy_config(current_programme()), get_language() or "ko")
    except NotFound:
        rules = []
    return render(
        request,
        "catalog/catalog.html",
        {"tracks": selectors.offerings_by_track(), "rules": rules},
    )


@require_GET
@cache_control(max_age=3600, public=True)
def provider_logo(request: HttpRequest, public_id: str) -> HttpResponse:
    provider = get_object_or_404(Provider, public_id=public_id)
    svg = logo_svg(text=provider.logo_text, colour=provider.brand_color, title=provider.name_ko)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
