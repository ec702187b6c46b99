"""A consultant holds a session, the learner reads the summary and answers the survey, and the
guardian sees the booking on the child's page (but never the consultant's private note)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.models import GuardianLink
from seoullearn.accounts.tests.factories import TEST_PASSWORD, GuardianFactory
from seoullearn.activities.models import ConsultantSlot, ConsultingBooking
from seoullearn.activities.tests.factories import (
    BookingFactory,
    ConsultantFactory,
    ServiceFactory,
    member,
)
from seoullearn.core.timeutil import now
from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_consultant_records_learner_answers_guardian_sees(browser: Any, live_server: Any) -> None:
    learner = member(username="haneul", full_name="이하늘")
    consultant = ConsultantFactory(username="coach", full_name="박코치")
    booking: Any = BookingFactory(
        learner=learner,
        service=ServiceFactory(),
        slot__consultant=consultant,
        topic="수학 공부 습관",
    )
    ConsultantSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=now() - dt.timedelta(minutes=60), ends_at=now() - dt.timedelta(minutes=10)
    )
    guardian: Any = GuardianFactory(username="mom")
    GuardianLink.objects.create(
        learner=learner,
        guardian=guardian,
        relationship="모",
        status=GuardianLink.Status.VERIFIED,
        contact="010-1234-5678",
        contact_index="e2e-guardian",
        channel="sms_sandbox",
        token_hash="e2e-guardian-token",
        expires_at=now() + dt.timedelta(days=1),
    )

    def new_page() -> Any:
        context = browser.new_context(
            locale="ko-KR", timezone_id="Asia/Seoul", base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        return context.new_page()

    # the consultant records the session
    page = new_page()
    login(page, "coach", TEST_PASSWORD)
    page.goto("/activities/consultant/")
    page.goto(f"/activities/consulting/bookings/{booking.public_id}/")
    page.fill("textarea[name=consultant_note]", "불안이 커서 작은 목표부터")
    page.fill("textarea[name=shared_summary]", "하루 20분 개념 복습, 틀린 문제는 이유까지 적기")
    page.get_by_role("button", name="상담 완료").click()
    page.wait_for_load_state()
    assert page.locator("#booking-status").inner_text() == "완료"
    screenshot(page, "consulting-1-consultant")
    page.context.close()

    # the learner reads the shared summary, not the note, and answers the survey
    page = new_page()
    login(page, "haneul", TEST_PASSWORD)
    page.goto(f"/activities/consulting/bookings/{booking.public_id}/")
    body = page.content()
    assert "하루 20분 개념 복습" in body and "불안이 커서" not in body
    page.click("label[for=id_rating_0]")
    page.get_by_role("button", name="보내기").click()
    page.wait_for_load_state()
    assert ConsultingBooking.objects.get(pk=booking.pk).survey.rating == 5
    screenshot(page, "consulting-2-learner")
    page.context.close()

    # the guardian sees the child's booking, not the note
    page = new_page()
    login(page, "mom", TEST_PASSWORD)
    page.goto("/learning/guardian/")
    page.get_by_role("link", name="이하늘").click()
    page.wait_for_load_state()
    body = page.content()
    assert "학습 전략 심층 상담" in body and "불안이 커서" not in body
    screenshot(page, "consulting-3-guardian")
    page.context.close()
