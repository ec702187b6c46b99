"""Demo accounts: operators and an auditor with a pre-enrolled authenticator, and a few
learners and guardians that show the consent flows (other apps add their own people).

Staff must use two-factor authentication. Each demo staff user has a known TOTP secret, printed
by ``make run``; get the current code with::

    python -c "import pyotp; print(pyotp.TOTP('SECRET').now())"
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from seoullearn.accounts import services
from seoullearn.accounts.models import User
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.roles import Role


def demo_totp_secret(username: str) -> str:
    """A fixed, documented base32 secret per demo staff user (demo databases only)."""
    digest = hashlib.sha256(f"seoullearn-demo-{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()  # 32 characters, no padding


def _user(username: str, role: str, full_name: str, birth_date: dt.date, **extra: object) -> User:
    user = User(
        username=username,
        email=f"{username}@demo.seoullearn.example",
        role=role,
        full_name=full_name,
        birth_date=birth_date,
        **extra,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _years_ago(ctx: DemoContext, years: int, days: int = 40) -> dt.date:
    return ctx.today.replace(year=ctx.today.year - years) - dt.timedelta(days=days)


def seed(ctx: DemoContext) -> None:
    staff = [
        ("operator", Role.OPERATOR, "김운영"),
        ("operator2", Role.OPERATOR, "박운영"),
        ("auditor", Role.AUDITOR, "이감사"),
    ]
    created: dict[str, User] = {}
    for username, role, name in staff:
        user = _user(username, role, name, dt.date(1984, 4, 1))
        secret = demo_totp_secret(username)
        services.mfa_totp_enrol(user=user, secret=secret)
        created[username] = user
        ctx.login(role, username, note=f"TOTP secret {secret}")

    # A learner over 14 who consented at sign-up.
    teen = _user("demo_learner", Role.LEARNER, "정하늘", _years_ago(ctx, 16))
    services.user_complete_signup(
        user=teen,
        full_name=teen.full_name,
        birth_date=teen.birth_date,  # type: ignore[arg-type]
        role=Role.LEARNER,
        consent_kinds=services.SIGNUP_NOTICE_KINDS[Role.LEARNER],
    )
    # A 12-year-old whose guardian has consented through the link and code.
    child = _user("demo_child", Role.LEARNER, "최새봄", _years_ago(ctx, 12))
    services.user_complete_signup(
        user=child,
        full_name=child.full_name,
        birth_date=child.birth_date,  # type: ignore[arg-type]
        role=Role.LEARNER,
        consent_kinds=services.SIGNUP_NOTICE_KINDS[Role.LEARNER],
    )
    guardian = _user("demo_guardian", Role.GUARDIAN, "최보호", dt.date(1982, 6, 15))
    services.user_complete_signup(
        user=guardian,
        full_name=guardian.full_name,
        birth_date=guardian.birth_date,  # type: ignore[arg-type]
        role=Role.GUARDIAN,
        consent_kinds=services.SIGNUP_NOTICE_KINDS[Role.GUARDIAN],
    )
    link = services.guardian_invite(
        learner=child,
        actor=child,
        guardian_name=guardian.full_name,
        relationship="어머니",
        phone="010-5550-0142",
        base_url="http://127.0.0.1:8000",
    )
    # Verify as the guardian would: the code is only known to the phone, so the demo sets a
    # known one through the same hashing the service uses.
    link.code_hash = services._code_hash(link, "123456")
    link.save(update_fields=["code_hash"])
    token = "demo-guardian-link-token"
    link.token_hash = services._token_hash(token)
    link.save(update_fields=["token_hash"])
    services.guardian_link_accept(
        token=token,
        guardian=guardian,
        code="123456",
        consent_kinds=services.GUARDIAN_NOTICE_KINDS,
    )
    # An 11-year-old still waiting for the guardian (the invitation is in the SMS outbox).
    waiting = _user("demo_child2", Role.LEARNER, "한여름", _years_ago(ctx, 11))
    services.user_complete_signup(
        user=waiting,
        full_name=waiting.full_name,
        birth_date=waiting.birth_date,  # type: ignore[arg-type]
        role=Role.LEARNER,
        consent_kinds=services.SIGNUP_NOTICE_KINDS[Role.LEARNER],
    )
    services.guardian_invite(
        learner=waiting,
        actor=waiting,
        guardian_name="한보호",
        relationship="아버지",
        phone="010-5550-0177",
        base_url="http://127.0.0.1:8000",
    )
    ctx.login(Role.LEARNER, "demo_learner", note="16, consented at sign-up")
    ctx.login(Role.LEARNER, "demo_child", note="12, guardian consent verified")
    ctx.login(Role.GUARDIAN, "demo_guardian", note="guardian of demo_child")
    ctx.login(Role.LEARNER, "demo_child2", note="11, guardian invitation pending (see outbox)")
    ctx.shared["accounts"] = {
        "operators": [created["operator"], created["operator2"]],
        "auditor": created["auditor"],
        "demo_learner": teen,
        "demo_child": child,
        "demo_guardian": guardian,
        "demo_child2": waiting,
    }
