from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seoullearn.accounts import selectors, services
from seoullearn.accounts.models import ApiToken, ConsentRecord, GuardianLink, LearnerProfile, User
from seoullearn.accounts.signals import consent_withdrawn
from seoullearn.accounts.tests.conftest import invite, link_guardian, years_ago
from seoullearn.accounts.tests.factories import LearnerFactory, OperatorFactory, UserFactory
from seoullearn.core.crypto import blind_index
from seoullearn.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from seoullearn.core.models import OutboundMessage
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now

Kind = services.Kind
pytestmark = pytest.mark.django_db


# --- sign-up and profile -------------------------------------------------------------------


def test_signup_records_self_consents_and_creates_learner_profile() -> None:
    user: User = UserFactory(username="new", role=Role.LEARNER, birth_date=None)  # type: ignore[assignment]
    services.user_complete_signup(
        user=user,
        full_name=" 홍길동 ",
        birth_date=years_ago(15),
        role=Role.LEARNER,
        consent_kinds=[Kind.TERMS, Kind.PRIVACY, Kind.SENSITIVE, Kind.PROVIDER_SHARING],
        ip_address="10.0.0.1",
    )
    user.refresh_from_db()
    assert user.full_name == "홍길동"
    assert LearnerProfile.objects.filter(user=user).exists()
    records = ConsentRecord.objects.filter(subject=user)
    assert {r.notice.kind for r in records} == {
        Kind.TERMS,
        Kind.PRIVACY,
        Kind.SENSITIVE,
        Kind.PROVIDER_SHARING,
    }
    assert all(r.method == "self" and r.given_by == user and r.ip_address for r in records)


def test_signup_refuses_missing_required_consent_and_staff_roles() -> None:
    user = UserFactory(username="new2")
    with pytest.raises(InvalidInput) as exc:
        services.user_complete_signup(
            user=user,
            full_name="a",
            birth_date=years_ago(15),
            role=Role.LEARNER,
            consent_kinds=[Kind.TERMS],
        )
    assert set(exc.value.details["missing"]) == {
        Kind.PRIVACY,
        Kind.SENSITIVE,
        Kind.PROVIDER_SHARING,
    }
    with pytest.raises(PermissionDenied):
        services.user_complete_signup(
            user=user, full_name="a", birth_date=years_ago(30), role=Role.OPERATOR, consent_kinds=[]
        )


@pytest.mark.parametrize(
    ("role", "birth", "code"),
    [
        (Role.LEARNER, dt.date(2999, 1, 1), "birth_date_in_future"),
        (Role.LEARNER, dt.date(1890, 1, 1), "birth_date_implausible"),
        (Role.GUARDIAN, None, "birth_date_required"),
        (Role.GUARDIAN, "17", "guardian_too_young"),
        (Role.MENTOR, "16", "mentor_too_young"),
    ],
)
def test_birth_date_validation(role: str, birth: Any, code: str) -> None:
    if isinstance(birth, str):
        birth = years_ago(int(birth))
    with pytest.raises(InvalidInput) as exc:
        services.validate_birth_date(role=role, birth_date=birth)
    assert exc.value.code == code


def test_profile_update_encrypts_phone_and_keeps_blind_index_in_sync(learner: User) -> None:
    services.user_update_profile(
        user=learner, actor=learner, full_name="새이름", phone="010 9876-5432"
    )
    learner.refresh_from_db()
    assert learner.phone == "01098765432"
    assert learner.phone_index == blind_index("010-9876-5432", purpose="phone")
    assert User.objects.filter(phone_index=selectors.phone_index("01098765432")).get() == learner
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [learner.pk])
        raw = cursor.fetchone()[0]
    assert "9876" not in raw
    services.user_update_profile(user=learner, actor=learner, full_name="새이름", phone="")
    learner.refresh_from_db()
    assert learner.phone == "" and learner.phone_index == ""


def test_profile_update_refuses_other_people_and_bad_input(learner: User, child: User) -> None:
    with pytest.raises(PermissionDenied):
        services.user_update_profile(user=learner, actor=child, full_name="x")
    with pytest.raises(InvalidInput) as exc:
        services.user_update_profile(user=learner, actor=learner, full_name="x", phone="12345")
    assert exc.value.code == "invalid_phone"
    with pytest.raises(InvalidInput):
        services.user_update_profile(user=learner, actor=learner, full_name="   ")
    with pytest.raises(InvalidInput):
        services.user_update_profile(
            user=learner, actor=learner, full_name="x", preferred_language="fr"
        )


