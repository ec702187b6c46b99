"""Server-rendered SVG bar charts (pure: no Django, nothing fetched from anywhere).

Each chart carries ``role="img"`` with a title and a description that states the numbers, so a
screen reader gets the content; pages also show the same data in a table.
"""

from __future__ import annotations

from html import escape

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 44
PAD_BOTTOM = 36
PAD_TOP = 16


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: list[tuple[str, int]],
    unit: str,
    highlight_last: bool = False,
) -> str:
    """A bar chart of ``points`` (label, value). Returns an SVG fragment."""
    peak = max((v for _l, v in points), default=0)
    top = max(60, ((peak + 29) // 30) * 30)
    plot_w = WIDTH - PAD_LEFT - 8
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    n = max(1, len(points))
    slot = plot_w / n
    bar_w = max(4.0, slot * 0.62)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="sl-chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for step in range(4):
        value = top * step // 3
        y = PAD_TOP + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{PAD_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#cdd1d5" stroke-width="1" />'
        )
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#58616a">{value}</text>'
        )
    for i, (label, value) in enumerate(points):
        h = plot_h * max(0, value) / top
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - h
        colour = "#083891" if highlight_last and i == len(points) - 1 else "#0b50d0"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" rx="2" '
            f'fill="{colour}"><title>{escape(label)}: {value}{escape(unit)}</title></rect>'
        )
        if n <= 16 or i % max(1, n // 10) == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
                f'text-anchor="middle" font-size="11" fill="#1e2124">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
