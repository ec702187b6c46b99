"""Nothing is fetched at run time: no page loads scripts, styles, fonts or images from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL_ASSET = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)
CSS_EXTERNAL = re.compile(r"url\(\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def _templates() -> list[Path]:
    return [
        p
        for p in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    ]


def test_no_template_loads_an_external_asset() -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in _templates() if EXTERNAL_ASSET.search(p.read_text())
    ]
    assert not offenders


def test_no_project_stylesheet_loads_an_external_url() -> None:
    sheets = [p for p in (ROOT / "static").glob("**/*.css")]
    offenders = [
        str(p.relative_to(ROOT))
        for p in sheets
        if CSS_EXTERNAL.search(p.read_text(errors="ignore"))
    ]
    assert not offenders


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/api/docs"])
def test_rendered_pages_load_only_local_assets(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert not EXTERNAL_ASSET.search(response.content.decode())