@given(st.text(max_size=20))
@settings(max_examples=60, deadline=None)
def test_normalise_mobile_accepts_only_korean_mobile_numbers(value: str) -> None:
    try:
        digits = services.normalise_mobile(value)
    except InvalidInput:
        return
    assert digits.isdigit() and digits.startswith("01") and len(digits) in (10, 11)


def test_learner_profile_update_validates_grade_and_district(learner: User, guardian: User) -> None:
    from seoullearn.programmes.models import District

    code = District.objects.first().code
    profile = services.learner_profile_update(
        user=learner, actor=learner, school_level="middle", grade=2, district_code=code
    )
    assert profile.grade == 2 and profile.district_code == code
    with pytest.raises(InvalidInput) as exc:
        services.learner_profile_update(
            user=learner, actor=learner, school_level="middle", grade=5, district_code=code
        )
    assert exc.value.code == "invalid_grade"
    with pytest.raises(InvalidInput) as exc:
        services.learner_profile_update(
            user=learner, actor=learner, school_level="high", grade=1, district_code="99999"
        )
    assert exc.value.code == "invalid_district"
    with pytest.raises(InvalidInput):
        services.learner_profile_update(
            user=learner, actor=learner, school_level="adult", grade=1, district_code=code
        )
    with pytest.raises(PermissionDenied):
        services.learner_profile_update(
            user=guardian, actor=guardian, school_level="", grade=None, district_code=""
        )


# --- staff and tokens ----------------------------------------------------------------------


def test_staff_user_create_by_operator_only(operator: User, learner: User) -> None:
    user, password = services.staff_user_create(
        actor=operator, username="Auditor2", email="a2@example.org", role=Role.AUDITOR
    )
    assert user.username == "auditor2" and user.check_password(password)
    assert user.mfa_required
    with pytest.raises(PermissionDenied):
        services.staff_user_create(
            actor=learner, username="x123", email="x@example.org", role=Role.CONSULTANT
        )
    with pytest.raises(InvalidInput):
        services.staff_user_create(
            actor=operator, username="x123", email="x@example.org", role=Role.LEARNER
        )
    with pytest.raises(Conflict):
        services.staff_user_create(
            actor=operator, username="auditor2", email="new@example.org", role=Role.AUDITOR
        )
    with pytest.raises(InvalidInput):
        services.staff_user_create(
            actor=operator,
            username="y123",
            email="y@example.org",
            role=Role.AUDITOR,
            password="1234",
        )


def test_api_token_create_hash_only_and_revoke(learner: User, child: User) -> None:
    token, raw = services.api_token_create(user=learner, name="script", expires_in_days=30)
    assert raw.startswith("slt_") and token.token_hash == ApiToken.hash(raw)
    assert raw not in {token.token_hash, token.prefix} and token.prefix == raw[:8]
    with pytest.raises(NotFound):
        services.api_token_revoke(token=token, actor=child)
    services.api_token_revoke(token=token, actor=learner)
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(InvalidInput):
        services.api_token_create(user=learner, name=" ", expires_in_days=30)
    with pytest.raises(InvalidInput):
        services.api_token_create(user=learner, name="x", expires_in_days=400)


def test_staff_token_needs_mfa(operator: User) -> None:
    bare = OperatorFactory(username="nomfa")
    with pytest.raises(PermissionDenied) as exc:
        services.api_token_create(user=bare, name="x")
    assert exc.value.code == "mfa_required"
    assert services.api_token_create(user=operator, name="x")[1].startswith("slt_")


# --- consent -------------------------------------------------------------------------------


