"""The membership journey in Chromium: a 12-year-old applies with evidence, cannot submit
until a guardian consents, submits; the application is verified in the background; an
operator signs in with the authenticator code, looks at the evidence and approves; the
learner sees the membership."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.helpers_accounts import browser_context as _context
from tests.e2e.helpers_accounts import guardian_consents_by_sms_link

TOTP_SECRET = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
PASSWORD = "correct-horse-battery-9"


def _login(page: Any, username: str, totp_secret: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    if totp_secret:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.fill("input[name=code]", pyotp.TOTP(totp_secret).now())
        page.locator("input[name=code]").press("Enter")
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def _choose(page: Any, label: str) -> None:
    # KRDS draws its own radio buttons: people click the label.
    page.locator("label", has_text=label).first.click()


@pytest.mark.django_db(transaction=True)
def test_membership_journey(browser: Any, live_server: Any, run_tasks: Any, tmp_path: Path) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    from seoullearn.accounts.tests.factories import LearnerFactory, OperatorFactory
    from seoullearn.core.models import AccessLog
    from seoullearn.core.timeutil import today
    from seoullearn.eligibility.demo import sample_pdf
    from seoullearn.eligibility.models import Application, Membership
    from seoullearn.eligibility.tests.factories import (
        current_programme_obj,
        sandbox_record,
    )

    programme = current_programme_obj()
    now = today()
    learner: Any = LearnerFactory(
        username="seoyeon12",
        full_name="김서연",
        birth_date=now.replace(year=now.year - 12) - dt.timedelta(days=40),
    )
    operator: Any = OperatorFactory(username="reviewer1", full_name="박심사")
    TOTP.activate(operator, TOTP_SECRET)
    certificate = tmp_path / "수급자증명서.pdf"
    certificate.write_bytes(sample_pdf("basic livelihood recipient certificate"))

    # 1. The learner applies in four steps.
    kid_ctx = _context(browser, live_server)
    kid = kid_ctx.new_page()
    _login(kid, "seoyeon12")
    kid.goto("/membership/apply/")
    screenshot(kid, "membership-01-apply")
    kid.get_by_role("button", name="신청서 작성 시작").click()
    kid.wait_for_url("**/applicant/")
    kid.fill("#id_applicant_name", "김서연")
    kid.select_option("#id_school_level", "elementary")
    kid.fill("#id_grade", "6")
    kid.fill("#id_school_name", "서울노원초등학교")
    kid.select_option("#id_district_code", "11350")
    screenshot(kid, "membership-02-step-applicant")
    kid.get_by_role("button", name="저장하고 다음").click()
    kid.wait_for_url("**/household/")
    _choose(kid, "국민기초생활보장 수급권자")
    kid.fill("#id_household_size", "3")
    kid.fill("#id_monthly_income_krw", "1200000")
    screenshot(kid, "membership-03-step-household")
    kid.get_by_role("button", name="저장하고 다음").click()
    kid.wait_for_url("**/evidence/")
    kid.select_option("#id_kind", "basic_livelihood_certificate")
    kid.set_input_files("#id_file", str(certificate))
    kid.get_by_role("button", name="올리기").click()
    kid.wait_for_load_state()
    assert "서류를 올렸습니다" in kid.content()
    screenshot(kid, "membership-04-step-evidence")
    kid.get_by_role("link", name="다음: 확인하고 제출").click()
    kid.wait_for_url("**/review/")

    # 2. Under 14: no submission before a guardian has consented.
    assert "보호자 동의가 필요합니다" in kid.content()
    assert kid.get_by_role("button", name="신청서 제출").is_disabled()
    screenshot(kid, "membership-05-review-needs-guardian")
    application = Application.objects.get(applicant=learner)
    assert application.status == "draft"

    # 3. She names her mother, who follows the SMS link, signs up, enters the code, consents.
    guardian_consents_by_sms_link(
        browser,
        live_server,
        kid,
        guardian_name="김보호",
        guardian_username="mum-seoyeon",
        phone="010-3456-7890",
    )
    assert learner.guardian_links.filter(status="verified").exists()
    assert "보호자 동의가 필요합니다" not in kid.content()
    kid.get_by_role("button", name="신청서 제출").click()
    kid.wait_for_url(f"**/membership/applications/{application.public_id}/")
    assert "신청서를 받았습니다" in kid.content()
    screenshot(kid, "membership-06-submitted")

    # 4. The welfare registry (sandbox) knows her: the worker verifies automatically.
    application.refresh_from_db()
    sandbox_record(application)
    run_tasks()
    application.refresh_from_db()
    assert application.status == "in_review"
    assert application.verification == "auto_verified"

    # 5. An operator signs in with the authenticator code and approves.
    op_ctx = _context(browser, live_server)
    op = op_ctx.new_page()
    _login(op, "reviewer1", TOTP_SECRET)
    op.goto("/backoffice/")
    assert "신청 심사" in op.content()
    screenshot(op, "membership-07-operator-home")
    op.goto("/backoffice/eligibility/applications/")
    screenshot(op, "membership-08-review-queue")
    op.get_by_role("link", name="김서연").click()
    op.wait_for_url(f"**/backoffice/eligibility/applications/{application.public_id}/")
    op.locator("details.sl-evidence summary").first.click()
    op.wait_for_load_state("networkidle")
    screenshot(op, "membership-09-application-detail")
    assert AccessLog.objects.filter(actor=operator, subject=learner, action="view").exists()
    op.get_by_role("button", name="이 신청서 맡기").click()
    op.wait_for_load_state()
    _choose(op, "승인")
    op.fill("#id_reason", "수급자 증명서와 복지 자격 정보 확인")
    op.get_by_role("button", name="결정 저장").click()
    op.wait_for_load_state()
    assert "결정을 저장했습니다" in op.content()
    screenshot(op, "membership-10-approved")

    # 6. The learner sees her membership.
    kid.goto("/membership/")
    body = kid.content()
    assert "서울런 회원입니다" in body
    membership = Membership.objects.get(user=learner, programme=programme)
    assert membership.ends_on.isoformat() in body
    screenshot(kid, "membership-11-my-membership")
    kid.goto(f"/membership/applications/{application.public_id}/")
    assert "수급자 증명서와 복지 자격 정보 확인" in kid.content()
    kid_ctx.close()
    op_ctx.close()
