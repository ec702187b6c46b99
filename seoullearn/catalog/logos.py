"""Simple generated SVG logos for providers: a rounded square in the provider's colour with a
short word. The platform draws its own marks; it never copies a company's trademark artwork."""

from __future__ import annotations

from xml.sax.saxutils import escape


def _text_colour(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#1e2124" if luminance > 150 else "#ffffff"


def logo_svg(*, text: str, colour: str, title: str) -> str:
    colour = colour if len(colour) == 7 and colour.startswith("#") else "#0b50d0"
    text = (text or title[:2]).strip()[:6]
    size = 40 if len(text) <= 2 else (30 if len(text) <= 3 else 22)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="4" y="4" width="112" height="112" rx="24" fill="{colour}"/>'
        f'<text x="60" y="60" dy=".35em" text-anchor="middle" font-family="Pretendard GOV, '
        f'Noto Sans CJK KR, sans-serif" font-weight="700" font-size="{size}" '
        f'fill="{_text_colour(colour)}">{escape(text)}</text></svg>'
    )
