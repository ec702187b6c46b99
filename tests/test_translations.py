"""Every user-facing string has an English translation (Korean is the source language)."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
EN_CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/en/LC_MESSAGES/django.po") if ".venv" not in p.parts
)


def test_english_catalogues_exist_for_every_app_with_pages() -> None:
    apps_with_templates = {p.parent.parent.name for p in ROOT.glob("seoullearn/*/templates/*")}
    apps_with_catalogue = {
        p.parents[3].name for p in EN_CATALOGUES if p.parents[4].name == "seoullearn"
    }
    assert apps_with_templates <= apps_with_catalogue, apps_with_templates - apps_with_catalogue


@pytest.mark.parametrize("path", EN_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_english_catalogue_is_complete(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert not missing, f"{len(missing)} untranslated in {path.name}: {missing[:10]}"


@pytest.mark.parametrize("path", EN_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_placeholders_survive_translation(path: Path) -> None:
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
    for entry in polib.pofile(str(path)):
        if entry.msgstr:
            assert set(pattern.findall(entry.msgid)) == set(pattern.findall(entry.msgstr)), (
                entry.msgid
            )
