"""Money is integer KRW (won). No floats in storage, no decimals."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def format_krw(amount: int) -> str:
    return _("%(amount)s원") % {"amount": f"{amount:,}"}


def format_krw_short(amount: int) -> str:
    """A compact amount for dashboards: Korean units (억 = 10^8, 만 = 10^4) in Korean,
    millions and billions in English."""
    if (get_language() or "ko").startswith("en"):
        if abs(amount) >= 1_000_000_000:
            return f"KRW {amount / 1_000_000_000:,.2f} bn"
        if abs(amount) >= 1_000_000:
            return f"KRW {amount / 1_000_000:,.1f} M"
        return f"KRW {amount:,}"
    if abs(amount) >= 100_000_000:
        return f"{amount / 100_000_000:,.1f}억원"
    if abs(amount) >= 10_000:
        return f"{amount / 10_000:,.0f}만원"
    return format_krw(amount)
