"""A 12-year-old signs up and invites a guardian; the guardian follows the SMS link, signs up,
enters the code and consents; the operator's login needs the authenticator code."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.helpers_accounts import (
    E2E_TOTP_SECRET,
    GUARDIAN_CONSENT_KINDS,
    TEST_PASSWORD,
    login_with_mfa,
    operator_with_totp,
)
from tests.e2e.helpers_accounts import browser_context as _context
from tests.e2e.helpers_accounts import signup as _signup
from tests.e2e.helpers_accounts import tick as _tick
from tests.e2e.helpers_accounts import years_ago as _years_ago


@pytest.mark.django_db(transaction=True)
def test_child_guardian_consent_journey(browser: Any, live_server: Any) -> None:
    from seoullearn.accounts.models import User
    from seoullearn.accounts.selectors import may_apply

    operator_with_totp("e2e_operator")

    # 1. A 12-year-old signs up as a learner.
    learner_ctx = _context(browser, live_server)
    kid = learner_ctx.new_page()
    kid.goto("/accounts/signup/")
    screenshot(kid, "accounts-01-signup")
    _signup(
        kid,
        role="learner",
        name="김서울",
        birth=_years_ago(12),
        username="kid12",
        kinds=["terms", "privacy", "sensitive", "provider_sharing", "learning_data"],
    )
    kid.locator("main form button[type=submit]").click()
    kid.wait_for_url("**/accounts/me/")
    assert "보호자 동의 필요" in kid.content()
    screenshot(kid, "accounts-02-dashboard-needs-guardian")

    # 2. The learner names a guardian.
    kid.goto("/accounts/guardian/invite/")
    kid.fill("#id_guardian_name", "김보호")
    kid.select_option("#id_relationship", "어머니")
    kid.fill("#id_phone", "010-2345-6789")
    kid.locator("main form button[type=submit]").first.click()
    kid.wait_for_load_state()
    assert "010-****-6789" in kid.content()
    screenshot(kid, "accounts-03-invitation-sent")
    assert not may_apply(User.objects.get(username="kid12"))

    # 3. The operator signs in (password, then the authenticator code) and reads the SMS outbox.
    op_ctx = _context(browser, live_server)
    op = op_ctx.new_page()
    op.goto("/accounts/login/")
    op.fill("input[name=login]", "e2e_operator")
    op.fill("input[name=password]", TEST_PASSWORD)
    op.locator("main form button[type=submit]").first.click()
    op.wait_for_url("**/accounts/2fa/authenticate/")
    screenshot(op, "accounts-04-operator-totp-step")
    op.goto("/backoffice/accounts/outbox/")
    assert "outbox" not in op.url  # no operator page before the authenticator code is given
    op_ctx.close()
    op_ctx = _context(browser, live_server)
    op = op_ctx.new_page()
    login_with_mfa(op, "e2e_operator", TEST_PASSWORD, E2E_TOTP_SECRET)
    op.goto("/backoffice/accounts/outbox/")
    screenshot(op, "accounts-05-outbox")
    bodies = op.locator(".sl-outbox-row .sl-body").all_inner_texts()
    code = next(m.group(1) for b in bodies if (m := re.search(r"\[(\d{6})\]", b)))
    link = next(
        m.group(0) for b in bodies if (m := re.search(r"https?://\S+/guardian/accept/\S+/", b))
    )

    # 4. The guardian opens the link, signs up as a guardian, enters the code and consents.
    guardian_ctx = _context(browser, live_server)
    mum = guardian_ctx.new_page()
    mum.goto(link)
    assert "김서울님이 서울런 신청을 위해 보호자 동의를 요청했습니다" in mum.content()
    screenshot(mum, "accounts-06-link-landing")
    mum.get_by_role("link", name="보호자로 가입하기").click()
    assert mum.locator("#id_role").input_value() == "guardian"
    _signup(
        mum,
        role=None,
        name="김보호",
        birth=_years_ago(41),
        username="mum41",
        kinds=["terms", "privacy"],
    )
    mum.locator("main form button[type=submit]").click()
    mum.wait_for_url("**/guardian/accept/**")
    screenshot(mum, "accounts-07-enter-code")
    mum.fill("#id_code", code)
    for kind in GUARDIAN_CONSENT_KINDS:
        _tick(mum, f"id_consent_{kind}")
    mum.locator("main form button[type=submit]").click()
    mum.wait_for_url("**/accounts/guardian/")
    assert "김서울" in mum.content() and "동의 완료" in mum.content()
    screenshot(mum, "accounts-08-guardian-home")

    # 5. The child may now apply.
    assert may_apply(User.objects.get(username="kid12"))
    kid.goto("/accounts/me/")
    assert "보호자 동의 완료" in kid.content()
    for ctx in (learner_ctx, op_ctx, guardian_ctx):
        ctx.close()
