"""Money is integer KRW (won). No floats, no decimals."""

from __future__ import annotations

from django.utils.translation import gettext as _


def format_krw(amount: int) -> str:
    return _("%(amount)s원") % {"amount": f"{amount:,}"}


def format_krw_short(amount: int) -> str:
    """7_790_000_000 -> '77.9억원' (Korean units of 억 = 10^8)."""
    if abs(amount) >= 100_000_000:
        return _("%(amount)s억원") % {"amount": f"{amount / 100_000_000:,.1f}"}
    if abs(amount) >= 10_000:
        return _("%(amount)s만원") % {"amount": f"{amount / 10_000:,.0f}"}
    return format_krw(amount)
