"""Writes to the catalog: providers, offerings and the selection policy (operators only)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from seoullearn.catalog.models import Offering, Provider, SelectionPolicy, Track
from seoullearn.catalog.policy import SCHOOL_LEVELS
from seoullearn.core.errors import InvalidInput
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role

logger = logging.getLogger(__name__)

PROVIDER_FIELDS = (
    "code",
    "name_ko",
    "name_en",
    "homepage",
    "is_active",
    "description_ko",
    "description_en",
    "logo_text",
    "brand_color",
)
OFFERING_FIELDS = (
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "target_levels",
    "subjects",
    "is_active",
    "order",
)


@transaction.atomic
def provider_save(
    *, actor: Any, data: dict[str, Any], provider: Provider | None = None
) -> Provider:
    require_role(actor, Role.OPERATOR)
    provider = provider or Provider()
    for name in PROVIDER_FIELDS:
        if name in data:
            setattr(provider, name, data[name])
    provider.full_clean()
    provider.save()
    logger.info("provider %s saved by %s", provider.code, actor)
    return provider


def _clean_levels(levels: Any) -> list[str]:
    if not isinstance(levels, list) or any(lv not in SCHOOL_LEVELS for lv in levels):
        raise InvalidInput(
            _("대상 학교급이 올바르지 않습니다."), details={"allowed": list(SCHOOL_LEVELS)}
        )
    return [lv for lv in SCHOOL_LEVELS if lv in levels]


def _clean_subjects(subjects: Any) -> list[str]:
    if isinstance(subjects, str):
        subjects = [s.strip() for s in subjects.split(",")]
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise InvalidInput(_("과목은 쉼표로 구분한 글자로 입력해 주세요."))
    return [s.strip() for s in subjects if s.strip()][:20]


@transaction.atomic
def offering_save(
    *,
    actor: Any,
    data: dict[str, Any],
    offering: Offering | None = None,
    provider: Provider | None = None,
    track: Track | None = None,
) -> Offering:
    require_role(actor, Role.OPERATOR)
    if offering is None:
        if provider is None or track is None:
            raise InvalidInput(_("업체와 트랙을 선택해 주세요."))
        if Offering.objects.filter(provider=provider, track=track).exists():
            raise InvalidInput(
                _("이 업체는 이미 이 트랙의 과정이 있습니다."), code="duplicate_offering"
            )
        offering = Offering(provider=provider, track=track)
    for name in OFFERING_FIELDS:
        if name in data:
            setattr(offering, name, data[name])
    offering.target_levels = _clean_levels(offering.target_levels or [])
    offering.subjects = _clean_subjects(offering.subjects or [])
    offering.full_clean()
    offering.save()
    return offering


def _clean_groups(groups: Any, track_groups: set[str]) -> list[dict[str, Any]]:
    if not isinstance(groups, list) or not groups:
        raise InvalidInput(_("선택 그룹을 하나 이상 정해 주세요."))
    cleaned = []
    seen = set()
    for group in groups:
        code = str(group.get("code", "")).strip()
        cap = group.get("cap")
        if not code or code in seen:
            raise InvalidInput(_("그룹 코드가 비었거나 중복됩니다."), details={"group": code})
        if cap is not None and (not isinstance(cap, int) or cap < 0):
            raise InvalidInput(
                _("그룹 한도는 0 이상의 정수이거나 비워야 합니다."), details={"group": code}
            )
        seen.add(code)
        cleaned.append(
            {
                "code": code,
                "cap": cap,
                "label_ko": str(group.get("label_ko") or code),
                "label_en": str(group.get("label_en") or code),
            }
        )
    missing = track_groups - seen
    if missing:
        raise InvalidInput(
            _("모든 트랙의 선택 그룹에 한도가 있어야 합니다: %(groups)s")
            % {"groups": ", ".join(sorted(missing))},
            details={"missing": sorted(missing)},
        )
    return cleaned


def _clean_windows(windows: Any) -> list[dict[str, str]]:
    if not isinstance(windows, list):
        raise InvalidInput(_("변경 기간 형식이 올바르지 않습니다."))
    cleaned = []
    for window in windows:
        try:
            start = dt.date.fromisoformat(str(window["starts_on"]))
            end = dt.date.fromisoformat(str(window["ends_on"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(_("변경 기간의 날짜가 올바르지 않습니다.")) from exc
        if end < start:
            raise InvalidInput(_("변경 기간의 종료일이 시작일보다 빠릅니다."))
        cleaned.append({"starts_on": start.isoformat(), "ends_on": end.isoformat()})
    return sorted(cleaned, key=lambda w: w["starts_on"])


@transaction.atomic
def policy_update(*, actor: Any, policy: SelectionPolicy, data: dict[str, Any]) -> SelectionPolicy:
    require_role(actor, Role.OPERATOR)
    track_groups = set(Track.objects.values_list("slot_group", flat=True))
    if "groups" in data:
        policy.groups = _clean_groups(data["groups"], track_groups)
    if "switch_windows" in data:
        policy.switch_windows = _clean_windows(data["switch_windows"])
    for name in (
        "max_total",
        "restrict_levels",
        "max_switches",
        "switch_period_days",
        "cooldown_days",
        "idle_days",
        "idle_grace_days",
    ):
        if name in data:
            setattr(policy, name, data[name])
    policy.full_clean()
    policy.save()
    logger.info("selection policy of %s updated by %s", policy.programme, actor)
    return policy
