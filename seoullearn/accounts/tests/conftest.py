from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
from django.test import Client

from seoullearn.accounts import services
from seoullearn.accounts.models import User
from seoullearn.accounts.tests.factories import (
    AuditorFactory,
    GuardianFactory,
    LearnerFactory,
    OperatorFactory,
)
from seoullearn.core.timeutil import today

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def years_ago(years: int, days: int = 30) -> dt.date:
    now = today()
    return now.replace(year=now.year - years) - dt.timedelta(days=days)


def signed_up(user: User) -> User:
    """A user who consented to their role's sign-up notices, as after the sign-up form."""
    services.user_complete_signup(
        user=user,
        full_name=user.full_name,
        birth_date=user.birth_date,
        role=user.role,
        consent_kinds=services.SIGNUP_NOTICE_KINDS[user.role],
    )
    return user


@pytest.fixture
def learner(db: Any) -> User:
    return signed_up(LearnerFactory(username="teen", birth_date=years_ago(16)))


@pytest.fixture
def child(db: Any) -> User:
    return signed_up(LearnerFactory(username="kid", birth_date=years_ago(12)))


@pytest.fixture
def other_child(db: Any) -> User:
    return signed_up(LearnerFactory(username="otherkid", birth_date=years_ago(11)))


@pytest.fixture
def guardian(db: Any) -> User:
    return signed_up(GuardianFactory(username="mum"))


@pytest.fixture
def other_guardian(db: Any) -> User:
    return signed_up(GuardianFactory(username="stranger"))


@pytest.fixture
def operator(db: Any) -> User:
    user: User = OperatorFactory(username="op")  # type: ignore[assignment]
    services.mfa_totp_enrol(user=user, secret=TOTP_SECRET)
    return user


@pytest.fixture
def auditor(db: Any) -> User:
    user: User = AuditorFactory(username="aud")  # type: ignore[assignment]
    services.mfa_totp_enrol(user=user, secret=TOTP_SECRET)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def totp_now(secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def invite(child: User, phone: str = "010-1234-5678") -> tuple[Any, str, str]:
    """Invite a guardian for ``child`` and read the link token and code from the SMS outbox."""
    from seoullearn.core.models import OutboundMessage

    link = services.guardian_invite(
        learner=child,
        actor=child,
        guardian_name="김보호",
        relationship="어머니",
        phone=phone,
        base_url="http://testserver",
    )
    invitation = (
        OutboundMessage.objects.filter(purpose="guardian_invitation").order_by("-id").first()
    )
    code_msg = OutboundMessage.objects.filter(purpose="guardian_code").order_by("-id").first()
    assert invitation is not None and code_msg is not None
    token = invitation.body.rsplit("/guardian/accept/", 1)[1].strip().rstrip("/")
    code = code_msg.body.split("[", 2)[2].split("]", 1)[0]
    return link, token, code


def link_guardian(child: User, guardian: User) -> Any:
    _link, token, code = invite(child)
    return services.guardian_link_accept(
        token=token, guardian=guardian, code=code, consent_kinds=services.GUARDIAN_NOTICE_KINDS
    )
