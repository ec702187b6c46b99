from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seoullearn.accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_staff_user_prints_initial_password_once() -> None:
    out = io.StringIO()
    call_command(
        "create_staff_user", "Ops1", "--role", "operator", "--email", "ops1@example.org", stdout=out
    )
    text = out.getvalue()
    user = User.objects.get(username="ops1")
    password = text.split("initial password (shown once): ", 1)[1].split()[0]
    assert user.role == "operator" and user.check_password(password)
    assert "TOTP" in text


def test_create_staff_user_refuses_self_signup_roles_and_duplicates() -> None:
    with pytest.raises(CommandError):
        call_command("create_staff_user", "x1234", "--role", "learner", "--email", "x@example.org")
    call_command(
        "create_staff_user",
        "aud1",
        "--role",
        "auditor",
        "--email",
        "a@example.org",
        "--password",
        "a-strong-pass-77",
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="username_taken"):
        call_command("create_staff_user", "aud1", "--role", "auditor", "--email", "b@example.org")
