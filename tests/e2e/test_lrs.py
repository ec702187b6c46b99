"""An operator issues an xAPI credential in the browser; a provider uses it; the operator
rotates and revokes it."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from seoullearn.accounts.tests.factories import TEST_PASSWORD, OperatorFactory
from tests.e2e.conftest import screenshot
from tests.e2e.helpers_accounts import login_with_mfa


@pytest.mark.django_db(transaction=True)
def test_operator_issues_rotates_and_revokes_an_xapi_credential(
    page: Any, live_server: Any, settings: Any
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.LRS_OUTBOX_KICK = False
    operator = OperatorFactory(username="lrs-operator")
    secret_key = generate_totp_secret()
    TOTP.activate(operator, secret_key)
    login_with_mfa(page, "lrs-operator", TEST_PASSWORD, secret_key)

    page.goto("/backoffice/lrs/")
    assert page.locator("h1").inner_text() == "xAPI 자격 증명"
    page.get_by_role("link", name="새 자격 증명 발급").click()
    page.fill("input[name=name]", "밀크T 학습기록")
    page.get_by_text("상태 문서 (state)").click()  # the label toggles the styled checkbox
    assert not page.get_by_label("상태 문서 (state)").is_checked()
    page.get_by_role("button", name="발급").click()
    key = page.locator("#client-key").inner_text()
    secret = page.locator("#client-secret").inner_text()
    screenshot(page, "lrs-credential-issued")

    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": auth, "X-Experience-API-Version": "2.0.0"}
    statement = {
        "actor": {"account": {"homePage": "https://slearn.example", "name": "pseudonym-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
        "object": {"id": "https://milkt.example/xapi/courses/1"},
    }
    posted = httpx.post(f"{live_server.url}/xapi/statements", headers=headers, json=statement)
    assert posted.status_code == 200

    page.get_by_role("link", name="자격 증명 보기").click()
    page.get_by_role("button", name="교체").click()
    new_secret = page.locator("#client-secret").inner_text()
    assert new_secret != secret
    old = httpx.get(f"{live_server.url}/xapi/statements", headers=headers)
    assert old.status_code == 401

    page.get_by_role("link", name="자격 증명 보기").click()
    page.fill("input[name=reason]", "계약 종료")
    page.get_by_role("button", name="폐기").click()
    assert "폐기됨" in page.locator("main").inner_text()
    screenshot(page, "lrs-credential-revoked")
    new_auth = "Basic " + base64.b64encode(f"{key}:{new_secret}".encode()).decode()
    revoked = httpx.get(
        f"{live_server.url}/xapi/statements",
        headers={"Authorization": new_auth, "X-Experience-API-Version": "2.0.0"},
    )
    assert revoked.status_code == 401
    assert json.loads(revoked.content)["error"] is True

    page.goto("/backoffice/lrs/?status=revoked")
    assert "밀크T 학습기록" in page.locator("table").inner_text()
