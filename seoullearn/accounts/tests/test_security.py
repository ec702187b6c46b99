"""Production settings, password hashing, lockout and mandatory MFA for staff."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.conf import LazySettings
from django.test import Client

from seoullearn.accounts import services
from seoullearn.accounts.models import User
from seoullearn.accounts.tests.conftest import TOTP_SECRET, client_for, totp_now
from seoullearn.accounts.tests.factories import TEST_PASSWORD, AuditorFactory, OperatorFactory

ROOT = Path(__file__).resolve().parents[3]


def _production_env(tmp_path: Path) -> dict[str, str]:
    dropped = {"DATABASE_URL", "PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        SEOULLEARN_ENV="production",
        SECRET_KEY="x" * 20 + Fernet.generate_key().decode(),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="example.org",
        SEOULLEARN_DATA_DIR=str(tmp_path),
    )
    return env


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_uses_argon2_and_secure_cookies(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "from django.contrib.auth.hashers import make_password; "
        "print(s.PASSWORD_HASHERS[0]); print(make_password('x-secret-123').split('$')[0]); "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_NAME)"
    )
    env = _production_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert lines[1] == "argon2"
    assert lines[2] == "True True True True __Host-sessionid"


@pytest.mark.django_db
@pytest.mark.parametrize("allauth_rate_limits", [True, False])
def test_axes_locks_out_after_five_failures_and_shows_lockout_page(
    client: Client, settings: LazySettings, allauth_rate_limits: bool
) -> None:
    if not allauth_rate_limits:
        settings.ACCOUNT_RATE_LIMITS = False  # axes alone must still lock the account out
    OperatorFactory(username="target")
    statuses = [
        client.post("/accounts/login/", {"login": "target", "password": "wrong-pass-1"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    locked = client.post("/accounts/login/", {"login": "target", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    if not allauth_rate_limits:
        assert locked.status_code == 429
        assert "로그인이 잠시 제한되었습니다" in locked.content.decode()
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username="target").failures_since_start >= 5


@pytest.mark.django_db
def test_lockout_page_renders(client: Client) -> None:
    OperatorFactory(username="target")
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": "target", "password": "wrong-pass-1"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "로그인이 잠시 제한되었습니다" in page and "/accounts/password/reset/" in page


@pytest.mark.django_db
def test_staff_without_totp_are_sent_to_mfa_setup_pages_and_api() -> None:
    for factory in (OperatorFactory, AuditorFactory):
        user = factory()
        client = Client()
        client.post("/accounts/login/", {"login": user.username, "password": TEST_PASSWORD})
        assert "_auth_user_id" in client.session
        page = client.get("/backoffice/accounts/access-log/")
        assert page.status_code == 302 and page["Location"] == "/accounts/2fa/totp/activate/"
        api = client.get("/api/accounts/me")
        assert api.status_code == 403 and api.json()["code"] == "mfa_required"
        # Enrolling asks for the password again (allauth's reauthentication), then shows the QR.
        again = client.get("/accounts/2fa/totp/activate/")
        assert again["Location"].startswith("/accounts/reauthenticate/")
        client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
        activate = client.get("/accounts/2fa/totp/activate/")
        assert activate.status_code == 200 and "sl-qr" in activate.content.decode()
        services.mfa_totp_enrol(user=user, secret=TOTP_SECRET)
        assert client.get("/api/accounts/me").status_code == 200


@pytest.mark.django_db
def test_learners_are_not_forced_to_mfa(learner: User) -> None:
    assert client_for(learner).get("/api/accounts/me").status_code == 200


@pytest.mark.django_db
def test_operator_login_asks_for_totp_code(operator: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"login": "op", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    ok = client.post("/accounts/2fa/authenticate/", {"code": totp_now()})
    assert ok.status_code == 302
    assert client.get("/backoffice/accounts/access-log/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("steps_back", "accepted"), [(1, True), (3, False)])
def test_totp_code_of_the_previous_step_is_accepted_but_not_older(
    operator: User, steps_back: int, accepted: bool
) -> None:
    # given an operator at the code step of the login
    client = Client()
    client.post("/accounts/login/", {"login": "op", "password": TEST_PASSWORD})
    # when they type the code shown `steps_back` steps of 30 s ago
    code = pyotp.TOTP(TOTP_SECRET).at(time.time() - 30 * steps_back)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    # then one step of delay is forgiven, more is not
    assert ("_auth_user_id" in client.session) is accepted
    assert response.status_code == (302 if accepted else 200)


@pytest.mark.django_db
def test_staff_cannot_switch_totp_off(operator: User, learner: User) -> None:
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.get(user=operator, type="totp")
    assert not get_adapter().can_delete_authenticator(totp)
    services.mfa_totp_enrol(user=learner, secret=TOTP_SECRET)
    assert get_adapter().can_delete_authenticator(
        Authenticator.objects.get(user=learner, type="totp")
    )


@pytest.mark.django_db
def test_staff_token_stops_working_without_totp(operator: User) -> None:
    from allauth.mfa.models import Authenticator

    _token, raw = services.api_token_create(user=operator, name="script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/accounts/me", **headers).status_code == 200
    Authenticator.objects.filter(user=operator).delete()
    assert Client().get("/api/accounts/me", **headers).status_code == 401


def test_session_settings() -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.PASSWORD_HASHERS[-2:] == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
