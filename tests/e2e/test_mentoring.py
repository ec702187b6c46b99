# mypy: disable-error-code="misc,return-value,assignment,type-var,var-annotated"
"""Mentoring journey in Chromium: a student applies as mentor, the university recommends, the
city reviews and selects, training is recorded, matching runs and is published, and the mentor
plans and logs a session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import TEST_PASSWORD, MentorFactory
from seoullearn.core.timeutil import today
from seoullearn.mentoring import services
from seoullearn.mentoring.models import MentorApplication, TrainingModule
from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_mentor_application_to_logged_session(page: Any, run_tasks: Any) -> None:
    from allauth.mfa.models import Authenticator

    from seoullearn.accounts.tests.factories import OperatorFactory
    from seoullearn.mentoring.tests.factories import (
        MenteeApplicationFactory,
        TermFactory,
        UniversityFactory,
        make_coordinator,
    )
    from seoullearn.programmes.models import Jurisdiction

    Jurisdiction.objects.get_or_create(
        slug="seoul", defaults={"name_ko": "서울특별시", "name_en": "Seoul"}
    )
    term = TermFactory()
    univ = UniversityFactory(name="한빛대학교")
    coordinator = make_coordinator(univ)
    operator = OperatorFactory()
    Authenticator.objects.create(
        user=operator, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    mentee = MenteeApplicationFactory(term=term)
    student = MentorFactory(username="mentor-e2e")

    login(page, student.username, TEST_PASSWORD)
    page.goto("/mentoring/mentor/apply/")
    page.select_option("select[name=university]", label="한빛대학교")
    page.fill("input[name=major]", "수학교육과")
    page.fill("input[name=year]", "3")
    page.check("input[name=subjects][value=math]", force=True)
    page.check("input[name=school_levels][value=middle]", force=True)
    page.check("input[name=availability][value=mon-ev]", force=True)
    page.fill(
        "textarea[name=motivation]",
        "수학이 어려운 중학생들과 함께 개념부터 차근차근 공부하고 싶습니다.",
    )
    screenshot(page, "mentoring-apply")
    page.locator("form.sl-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "제출됨" in page.locator("#application-status").inner_text()

    page.context.clear_cookies()
    login(page, coordinator.username, TEST_PASSWORD)
    page.goto("/mentoring/coordinator/")
    page.get_by_role("link", name="보기").first.click()
    page.fill("textarea[name=note]", "성실하고 교육 봉사 경험이 많습니다.")
    page.get_by_role("button", name="추천", exact=True).click()
    page.wait_for_load_state()

    app = MentorApplication.objects.get(user=student)
    assert app.status == "recommended"
    services.mentor_application_review(
        operator=operator,
        application=app,
        scores=dict.fromkeys(services.RUBRIC, 17),
        interviewed_on=today(),
        interview_notes="설명이 명확함",
    )
    services.mentor_application_checks(
        operator=operator,
        application=app,
        reference_status="passed",
        reference_valid_until=today() + dt.timedelta(days=300),
        background_status="passed",
        background_valid_until=today() + dt.timedelta(days=300),
    )
    app = services.mentor_application_decide(
        operator=operator, application=app, select=True, reason="심사 우수"
    )
    for kind in ("pre_training", "orientation"):
        module = TrainingModule.objects.create(term=term, kind=kind, title=kind, held_on=today())
        services.training_record_set(
            operator=operator, module=module, mentor=app, attended=True, completed=True
        )
    run = services.matching_run_start(operator=operator, term=term)
    run_tasks()
    run.refresh_from_db()
    services.matching_run_publish(operator=operator, run=run)

    page.context.clear_cookies()
    login(page, student.username, TEST_PASSWORD)
    page.goto("/mentoring/mentor/group/")
    assert mentee.user.display_name in page.content()
    page.fill("input[name=date]", today().isoformat())
    page.fill("input[name=online_link]", "https://meet.example/seoullearn")
    page.fill("input[name=topic]", "일차방정식 개념")
    page.get_by_role("button", name="계획 추가").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="기록하기").click()
    page.fill("textarea[name=notes]", "일차방정식의 뜻과 풀이 과정을 예제와 함께 정리했습니다.")
    page.get_by_role("button", name="기록 저장").click()
    page.wait_for_load_state()
    screenshot(page, "mentoring-group")
    assert "기록됨" in page.content()
