"""Award certificates as PDF (WeasyPrint; Korean text in Noto Sans CJK)."""

from __future__ import annotations

from django.template.loader import render_to_string

from seoullearn.mentoring.models import Award


def certificate_pdf(award: Award) -> bytes:
    from weasyprint import HTML

    html = render_to_string("mentoring/certificate.html", {"award": award})
    return bytes(HTML(string=html).write_pdf())
