"""Catalog API: the open offerings by track and the programme's rules in words."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from seoullearn.catalog import selectors
from seoullearn.catalog.policy import rules_in_words
from seoullearn.programmes.selectors import current_programme

router = Router(tags=["catalog"])


class OfferingOut(Schema):
    id: UUID
    provider_code: str
    provider_name: str
    track: str
    track_kind: str
    title: str
    description: str
    target_levels: list[str]
    subjects: list[str]
    logo_url: str


class CatalogOut(Schema):
    rules: list[str]
    offerings: list[OfferingOut]


@router.get("/offerings", response=CatalogOut, auth=None, summary="Open offerings and rules")
def list_offerings(request: HttpRequest) -> dict[str, object]:
    from django.urls import reverse

    rules = rules_in_words(selectors.policy_config(current_programme()), get_language() or "ko")
    items = [
        {
            "id": o.public_id,
            "provider_code": o.provider.code,
            "provider_name": str(o.provider),
            "track": o.track.code,
            "track_kind": o.track.kind,
            "title": o.title,
            "description": o.description,
            "target_levels": o.target_levels,
            "subjects": o.subjects,
            "logo_url": reverse("catalog:logo", args=[o.provider.public_id]),
        }
        for o in selectors.offerings()
    ]
    return {"rules": rules, "offerings": items}
