"""Server-rendered SVG charts (no JavaScript, no CDN)."""

from __future__ import annotations

from xml.sax.saxutils import escape


def _short(amount: int) -> str:
    if amount >= 100_000_000:
        return f"{amount / 100_000_000:,.1f}억"
    if amount >= 10_000:
        return f"{amount / 10_000:,.0f}만"
    return f"{amount:,}"


def budget_bars(rows: list[dict[str, object]], *, total: int, width: int = 720) -> str:
    """Horizontal bars per provider: committed (light) with spent (dark) inside, against the
    largest figure. ``rows``: label, committed, spent."""
    bar_h, gap, label_w = 22, 10, 150
    height = max(1, len(rows)) * (bar_h + gap) + 40
    peak = max([int(r["committed"]) for r in rows] + [1])  # type: ignore[call-overload]
    span = width - label_w - 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="budget-chart-title">'
        '<title id="budget-chart-title">budget</title>'
    ]
    for i, row in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        committed = int(row["committed"])  # type: ignore[call-overload]
        spent = int(row["spent"])  # type: ignore[call-overload]
        cw = max(1, round(span * committed / peak)) if committed else 0
        sw = max(1, round(span * spent / peak)) if spent else 0
        label = escape(str(row["label"]))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">{label}</text>'
            f'<rect x="{label_w}" y="{y}" width="{cw}" height="{bar_h}" fill="#b8cff5">'
            f"<title>{label}: {committed:,}</title></rect>"
            f'<rect x="{label_w}" y="{y + 5}" width="{sw}" height="{bar_h - 10}" fill="#0b50d0">'
            f"<title>{label}: {spent:,}</title></rect>"
            f'<text x="{label_w + cw + 6}" y="{y + 16}" font-size="12">'
            f"{_short(committed)}</text>"
        )
    y = height - 16
    parts.append(
        f'<rect x="{label_w}" y="{y - 10}" width="12" height="12" fill="#b8cff5"/>'
        f'<text x="{label_w + 18}" y="{y}" font-size="12">committed / 약정</text>'
        f'<rect x="{label_w + 150}" y="{y - 10}" width="12" height="12" fill="#0b50d0"/>'
        f'<text x="{label_w + 168}" y="{y}" font-size="12">spent / 집행</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def budget_gauge(*, total: int, committed: int, spent: int, width: int = 720) -> str:
    """One stacked bar: spent, committed but not yet spent, remaining."""
    total = max(total, 1)
    sw = round(width * min(spent, total) / total)
    cw = round(width * min(max(committed - spent, 0), total) / total)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 28" width="100%" '
        f'role="img" aria-label="spent {spent:,} / committed {committed:,} / budget {total:,}">'
        f'<rect x="0" y="0" width="{width}" height="28" rx="6" fill="#eef0f2"/>'
        f'<rect x="0" y="0" width="{sw}" height="28" fill="#0b50d0"/>'
        f'<rect x="{sw}" y="0" width="{cw}" height="28" fill="#b8cff5"/></svg>'
    )
