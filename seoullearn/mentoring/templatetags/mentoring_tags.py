"""Labels for the codes mentoring stores (subjects, slots, score components...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.mentoring.models import (
    INTEREST_CHOICES,
    LANGUAGE_CHOICES,
    LEVEL_CHOICES,
    MAJOR_CHOICES,
    SLOT_CHOICES,
    SUBJECT_CHOICES,
    CheckIn,
)

register = template.Library()

LABELS: dict[str, dict[str, Any]] = {
    "subjects": dict(SUBJECT_CHOICES),
    "levels": dict(LEVEL_CHOICES),
    "slots": dict(SLOT_CHOICES),
    "majors": dict(MAJOR_CHOICES),
    "interests": dict(INTEREST_CHOICES),
    "languages": dict(LANGUAGE_CHOICES),
    "districts": {d.code: d.name_ko for d in SEOUL_DISTRICTS},
    "health": dict(CheckIn.Health.choices),
    # the matching score, by component (matching.COMPONENTS)
    "components": {
        "base": _("기본"),
        "subject": _("과목"),
        "major": _("전공"),
        "interest": _("관심사"),
        "availability": _("시간"),
        "continuity": _("이전 멘토"),
    },
    # the screening rubric (services.RUBRIC)
    "rubric": {
        "motivation": _("지원 동기"),
        "expertise": _("전문성"),
        "communication": _("소통"),
        "availability": _("활동 가능성"),
        "commitment": _("책임감"),
    },
    # the award score (selectors.AWARD_WEIGHTS)
    "award": {
        "sessions": _("활동 횟수"),
        "attendance": _("출석률"),
        "feedback": _("만족도"),
        "log_quality": _("기록 충실도"),
    },
    "training": {
        "pre_training": _("사전 교육"),
        "orientation": _("오리엔테이션"),
    },
}


DISTRICTS_EN = {d.code: d.name_en for d in SEOUL_DISTRICTS}


@register.filter
def label(value: Any, kind: str) -> Any:
    """The label of one code (the code itself when unknown)."""
    if kind == "districts" and (get_language() or "").startswith("en"):
        return DISTRICTS_EN.get(str(value), value)
    return LABELS.get(kind, {}).get(str(value), value)


@register.filter
def labels(values: Iterable[Any] | None, kind: str) -> str:
    """The labels of a list of codes, joined by commas."""
    return ", ".join(str(label(v, kind)) for v in values or ())


@register.filter
def health_class(value: Any) -> str:
    classes: dict[str, str] = {
        CheckIn.Health.ON_TRACK.value: "sl-status--ok",
        CheckIn.Health.NEEDS_CHECK_IN.value: "sl-status--warn",
        CheckIn.Health.INACTIVE.value: "sl-status--bad",
    }
    return classes.get(str(value), "")


@register.filter
def percent(value: Any) -> int:
    """0.0–1.0 as a whole percentage."""
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0
