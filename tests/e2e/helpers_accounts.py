"""Helpers for end-to-end journeys that need staff logins (MFA is mandatory for operators).

operator = operator_with_totp("op1")
login_with_mfa(page, "op1", TEST_PASSWORD, E2E_TOTP_SECRET)
"""

from __future__ import annotations

from typing import Any

import pyotp

from seoullearn.accounts.tests.factories import TEST_PASSWORD, UserFactory
from seoullearn.core.roles import Role

E2E_TOTP_SECRET = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"

__all__ = [
    "E2E_TOTP_SECRET",
    "TEST_PASSWORD",
    "login_with_mfa",
    "operator_with_totp",
    "staff_with_totp",
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
    page.wait_for_load_state()
