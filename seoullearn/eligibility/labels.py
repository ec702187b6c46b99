"""Labels of categories and evidence kinds in the request's language.

The labels live in the pure ``rules`` module in Korean and English; these helpers pick the
one for the active language (Korean unless the request asked for English).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seoullearn.eligibility import rules


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def category_label(code: str) -> str:
    ko, en = rules.CATEGORY_LABELS.get(code, (code, code))
    return en if _english() else ko


def evidence_label(code: str) -> str:
    ko, en = rules.EVIDENCE_KINDS.get(code, (code, code))
    return en if _english() else ko


def reason_message(reason: rules.Reason) -> str:
    return reason.message("en" if _english() else "ko")


def category_choices(codes: list[str] | None = None) -> list[tuple[str, str]]:
    return [(code, category_label(code)) for code in (codes or list(rules.CATEGORY_LABELS))]


def evidence_choices(codes: list[str] | None = None) -> list[tuple[str, str]]:
    return [(code, evidence_label(code)) for code in (codes or list(rules.EVIDENCE_KINDS))]


VERIFIER_LABELS = {
    "rules": _("정책 기준 확인"),
    "sandbox_welfare_registry": _("복지 자격 정보 조회(샌드박스)"),
}


def verifier_label(name: str) -> str:
    return str(VERIFIER_LABELS.get(name, name))