def test_withdraw_sends_signal_after_commit(
    learner: User, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[ConsentRecord] = []

    def listener(sender: Any, record: ConsentRecord, **kwargs: Any) -> None:
        received.append(record)

    consent_withdrawn.connect(listener)
    try:
        record = ConsentRecord.objects.get(subject=learner, notice__kind=Kind.LEARNING_DATA)
        with django_capture_on_commit_callbacks(execute=True):
            services.consent_withdraw(record=record, actor=learner, reason="더 이상 원하지 않음")
    finally:
        consent_withdrawn.disconnect(listener)
    assert [r.pk for r in received] == [record.pk]
    record.refresh_from_db()
    assert record.withdrawn_by == learner and record.withdrawal_reason == "더 이상 원하지 않음"
    with pytest.raises(Conflict):
        services.consent_withdraw(record=record, actor=learner, reason="again")


def test_withdraw_needs_reason_and_owner(learner: User, child: User) -> None:
    record = ConsentRecord.objects.filter(subject=learner).first()
    with pytest.raises(InvalidInput):
        services.consent_withdraw(record=record, actor=learner, reason="  ")
    with pytest.raises(NotFound):
        services.consent_withdraw(record=record, actor=child, reason="x")


def test_consent_give_is_idempotent_and_guardian_notice_not_self(learner: User) -> None:
    notice = selectors.current_notice(Kind.TERMS)
    first = services.consent_give(subject=learner, given_by=learner, notice=notice, method="self")
    again = services.consent_give(subject=learner, given_by=learner, notice=notice, method="self")
    assert first.pk == again.pk
    with pytest.raises(InvalidInput):
        services.consent_give(
            subject=learner,
            given_by=learner,
            notice=selectors.current_notice(Kind.GUARDIAN),
            method="self",
        )


def test_in_person_consent_by_operator_makes_child_eligible(operator: User, child: User) -> None:
    assert not selectors.may_apply(child)
    records = services.consent_record_in_person(
        operator=operator, learner=child, relationship="아버지", reason="주민센터 방문 확인"
    )
    assert records[0].notice.kind == Kind.GUARDIAN
    assert all(r.method == "guardian_in_person" and r.given_by == operator for r in records)
    assert selectors.may_apply(child)
    with pytest.raises(InvalidInput):
        services.consent_record_in_person(
            operator=operator, learner=child, relationship="", reason=""
        )
    with pytest.raises(PermissionDenied):
        services.consent_record_in_person(
            operator=child, learner=child, relationship="x", reason="y"
        )


# --- guardian links ------------------------------------------------------------------------


def test_invitation_stores_only_hashes_and_sends_two_sms(child: User) -> None:
    link, token, code = invite(child)
    assert len(code) == 6 and code.isdigit()
    assert token not in link.token_hash and link.code_hash != code
    assert link.contact == "01012345678" and link.channel == "sms_sandbox"
    assert link.expires_at - now() > dt.timedelta(hours=71)
    messages = OutboundMessage.objects.filter(purpose__startswith="guardian_")
    assert messages.count() == 2 and all(m.recipient == "01012345678" for m in messages)


def test_full_guardian_flow_makes_child_eligible(child: User, guardian: User) -> None:
    assert selectors.needs_guardian_consent(child) and not selectors.may_apply(child)
    link = link_guardian(child, guardian)
    assert link.status == GuardianLink.Status.VERIFIED and link.guardian == guardian
    assert selectors.is_guardian_of(guardian, child)
    assert selectors.guardian_consent_verified(child) and selectors.may_apply(child)
    # The guardian's consents replaced the child's own for the same notices.
    active = ConsentRecord.objects.filter(subject=child, withdrawn_at__isnull=True)
    assert {r.method for r in active} == {"guardian_link"}
    replaced = ConsentRecord.objects.filter(subject=child, method="self")
    assert replaced.exists() and all(r.is_superseded for r in replaced)
    guardian.refresh_from_db()
    assert guardian.phone == "01012345678"


def test_wrong_code_counts_attempts_and_locks(child: User, guardian: User) -> None:
    _link, token, code = invite(child)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(services.GUARDIAN_CODE_MAX_ATTEMPTS):
        with pytest.raises(InvalidInput) as exc:
            services.guardian_link_accept(
                token=token, guardian=guardian, code=wrong, consent_kinds=[Kind.GUARDIAN]
            )
        assert (
            exc.value.details["remaining_attempts"]
            == services.GUARDIAN_CODE_MAX_ATTEMPTS - attempt - 1
        )
    with pytest.raises(Conflict) as exc2:
        services.guardian_link_accept(
            token=token, guardian=guardian, code=code, consent_kinds=services.GUARDIAN_NOTICE_KINDS
        )
    assert exc2.value.code == "too_many_attempts"
    assert not selectors.may_apply(child)


def test_accept_refuses_non_guardians_expired_and_missing_consent(
    child: User, learner: User, guardian: User
) -> None:
    link, token, code = invite(child)
    with pytest.raises(PermissionDenied):
        services.guardian_link_accept(
            token=token, guardian=learner, code=code, consent_kinds=services.GUARDIAN_NOTICE_KINDS
        )
    with pytest.raises(InvalidInput) as exc:
        services.guardian_link_accept(
            token=token, guardian=guardian, code=code, consent_kinds=[Kind.TERMS]
        )
    assert Kind.GUARDIAN in exc.value.details["missing"]
    GuardianLink.objects.filter(pk=link.pk).update(expires_at=now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict) as exc2:
        services.guardian_link_accept(
            token=token, guardian=guardian, code=code, consent_kinds=services.GUARDIAN_NOTICE_KINDS
        )
    assert exc2.value.code == "link_expired"
    with pytest.raises(NotFound):
        services.guardian_link_accept(
            token="nope-nope-nope", guardian=guardian, code=code, consent_kinds=[]
        )


def test_resend_replaces_token_and_code(child: User, guardian: User) -> None:
    link, old_token, _old_code = invite(child)
    GuardianLink.objects.filter(pk=link.pk).update(expires_at=now() - dt.timedelta(hours=1))
    services.guardian_links_expire()
    link.refresh_from_db()
    assert link.status == GuardianLink.Status.EXPIRED
    services.guardian_link_resend(link=link, actor=child, base_url="http://testserver")
    new_token = (
        OutboundMessage.objects.filter(purpose="guardian_invitation")
        .order_by("-id")
        .first()
        .body.rsplit("/guardian/accept/", 1)[1]
        .strip()
        .rstrip("/")
    )
    assert new_token != old_token
    with pytest.raises(NotFound):
        services.guardian_link_by_token(old_token)
    link.refresh_from_db()
    assert link.status == GuardianLink.Status.INVITED and link.sent_count == 2
    with pytest.raises(NotFound):
        services.guardian_link_resend(link=link, actor=guardian, base_url="http://testserver")


def test_invitation_rate_limit_and_validation(child: User, learner: User) -> None:
    with pytest.raises(InvalidInput):
        services.guardian_invite(
            learner=child,
            actor=child,
            guardian_name="",
            relationship="어머니",
            phone="01012345678",
            base_url="",
        )
    with pytest.raises(InvalidInput):
        services.guardian_invite(
            learner=child,
            actor=child,
            guardian_name="a",
            relationship="어머니",
            phone="02-123-4567",
            base_url="",
        )
    with pytest.raises(PermissionDenied):
        services.guardian_invite(
            learner=child,
            actor=learner,
            guardian_name="a",
            relationship="어머니",
            phone="01012345678",
            base_url="",
        )
    for i in range(services.GUARDIAN_INVITES_PER_DAY):
        services.guardian_invite(
            learner=child,
            actor=child,
            guardian_name="a",
            relationship="어머니",
            phone=f"0101234567{i}",
            base_url="",
        )
    with pytest.raises(Conflict) as exc:
        services.guardian_invite(
            learner=child,
            actor=child,
            guardian_name="a",
            relationship="어머니",
            phone="01099998888",
            base_url="",
        )
    assert exc.value.code == "too_many_invitations"


def test_revoking_a_verified_link_withdraws_guardian_consents(
    child: User, guardian: User, django_capture_on_commit_callbacks: Any
) -> None:
    link = link_guardian(child, guardian)
    received: list[str] = []

    def listener(sender: Any, record: ConsentRecord, **kwargs: Any) -> None:
        received.append(record.notice.kind)

    consent_withdrawn.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.guardian_link_revoke(link=link, actor=guardian, reason="잘못 연결")
    finally:
        consent_withdrawn.disconnect(listener)
    assert Kind.GUARDIAN in received
    assert not selectors.may_apply(child) and not selectors.is_guardian_of(guardian, child)
    with pytest.raises(Conflict):
        services.guardian_link_revoke(link=link, actor=guardian, reason="again")


def test_revoke_refuses_strangers(child: User, other_guardian: User) -> None:
    link, _token, _code = invite(child)
    with pytest.raises(NotFound):
        services.guardian_link_revoke(link=link, actor=other_guardian, reason="x")


def test_guardian_withdrawal_blocks_application(child: User, guardian: User) -> None:
    link_guardian(child, guardian)
    record = ConsentRecord.objects.get(
        subject=child, notice__kind=Kind.GUARDIAN, withdrawn_at__isnull=True
    )
    services.consent_withdraw(record=record, actor=guardian, reason="동의 철회")
    assert not selectors.may_apply(child)


def test_learner_over_14_may_apply_without_guardian(learner: User) -> None:
    assert not selectors.needs_guardian_consent(learner) and selectors.may_apply(learner)
    young = LearnerFactory(username="young", birth_date=years_ago(13, days=-5))
    assert selectors.needs_guardian_consent(young)


def test_mfa_enrol_creates_totp_and_recovery_codes(learner: User) -> None:
    from allauth.mfa.models import Authenticator

    services.mfa_totp_enrol(user=learner, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    types = set(Authenticator.objects.filter(user=learner).values_list("type", flat=True))
    assert types == {"totp", "recovery_codes"}
