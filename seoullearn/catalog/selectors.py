"""Reads of the catalog and the selection policy, used by enrollment and the pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from seoullearn.catalog import policy
from seoullearn.catalog.models import Offering, Provider, SelectionPolicy, Track
from seoullearn.programmes.models import Programme


def policy_row(programme: Programme) -> SelectionPolicy:
    """The programme's policy row, created with the seed document's defaults when missing."""
    row, _ = SelectionPolicy.objects.get_or_create(programme=programme)
    return row


def policy_config(programme: Programme) -> policy.PolicyConfig:
    row = policy_row(programme)
    return config_from_row(row)


def config_from_row(row: SelectionPolicy) -> policy.PolicyConfig:
    groups = {
        g["code"]: policy.GroupRule(
            code=g["code"],
            cap=g.get("cap"),
            label_ko=g.get("label_ko") or g["code"],
            label_en=g.get("label_en") or g["code"],
        )
        for g in row.groups or []
    }
    track_groups = dict(Track.objects.values_list("code", "slot_group"))
    windows = tuple(policy.Window(start, end) for start, end in row.windows())
    return policy.PolicyConfig(
        max_total=row.max_total,
        groups=groups,
        track_groups=track_groups,
        restrict_levels=row.restrict_levels,
        switch_windows=windows,
        max_switches=row.max_switches,
        switch_period_days=row.switch_period_days,
        cooldown_days=row.cooldown_days,
    )


def offering_info(offering: Offering) -> policy.OfferingInfo:
    return policy.OfferingInfo(
        id=str(offering.public_id),
        track=offering.track.code,
        levels=frozenset(offering.target_levels or []),
        active=offering.is_active and offering.provider.is_active,
        name=offering.title_ko,
    )


def offerings(*, active_only: bool = True) -> QuerySet[Offering]:
    qs = Offering.objects.select_related("provider", "track")
    if active_only:
        qs = qs.filter(is_active=True, provider__is_active=True)
    return qs.order_by("track__order", "order", "provider__name_ko")


def offerings_by_track(*, active_only: bool = True) -> list[tuple[Track, list[Offering]]]:
    grouped: dict[int, list[Offering]] = {}
    for offering in offerings(active_only=active_only):
        grouped.setdefault(offering.track_id, []).append(offering)
    return [(track, grouped.get(track.pk, [])) for track in Track.objects.order_by("order")]


def offering_by_public_id(public_id: str) -> Offering | None:
    return Offering.objects.select_related("provider", "track").filter(public_id=public_id).first()


def providers() -> QuerySet[Provider]:
    return Provider.objects.order_by("name_ko")


def windows_open(row: SelectionPolicy, on: dt.date) -> bool:
    spans = row.windows()
    return not spans or any(start <= on <= end for start, end in spans)
