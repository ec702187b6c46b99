from __future__ import annotations

from django.conf import settings

from seoullearn.core.errors import NotFound
from seoullearn.core.timeutil import today
from seoullearn.programmes.models import District, Programme


def current_programme(*, jurisdiction: str | None = None) -> Programme:
    """The active programme of a jurisdiction covering today (or the latest active one)."""
    slug = jurisdiction or settings.DEFAULT_JURISDICTION
    qs = Programme.objects.select_related("jurisdiction").filter(
        jurisdiction__slug=slug, is_active=True
    )
    day = today()
    programme = qs.filter(starts_on__lte=day, ends_on__gte=day).first() or qs.first()
    if programme is None:
        from django.utils.translation import gettext_lazy as _

        raise NotFound(_("운영 중인 사업이 없습니다."), code="no_programme")
    return programme


def districts(*, jurisdiction: str | None = None) -> list[District]:
    slug = jurisdiction or settings.DEFAULT_JURISDICTION
    return list(District.objects.filter(jurisdiction__slug=slug).order_by("code"))
