from __future__ import annotations

import pyotp
import pytest
from django.test import Client

from seoullearn.accounts import demo, selectors
from seoullearn.accounts.models import User
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.timeutil import today

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_staff_with_working_totp_and_guardian_flows() -> None:
    ctx = DemoContext(size="small", seed=1, today=today())
    demo.seed(ctx)
    logins = {login.username: login for login in ctx.logins}
    assert {"operator", "operator2", "auditor"} <= logins.keys()
    secret = logins["operator"].note.removeprefix("TOTP secret ")
    assert secret == demo.demo_totp_secret("operator")
    client = Client()
    client.post("/accounts/login/", {"login": "operator", "password": DEMO_PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    child = User.objects.get(username="demo_child")
    assert selectors.may_apply(child)
    assert not selectors.may_apply(User.objects.get(username="demo_child2"))
    assert ctx.shared["accounts"]["auditor"].role == "auditor"
