"""Input validators for eligibility data.

The platform never stores a resident registration number (주민등록번호) or an alien
registration number: free-text fields refuse anything shaped like one, with or without the
hyphen, in full-width digits, or with the back part masked after the first digit.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_RRN = re.compile(
    r"(?<!\d)"
    r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"  # YYMMDD
    r"\s*[-‐‑‒–—―]?\s*"  # optional separator
    r"[0-9][0-9*xX●]{6}"  # back part (may be masked after its first digit)
    r"(?!\d)"
)


def contains_rrn(value: object) -> bool:
    if not value:
        return False
    text = unicodedata.normalize("NFKC", str(value))
    return _RRN.search(text) is not None


def reject_rrn(value: object) -> None:
    """Django validator: refuse text that contains a resident registration number."""
    if contains_rrn(value):
        raise ValidationError(
            _(
                "주민등록번호(또는 외국인등록번호)로 보이는 숫자가 있습니다. "
                "서울런은 주민등록번호를 받지 않으니 지우고 다시 입력해 주세요."
            ),
            code="rrn_not_allowed",
        )
