from __future__ import annotations

from typing import Any

from seoullearn.eligibility.models import Membership
from seoullearn.programmes.models import Programme


def active_membership(user: Any, programme: Programme | None = None) -> Membership | None:
    """The learner's current membership (active or in grace), if any."""
    if user is None or not user.is_authenticated:
        return None
    qs = Membership.objects.select_related("programme").filter(
        user=user, status__in=Membership.CURRENT
    )
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("-starts_on").first()
