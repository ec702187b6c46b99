"""A learner's journey: goals, a plan, a consulting booking, a lecture, the portfolio PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import TEST_PASSWORD
from seoullearn.activities import services as activity_services
from seoullearn.activities.models import ConsultingBooking, LectureRegistration
from seoullearn.activities.tests.factories import LectureFactory, SlotFactory, member
from seoullearn.core.timeutil import now
from seoullearn.learning.models import LearningPlan
from seoullearn.programmes.selectors import current_programme
from tests.e2e.conftest import SCREENSHOTS, login, screenshot


def _tick(page: Any, name: str, value: str) -> None:
    """Tick a checkbox the way a person does: by its label (KRDS styles the box itself)."""
    box = page.locator(f"input[name={name}][value={value}]")
    page.click(f"label[for={box.get_attribute('id')}]")
    assert box.is_checked()


@pytest.mark.django_db(transaction=True)
def test_learner_sets_goals_plans_books_registers_and_exports(page: Any) -> None:
    learner = member(level="middle", grade=2, username="minji", full_name="김민지")
    activity_services.consulting_services_seed(programme=current_programme(), actor=None)
    SlotFactory(starts_at=now() + dt.timedelta(days=2, hours=3))
    past = LectureFactory(
        sequence=1, title="그리스·로마 신화", starts_at=now() - dt.timedelta(minutes=20)
    )
    activity_services.lecture_register(lecture=past, learner=learner)
    activity_services.lecture_check_in(lecture=past, learner=learner, code=past.checkin_code)
    LectureFactory(sequence=3, title="뇌과학, 나를 이해하는 법")

    login(page, "minji", TEST_PASSWORD)

    # 1. goals and free time
    page.goto("/learning/goals/")
    _tick(page, "p-purposes", "school_grades")
    _tick(page, "p-subjects", "math")
    _tick(page, "p-subjects", "english")
    page.select_option("select[name=p-learning_style]", "visual")
    page.fill("input[name=p-session_minutes]", "30")
    for day, minutes in zip(
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), (60, 60, 90, 60, 30, 120, 0), strict=True
    ):
        page.fill(f"input[name=p-minutes_{day}]", str(minutes))
    page.locator("form.sl-form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "저장했습니다" in page.content()
    screenshot(page, "workspace-1-goals")

    # 2. the plan, with its reasons
    page.goto("/learning/plan/")
    page.click("#plan-generate")
    page.wait_for_load_state()
    assert page.locator(".sl-item").count() > 0
    page.locator(".sl-item details summary").first.click()
    assert page.locator(".sl-item details li").first.is_visible()
    assert LearningPlan.objects.filter(learner=learner).exists()
    screenshot(page, "workspace-2-plan")

    # 3. a consulting session
    page.goto("/activities/consulting/?track=study")
    row = page.locator("#slots tbody tr").first
    row.locator("input[name=topic]").fill("수학 공부 방법이 궁금해요")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#booking-status").inner_text() == "예약됨"
    assert ConsultingBooking.objects.filter(learner=learner, status="booked").count() == 1
    screenshot(page, "workspace-3-booking")

    # 4. a special lecture
    page.goto("/activities/lectures/")
    page.click("#register-3")
    page.wait_for_load_state()
    assert LectureRegistration.objects.filter(learner=learner, status="registered").count() == 2
    screenshot(page, "workspace-4-lectures")

    # progress after the lecture and the plan
    page.goto("/learning/progress/")
    assert page.locator("svg.sl-chart").count() == 3
    screenshot(page, "workspace-progress")

    # 5. the portfolio as a PDF
    page.goto("/learning/portfolio/")
    page.get_by_role("button", name="새 성과 가져오기").click()
    page.wait_for_load_state()
    entry = page.locator("article.sl-entry").first
    box = entry.locator("input[type=checkbox]")
    page.click(f"label[for={box.get_attribute('id')}]")
    entry.locator("textarea").fill("신화 속 인물들의 선택을 보며 나의 선택을 돌아보게 되었다.")
    entry.locator("button[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, "workspace-5-portfolio")
    with page.expect_download() as download_info:
        page.click("#portfolio-pdf")
    pdf_path = SCREENSHOTS / "workspace-portfolio.pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    download_info.value.save_as(str(pdf_path))
    assert pdf_path.read_bytes().startswith(b"%PDF")
    if Path("/usr/bin/pdftoppm").exists():
        subprocess.run(
            [
                "/usr/bin/pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf_path),
                str(SCREENSHOTS / "workspace-portfolio"),
            ],
            check=True,
        )
