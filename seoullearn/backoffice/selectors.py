"""What the operator home shows: counts from the domain apps and the operator menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from seoullearn.core import navigation
from seoullearn.core.errors import NotFound
from seoullearn.eligibility import labels
from seoullearn.eligibility import selectors as eligibility
from seoullearn.eligibility.models import Application, Membership
from seoullearn.programmes.models import Programme
from seoullearn.programmes.selectors import current_programme


@dataclass
class Dashboard:
    programme: Programme | None
    applications: list[dict[str, Any]]
    awaiting: list[dict[str, Any]]
    memberships: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    by_district: list[dict[str, Any]]
    members_total: int


def operator_menu(user: Any, path: str) -> list[dict[str, Any]]:
    """Every operator entry other apps registered in ``core.navigation`` except the home."""
    home = reverse("backoffice:home")
    return [item for item in navigation.items_for(user, path) if item["url"] != home]


def dashboard() -> Dashboard:
    try:
        programme: Programme | None = current_programme()
    except NotFound:
        programme = None
    app_counts = eligibility.application_counts(programme)
    awaiting = eligibility.awaiting_review_counts(programme)
    member_counts = eligibility.membership_counts(programme)
    categories = eligibility.members_by_category(programme)
    districts = eligibility.members_by_district(programme)
    names = eligibility.district_names(programme)
    total = sum(categories.values())
    largest = max(districts.values(), default=0) or 1
    return Dashboard(
        programme=programme,
        applications=[
            {"status": s, "label": Application.Status(s).label, "count": app_counts[s]}
            for s in Application.Status.values
        ],
        awaiting=[
            {"value": v, "label": Application.Verification(v).label, "count": awaiting[v]}
            for v in Application.Verification.values
        ],
        memberships=[
            {"status": s, "label": Membership.Status(s).label, "count": member_counts[s]}
            for s in Membership.Status.values
        ],
        by_category=[
            {
                "code": code,
                "label": labels.category_label(code),
                "count": count,
                "share": round(100 * count / total, 1) if total else 0,
            }
            for code, count in categories.items()
        ],
        by_district=[
            {
                "code": code,
                "label": name,
                "count": districts.get(code, 0),
                "bar": round(100 * districts.get(code, 0) / largest),
            }
            for code, name in sorted(names.items(), key=lambda kv: -districts.get(kv[0], 0))
        ],
        members_total=total,
    )
