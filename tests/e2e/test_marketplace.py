"""A member picks three offerings, the fourth is refused with the rule's message, and "study
now" lands on the sandbox provider's lesson page as that member (pseudonym shown)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import TEST_PASSWORD
from seoullearn.enrollment.tests.factories import member, world
from seoullearn.enrollment.tests.sandbox import SandboxProcess
from tests.e2e.conftest import login, screenshot


@pytest.fixture
def sandbox_provider(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[SandboxProcess]:
    settings.SITE_URL = live_server.url
    proc = SandboxProcess(tmp_path, platform_url=live_server.url).start()
    yield proc
    proc.stop()


def _select(page: Any, code: str, w: Any) -> None:
    offering = w.offerings[code]
    page.goto("/enrollment/offerings/")
    page.locator(f'[data-offering="{offering.public_id}"] a:has-text("선택하기")').click()
    page.locator("#confirm-select").click()
    page.wait_for_url("**/enrollment/my/")


@pytest.mark.django_db(transaction=True)
def test_member_selects_three_is_refused_a_fourth_and_studies_at_the_provider(
    page: Any, sandbox_provider: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=sandbox_provider.url)
    learner = member(w.programme, level="high", username="e2e-learner")
    login(page, "e2e-learner", TEST_PASSWORD)

    page.goto("/enrollment/offerings/")
    assert "최대 3개" in page.locator("#rules-title + ul").inner_text()
    screenshot(page, "marketplace-offerings")
    for code in ("mega", "eduwill", "welaaa"):
        _select(page, code, w)

    page.goto("/enrollment/offerings/")
    fourth = page.locator(f'[data-offering="{w.offerings["mbest"].public_id}"]')
    assert "과정은 최대 3개까지 선택할 수 있습니다" in fourth.locator(".sl-blocked").inner_text()
    fourth.locator("a").click()
    assert page.locator("#confirm-select").count() == 0
    refusal = page.locator("#refusal")
    refusal.wait_for()
    assert "과정은 최대 3개까지 선택할 수 있습니다" in refusal.inner_text()
    screenshot(page, "marketplace-fourth-refused")

    run_tasks()  # provisioning against the sandbox provider
    page.goto("/enrollment/my/")
    assert page.locator(".sl-status--ok").count() == 3
    screenshot(page, "marketplace-my-sites")
    card = page.locator(f'[data-selection] :text("{w.offerings["mega"].title_ko}")')
    assert card.count() == 1
    page.locator("[data-selection]", has_text=w.offerings["mega"].title_ko).locator(
        "button:has-text('지금 학습하기')"
    ).click()
    page.wait_for_url(sandbox_provider.url + "/lesson")
    assert page.locator("#learner-id").inner_text() == str(learner.pseudonym)
    assert learner.full_name not in page.content()
    screenshot(page, "marketplace-provider-lesson")
    assert len(sandbox_provider.state()["accounts"]) == 3
