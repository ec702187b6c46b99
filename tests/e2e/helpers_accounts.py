"""Helpers for end-to-end journeys that need staff logins (MFA is mandatory for operators).

operator = operator_with_totp("op1")
login_with_mfa(page, "op1", TEST_PASSWORD, E2E_TOTP_SECRET)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyotp

from seoullearn.accounts.tests.factories import TEST_PASSWORD, UserFactory
from seoullearn.core.roles import Role

E2E_TOTP_SECRET = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"

__all__ = [
    "E2E_TOTP_SECRET",
    "TEST_PASSWORD",
    "browser_context",
    "guardian_consents_by_sms_link",
    "login_with_mfa",
    "operator_with_totp",
    "signup",
    "staff_with_totp",
    "tick",
    "years_ago",
]


def staff_with_totp(username: str, role: str, secret: str = E2E_TOTP_SECRET, **fields: Any) -> Any:
    """A staff user (operator, auditor, ...) with an enrolled authenticator app."""
    from seoullearn.accounts.services import mfa_totp_enrol

    user = UserFactory(username=username, role=role, birth_date=None, **fields)
    mfa_totp_enrol(user=user, secret=secret)
    return user


def operator_with_totp(username: str = "e2e_operator", secret: str = E2E_TOTP_SECRET) -> Any:
    return staff_with_totp(username, Role.OPERATOR, secret)


def login_with_mfa(page: Any, username: str, password: str, totp_secret: str) -> None:
    """Sign in through the login page, then answer the authenticator-code step."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", pyotp.TOTP(totp_secret).now())
    page.locator("main form button[type=submit]").first.click()
    # Wait for the redirect away from the code step: a navigation started before the POST has
    # answered would cancel it and leave the session unauthenticated.
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def browser_context(browser: Any, live_server: Any) -> Any:
    """A Korean-locale browser context on the live server, as a person in Seoul would have."""
    context = browser.new_context(
        locale="ko-KR",
        timezone_id="Asia/Seoul",
        base_url=live_server.url,
        viewport={"width": 1200, "height": 900},
    )
    context.set_default_timeout(15_000)
    return context


def years_ago(years: int) -> str:
    from seoullearn.core.timeutil import today

    now = today()
    return (now.replace(year=now.year - years) - dt.timedelta(days=30)).isoformat()


def tick(page: Any, field_id: str) -> None:
    # KRDS draws its own checkbox; people click the label.
    page.locator(f"label[for={field_id}]").click()


def signup(
    page: Any, *, role: str | None, name: str, birth: str, username: str, kinds: list[str]
) -> None:
    """Fill the sign-up form (the caller submits it)."""
    if role is not None:
        page.select_option("#id_role", role)
    page.fill("#id_full_name", name)
    page.fill("#id_birth_date", birth)
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.org")
    page.fill("#id_password1", "a-long-secret-9876")
    page.fill("#id_password2", "a-long-secret-9876")
    for kind in kinds:
        tick(page, f"id_consent_{kind}")


GUARDIAN_CONSENT_KINDS = [
    "guardian",
    "terms",
    "privacy",
    "sensitive",
    "provider_sharing",
    "learning_data",
]


def sms_sent_to(phone: str) -> tuple[str, str]:
    """The invitation link and the six-digit code the SMS sandbox holds for ``phone``: what
    the guardian reads on their own phone."""
    from seoullearn.core.models import OutboundMessage

    digits = re.sub(r"\D", "", phone)
    messages = OutboundMessage.objects.filter(channel="sms_sandbox")
    bodies = [m.body for m in messages if re.sub(r"\D", "", m.recipient) == digits]
    code = next(m.group(1) for b in bodies if (m := re.search(r"\[(\d{6})\]", b)))
    link = next(
        m.group(0) for b in bodies if (m := re.search(r"https?://\S+/guardian/accept/\S+/", b))
    )
    return link, code


def guardian_consents_by_sms_link(
    browser: Any,
    live_server: Any,
    learner_page: Any,
    *,
    guardian_name: str,
    guardian_username: str,
    phone: str,
    relationship: str = "어머니",
) -> None:
    """The learner names a guardian; the guardian follows the SMS link, signs up, enters the
    code and consents. Leaves the learner's page where it was."""
    back_to = learner_page.url
    learner_page.goto("/accounts/guardian/invite/")
    learner_page.fill("#id_guardian_name", guardian_name)
    learner_page.select_option("#id_relationship", relationship)
    learner_page.fill("#id_phone", phone)
    learner_page.locator("main form button[type=submit]").first.click()
    learner_page.wait_for_load_state()
    link, code = sms_sent_to(phone)

    context = browser_context(browser, live_server)
    guardian = context.new_page()
    guardian.goto(link)
    guardian.get_by_role("link", name="보호자로 가입하기").click()
    signup(
        guardian,
        role=None,
        name=guardian_name,
        birth=years_ago(41),
        username=guardian_username,
        kinds=["terms", "privacy"],
    )
    guardian.locator("main form button[type=submit]").click()
    guardian.wait_for_url("**/guardian/accept/**")
    guardian.fill("#id_code", code)
    for kind in GUARDIAN_CONSENT_KINDS:
        tick(guardian, f"id_consent_{kind}")
    guardian.locator("main form button[type=submit]").click()
    guardian.wait_for_url("**/accounts/guardian/")
    assert "동의 완료" in guardian.content()
    context.close()
    learner_page.goto(back_to)
