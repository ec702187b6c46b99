# mypy: disable-error-code="misc,return-value,assignment,type-var,var-annotated"
"""Mentoring from application to a logged session, in Chromium, every step through the pages:
a student applies as mentor; the university coordinator recommends; an operator (with the
authenticator code) scores the review, records the checks, selects, records the training,
runs matching (a background task whose progress the page follows), reviews the proposals and
publishes; the mentor plans and logs a session; the mentee rates it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import TEST_PASSWORD, MentorFactory
from seoullearn.core.timeutil import today
from seoullearn.mentoring.models import (
    Attendance,
    Match,
    MatchingRun,
    MentorApplication,
    Session,
    TrainingModule,
)
from tests.e2e.conftest import login, screenshot
from tests.e2e.helpers_accounts import (
    E2E_TOTP_SECRET,
    browser_context,
    login_with_mfa,
    operator_with_totp,
)


def _page(browser: Any, live_server: Any) -> Any:
    return browser_context(browser, live_server).new_page()


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_mentor_application_to_logged_session(browser: Any, live_server: Any, run_tasks: Any):
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
    for kind, title in (("pre_training", "아동 보호와 멘토 윤리"), ("orientation", "오리엔테이션")):
        TrainingModule.objects.create(term=term, kind=kind, title=title, held_on=today())
    univ = UniversityFactory(name="한빛대학교")
    coordinator = make_coordinator(univ)
    operator_with_totp("e2e_operator")
    mentee = MenteeApplicationFactory(term=term)
    mentee.user.full_name = "김멘티"
    mentee.user.save()
    student = MentorFactory(username="mentor-e2e", full_name="이멘토")

    # 1. The student applies.
    mentor = _page(browser, live_server)
    login(mentor, student.username, TEST_PASSWORD)
    mentor.goto("/mentoring/mentor/apply/")
    mentor.select_option("select[name=university]", label="한빛대학교")
    mentor.fill("input[name=major]", "수학교육과")
    mentor.fill("input[name=year]", "3")
    mentor.check("input[name=subjects][value=math]", force=True)
    mentor.check("input[name=school_levels][value=middle]", force=True)
    mentor.check("input[name=availability][value=mon-ev]", force=True)
    mentor.fill(
        "textarea[name=motivation]",
        "수학이 어려운 중학생들과 함께 개념부터 차근차근 공부하고 싶습니다.",
    )
    screenshot(mentor, "mentoring-01-apply")
    mentor.locator("form.sl-form button[type=submit]").click()
    mentor.wait_for_load_state()
    assert "제출됨" in mentor.locator("#application-status").inner_text()
    screenshot(mentor, "mentoring-02-mentor-home")

    # 2. The university recommends.
    univ_page = _page(browser, live_server)
    login(univ_page, coordinator.username, TEST_PASSWORD)
    univ_page.goto("/mentoring/coordinator/")
    screenshot(univ_page, "mentoring-03-coordinator")
    univ_page.get_by_role("link", name="추천하기").first.click()
    univ_page.fill("textarea[name=note]", "성실하고 교육 봉사 경험이 많습니다.")
    _submit(univ_page, "추천")
    assert MentorApplication.objects.get(user=student).status == "recommended"

    # 3. The city reviews, checks and selects.
    op = _page(browser, live_server)
    login_with_mfa(op, "e2e_operator", TEST_PASSWORD, E2E_TOTP_SECRET)
    op.goto("/backoffice/mentoring/?status=recommended")
    screenshot(op, "mentoring-04-pipeline")
    op.get_by_role("link", name="이멘토").click()
    op.wait_for_load_state()
    for item in ("motivation", "expertise", "communication", "availability", "commitment"):
        op.fill(f"input[name={item}]", "17")
    op.fill("input[name=interviewed_on]", today().isoformat())
    op.fill("textarea[name=interview_notes]", "설명이 명확하고 예시가 좋음")
    _submit(op, "심사 저장")
    valid = (today() + dt.timedelta(days=300)).isoformat()
    op.select_option("select[name=reference_status]", "passed")
    op.fill("input[name=reference_valid_until]", valid)
    op.select_option("select[name=background_status]", "passed")
    op.fill("input[name=background_valid_until]", valid)
    _submit(op, "확인 저장")
    op.fill("input[name=reason]", "심사 총점 85점, 면접 우수")
    _submit(op, "선발")
    assert "선발" in op.locator("#status").inner_text()
    screenshot(op, "mentoring-05-application-selected")

    # 4. Training: pre-training and orientation attended and completed.
    op.goto("/backoffice/mentoring/training/")
    selected = MentorApplication.objects.get(user=student)
    for module in TrainingModule.objects.order_by("kind"):
        form = op.locator("#training-record")
        form.locator("select[name=module]").select_option(str(module.public_id))
        form.locator("select[name=mentor]").select_option(str(selected.public_id))
        form.locator("input[name=attended]").check(force=True)
        form.locator("input[name=completed]").check(force=True)
        form.get_by_role("button", name="저장").click()
        op.wait_for_load_state()
    assert "매칭 가능한 멘토: 1명" in op.content()
    screenshot(op, "mentoring-06-training")

    # 5. Matching runs as a task; the page follows its progress; review, then publish.
    op.goto("/backoffice/mentoring/matching/")
    screenshot(op, "mentoring-07-runs")
    op.locator("#start-matching").click()
    op.wait_for_load_state()
    assert op.locator("#run-progress").is_visible()
    screenshot(op, "mentoring-08-run-queued")
    run_tasks()
    op.locator("#run-ready").wait_for()  # the progress partial polled the finished run
    op.locator("#run-ready").click()
    op.wait_for_load_state()
    assert "김멘티" in op.locator("#proposals").inner_text()
    screenshot(op, "mentoring-09-run-review")
    op.locator("#publish").click()
    op.wait_for_load_state()
    assert MatchingRun.objects.get().status == "published"
    screenshot(op, "mentoring-10-run-published")
    match = Match.objects.get()
    assert match.mentee == mentee and match.group.mentor.user == student

    # 6. The mentor plans and logs a session.
    mentor.goto("/mentoring/mentor/group/")
    assert "김멘티" in mentor.content()
    mentor.fill("input[name=date]", today().isoformat())
    mentor.fill("input[name=start_time]", "19:00")
    mentor.fill("input[name=online_link]", "https://meet.example/seoullearn")
    mentor.fill("input[name=topic]", "일차방정식 개념")
    _submit(mentor, "계획 추가")
    screenshot(mentor, "mentoring-11-group-planned")
    mentor.get_by_role("link", name="기록하기").click()
    mentor.fill("textarea[name=notes]", "일차방정식의 뜻과 풀이 과정을 예제와 함께 정리했습니다.")
    screenshot(mentor, "mentoring-12-session-log")
    _submit(mentor, "기록 저장")
    assert "기록됨" in mentor.content()
    screenshot(mentor, "mentoring-13-group-logged")
    session = Session.objects.get()
    assert session.status == "logged" and session.lrs_recorded

    # 7. The mentee rates the session.
    learner = _page(browser, live_server)
    login(learner, mentee.user.username, TEST_PASSWORD)
    learner.goto("/mentoring/me/")
    assert "이멘토" in learner.content()
    screenshot(learner, "mentoring-14-mentee-home")
    learner.get_by_role("link", name="의견 남기기").click()
    learner.locator("label[for=rating-4]").click()
    learner.fill("textarea[name=comment]", "예제가 많아서 이해가 잘 됐어요.")
    screenshot(learner, "mentoring-15-feedback")
    _submit(learner, "보내기")
    attendance = Attendance.objects.get(session=session, match=match)
    assert attendance.attended and attendance.feedback == 4
    screenshot(learner, "mentoring-16-mentee-after-feedback")
