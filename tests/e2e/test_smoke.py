from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import screenshot


@pytest.mark.django_db(transaction=True)
def test_landing_page_renders_korean_and_switches_to_english(page: Any) -> None:
    page.goto("/")
    assert page.locator("h1").first.inner_text() == "서울런, 배움에 차별 없는 서울"
    screenshot(page, "landing-ko")

    with page.expect_navigation():
        page.select_option("#sl-lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
