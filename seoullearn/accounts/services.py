"""Writes about accounts, consent, guardian links and API tokens.

Every function is keyword-only, atomic, checks who may do it and records who did it. Views and
the API call these same functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seoullearn.accounts import selectors
from seoullearn.accounts.channels import guardian_channel
from seoullearn.accounts.models import (
    ApiToken,
    ConsentNotice,
    ConsentRecord,
    GuardianLink,
    LearnerProfile,
    SchoolLevel,
    User,
)
from seoullearn.accounts.signals import consent_withdrawn
from seoullearn.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import SELF_SIGNUP_ROLES, Role
from seoullearn.core.timeutil import age_on, now, today

Kind = ConsentNotice.Kind

# Roles created by operators (never by sign-up).
STAFF_ROLES: tuple[str, ...] = (
    Role.OPERATOR,
    Role.AUDITOR,
    Role.CONSULTANT,
    Role.PROVIDER_STAFF,
    Role.UNIVERSITY_COORDINATOR,
)
# The notices each self-registering role is asked to consent to at sign-up.
SIGNUP_NOTICE_KINDS: dict[str, tuple[str, ...]] = {
    Role.LEARNER: (
        Kind.TERMS,
        Kind.PRIVACY,
        Kind.SENSITIVE,
        Kind.PROVIDER_SHARING,
        Kind.LEARNING_DATA,
    ),
    Role.GUARDIAN: (Kind.TERMS, Kind.PRIVACY),
    Role.MENTOR: (Kind.TERMS, Kind.PRIVACY),
}
# What a guardian consents to on the child's behalf (the guardian notice first).
GUARDIAN_NOTICE_KINDS: tuple[str, ...] = (
    Kind.GUARDIAN,
    Kind.TERMS,
    Kind.PRIVACY,
    Kind.SENSITIVE,
    Kind.PROVIDER_SHARING,
    Kind.LEARNING_DATA,
)
GUARDIAN_LINK_TTL = dt.timedelta(hours=72)
GUARDIAN_CODE_MAX_ATTEMPTS = 5
GUARDIAN_INVITES_PER_DAY = 5
GUARDIAN_MIN_AGE = 19  # 민법 성년
MENTOR_MIN_AGE = 18
API_TOKEN_MAX_DAYS = 365
API_TOKENS_PER_USER = 20

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")


# --- validation helpers --------------------------------------------------------------------


def normalise_mobile(value: str) -> str:
    """A Korean mobile number as digits (``01012345678``), or InvalidInput."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:]
    if not _MOBILE.match(digits):
        raise InvalidInput(
            gettext_lazy("휴대전화 번호는 010-1234-5678 형식으로 입력해 주세요."),
            code="invalid_phone",
            details={"field": "phone"},
        )
    return digits


def format_mobile(digits: str) -> str:
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits


def mask_mobile(digits: str) -> str:
    """``010-****-5678``: enough for a person to recognise their own number."""
    if len(digits) < 8:
        return "***"
    return f"{digits[:3]}-****-{digits[-4:]}"


def validate_birth_date(
    *, role: str, birth_date: dt.date | None, on: dt.date | None = None
) -> None:
    on = on or today()
    if birth_date is None:
        raise InvalidInput(
            gettext_lazy("생년월일을 입력해 주세요."),
            code="birth_date_required",
            details={"field": "birth_date"},
        )
    if birth_date > on:
        raise InvalidInput(
            gettext_lazy("생년월일은 오늘보다 늦을 수 없습니다."),
            code="birth_date_in_future",
            details={"field": "birth_date"},
        )
    age = age_on(birth_date, on)
    if age > 110:
        raise InvalidInput(
            gettext_lazy("생년월일을 다시 확인해 주세요."),
            code="birth_date_implausible",
            details={"field": "birth_date"},
        )
    if role == Role.GUARDIAN and age < GUARDIAN_MIN_AGE:
        raise InvalidInput(
            gettext_lazy("보호자는 만 19세 이상이어야 합니다."),
            code="guardian_too_young",
            details={"field": "birth_date", "min_age": GUARDIAN_MIN_AGE},
        )
    if role == Role.MENTOR and age < MENTOR_MIN_AGE:
        raise InvalidInput(
            gettext_lazy("대학생 멘토는 만 18세 이상이어야 합니다."),
            code="mentor_too_young",
            details={"field": "birth_date", "min_age": MENTOR_MIN_AGE},
        )


def _notice(kind: str) -> ConsentNotice:
    notice = selectors.current_notice(kind)
    if notice is None:
        raise NotFound(gettext_lazy("게시된 고지문이 없습니다."), code="notice_missing")
    return notice


# --- accounts -------------------------------------------------------------------------------


@transaction.atomic
def user_complete_signup(
    *,
    user: User,
    full_name: str,
    birth_date: dt.date,
    role: str,
    consent_kinds: Iterable[str],
    ip_address: str | None = None,
) -> User:
    """Finish a self-registration: name, birth date, role and the consents ticked at sign-up."""
    if role not in SELF_SIGNUP_ROLES:
        raise PermissionDenied(
            gettext_lazy("이 역할은 운영자만 만들 수 있습니다."), code="role_not_self_signup"
        )
    validate_birth_date(role=role, birth_date=birth_date)
    given = set(consent_kinds)
    missing = [
        kind
        for kind in SIGNUP_NOTICE_KINDS[role]
        if kind not in given and (n := selectors.current_notice(kind)) is not None and n.required
    ]
    if missing:
        raise InvalidInput(
            gettext_lazy("필수 동의 항목에 동의해 주세요."),
            code="consent_required",
            details={"missing": missing},
        )
    user.full_name = full_name.strip()
    user.birth_date = birth_date
    user.role = role
    user.save(update_fields=["full_name", "birth_date", "role"])
    if role == Role.LEARNER:
        LearnerProfile.objects.get_or_create(user=user)
    for kind in SIGNUP_NOTICE_KINDS[role]:
        if kind in given:
            consent_give(
                subject=user,
                given_by=user,
                notice=_notice(kind),
                method=ConsentRecord.Method.SELF,
                ip_address=ip_address,
            )
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    actor: User,
    full_name: str,
    phone: str = "",
    preferred_language: str | None = None,
) -> User:
    """A person edits their own name, mobile number and language."""
    if actor.pk != user.pk:
        raise PermissionDenied(gettext_lazy("본인의 정보만 수정할 수 있습니다."), code="not_owner")
    name = full_name.strip()
    if not name:
        raise InvalidInput(
            gettext_lazy("이름을 입력해 주세요."),
            code="name_required",
            details={"field": "full_name"},
        )
    user.full_name = name[:100]
    user.phone = normalise_mobile(phone) if phone.strip() else ""
    fields = ["full_name", "phone"]
    if preferred_language is not None:
        if preferred_language not in {"ko", "en"}:
            raise InvalidInput(
                gettext_lazy("언어는 한국어 또는 English만 고를 수 있습니다."),
                code="invalid_language",
                details={"field": "preferred_language"},
            )
        user.preferred_language = preferred_language
        fields.append("preferred_language")
    user.save(update_fields=fields)  # phone_index follows in User.save
    return user


def _district_codes() -> set[str]:
    # Looked up by name: accounts sits below programmes in the layering and never imports it.
    district = apps.get_model("programmes", "District")
    return set(district.objects.values_list("code", flat=True))


@transaction.atomic
def learner_profile_update(
    *,
    user: User,
    actor: User,
    school_level: str,
    grade: int | None,
    district_code: str,
    school_name: str = "",
) -> LearnerProfile:
    if actor.pk != user.pk:
        raise PermissionDenied(gettext_lazy("본인의 정보만 수정할 수 있습니다."), code="not_owner")
    if user.role != Role.LEARNER:
        raise PermissionDenied(gettext_lazy("학습자만 학교 정보를 입력합니다."), code="wrong_role")
    if school_level and school_level not in SchoolLevel.values:
        raise InvalidInput(
            gettext_lazy("학교급을 목록에서 골라 주세요."),
            code="invalid_school_level",
            details={"field": "school_level"},
        )
    max_grade = {"elementary": 6, "middle": 3, "high": 3}.get(school_level)
    if grade is not None and (grade < 1 or (max_grade is not None and grade > max_grade)):
        raise InvalidInput(
            gettext_lazy("학년이 학교급에 맞지 않습니다."),
            code="invalid_grade",
            details={"field": "grade", "max": max_grade},
        )
    if max_grade is None and grade is not None and school_level:
        raise InvalidInput(
            gettext_lazy("학교 밖 청소년과 대학생·청년은 학년을 비워 두세요."),
            code="grade_not_applicable",
            details={"field": "grade"},
        )
    if district_code and district_code not in _district_codes():
        raise InvalidInput(
            gettext_lazy("거주 자치구를 목록에서 골라 주세요."),
            code="invalid_district",
            details={"field": "district_code"},
        )
    profile, _created = LearnerProfile.objects.select_for_update().get_or_create(user=user)
    profile.school_level = school_level
    profile.grade = grade
    profile.district_code = district_code
    profile.school_name = school_name.strip()[:100]
    profile.save()
    return profile


@transaction.atomic
def staff_user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    role: str,
    full_name: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """An operator creates a staff account. Returns the user and its initial password.

    ``actor`` is None only for the ``create_staff_user`` management command (server access).
    The staff member must enrol TOTP at first login (operators and auditors).
    """
    if actor is not None:
        require_role(actor, Role.OPERATOR)
    if role not in STAFF_ROLES:
        raise InvalidInput(
            gettext_lazy("운영자가 만들 수 있는 역할이 아닙니다."),
            code="not_a_staff_role",
            details={"field": "role", "allowed": list(STAFF_ROLES)},
        )
    username = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9_.@+-]{3,150}", username):
        raise InvalidInput(
            gettext_lazy("아이디는 영문 소문자, 숫자, _.@+- 로 3자 이상 입력해 주세요."),
            code="invalid_username",
            details={"field": "username"},
        )
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(
            gettext_lazy("이메일 주소를 확인해 주세요."),
            code="invalid_email",
            details={"field": "email"},
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            gettext_lazy("이미 사용 중인 아이디입니다."),
            code="username_taken",
            details={"field": "username"},
        )
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            gettext_lazy("이미 사용 중인 이메일입니다."),
            code="email_taken",
            details={"field": "email"},
        )
    initial_password = password or secrets.token_urlsafe(12)
    user = User(
        username=username, email=email, role=role, full_name=full_name.strip(), is_staff=False
    )
    try:
        validate_password(initial_password, user)
    except ValidationError as exc:
        raise InvalidInput(
            gettext_lazy("비밀번호가 보안 기준에 맞지 않습니다."),
            code="weak_password",
            details={"field": "password", "errors": [str(m) for m in exc.messages]},
        ) from exc
    user.set_password(initial_password)
    user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user, initial_password


def mfa_totp_enrol(*, user: User, secret: str, recovery_codes: bool = True) -> None:
    """Enrol a TOTP authenticator with a known secret (demo data and tests only use this;
    people enrol through allauth's page, which shows a fresh secret as a QR code)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    with transaction.atomic():
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(user, secret)
        if (
            recovery_codes
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.RECOVERY_CODES
            ).exists()
        ):
            RecoveryCodes.activate(user)


@transaction.atomic
def mfa_reset(*, operator: User, user: User, reason: str, request: Any = None) -> int:
    """Another operator removes a staff member's authenticators (lost phone, no recovery code).

    The person must enrol again at next sign-in; their API tokens are revoked. Returns the
    number of authenticators removed.
    """
    from allauth.mfa.models import Authenticator

    from seoullearn.core.services import access_log_record

    require_role(operator, Role.OPERATOR)
    if operator.pk == user.pk:
        raise PermissionDenied(
            gettext_lazy("자신의 2단계 인증은 다른 운영자가 초기화해야 합니다."), code="not_self"
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            gettext_lazy("초기화 사유를 입력해 주세요."),
            code="reason_required",
            details={"field": "reason"},
        )
    removed, _detail = Authenticator.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now())
    access_log_record(
        actor=operator,
        subject=user,
        action="update",
        purpose="mfa reset",
        request=request,
        obj=user,
        detail=reason,
    )
    return int(removed)


# --- API tokens -----------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a personal token; the raw token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(
            gettext_lazy("토큰 이름을 입력해 주세요."),
            code="name_required",
            details={"field": "name"},
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= API_TOKEN_MAX_DAYS:
        raise InvalidInput(
            gettext_lazy("유효 기간은 1일부터 365일까지입니다."),
            code="invalid_expiry",
            details={"field": "expires_in_days", "max": API_TOKEN_MAX_DAYS},
        )
    if user.mfa_required and not selectors.has_totp(user):
        raise PermissionDenied(
            gettext_lazy("운영자와 감사자는 2단계 인증을 설정한 뒤에 토큰을 만들 수 있습니다."),
            code="mfa_required",
        )
    if selectors.active_api_tokens(user).count() >= API_TOKENS_PER_USER:
        raise Conflict(
            gettext_lazy("사용 중인 토큰이 너무 많습니다. 쓰지 않는 토큰을 폐기해 주세요."),
            code="too_many_tokens",
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        token_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        expires_at=now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.user_id != actor.pk:
        raise NotFound(gettext_lazy("토큰을 찾을 수 없습니다."), code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


# --- consent --------------------------------------------------------------------------------


def _may_give_for(*, given_by: User, subject: User, method: str) -> bool:
    if method == ConsentRecord.Method.SELF:
        return given_by.pk == subject.pk
    if method == ConsentRecord.Method.GUARDIAN_LINK:
        return selectors.is_guardian_of(given_by, subject)
    if method == ConsentRecord.Method.GUARDIAN_IN_PERSON:
        return given_by.role == Role.OPERATOR
    return False


@transaction.atomic
def consent_give(
    *,
    subject: User,
    given_by: User,
    notice: ConsentNotice,
    method: str,
    ip_address: str | None = None,
    verification: str = "",
) -> ConsentRecord:
    """Record consent to one notice version. Giving an already active consent is a no-op."""
    if not _may_give_for(given_by=given_by, subject=subject, method=method):
        raise PermissionDenied(
            gettext_lazy("이 사람을 대신하여 동의할 수 없습니다."), code="not_allowed_to_consent"
        )
    if notice.kind == Kind.GUARDIAN and method == ConsentRecord.Method.SELF:
        raise InvalidInput(
            gettext_lazy("법정대리인 동의는 보호자만 할 수 있습니다."),
            code="guardian_consent_by_guardian_only",
        )
    existing = (
        ConsentRecord.objects.select_for_update()
        .filter(subject=subject, notice=notice, withdrawn_at__isnull=True)
        .first()
    )
    if existing is not None:
        if existing.method == ConsentRecord.Method.SELF and method != ConsentRecord.Method.SELF:
            # A guardian's consent replaces the child's own: consent continues, so this is
            # not a withdrawal and no withdrawal signal is sent.
            existing.withdrawn_at = now()
            existing.withdrawn_by = given_by
            existing.withdrawal_reason = ConsentRecord.SUPERSEDED
            existing.save(
                update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"]
            )
        else:
            return existing
    try:
        with transaction.atomic():
            return ConsentRecord.objects.create(
                subject=subject,
                given_by=given_by,
                notice=notice,
                method=method,
                verification=verification[:200],
                ip_address=ip_address,
                given_at=now(),
            )
    except IntegrityError:
        # A concurrent request gave the same consent first: the constraint keeps one.
        return ConsentRecord.objects.get(subject=subject, notice=notice, withdrawn_at__isnull=True)


def _withdrawn_signal(record: ConsentRecord) -> Callable[[], None]:
    def send() -> None:
        consent_withdrawn.send(sender=ConsentRecord, record=record)

    return send


def _may_withdraw(*, actor: User, record: ConsentRecord) -> bool:
    if actor.pk == record.subject_id:
        return True
    return selectors.is_guardian_of(actor, record.subject)


@transaction.atomic
def consent_withdraw(*, record: ConsentRecord, actor: User, reason: str) -> ConsentRecord:
    """Withdraw a consent (the person, or a verified guardian for a child); listeners of
    ``accounts.signals.consent_withdrawn`` stop what the consent allowed."""
    if not _may_withdraw(actor=actor, record=record):
        raise NotFound(gettext_lazy("동의 기록을 찾을 수 없습니다."), code="consent_not_found")
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            gettext_lazy("철회 사유를 입력해 주세요."),
            code="reason_required",
            details={"field": "reason"},
        )
    locked = ConsentRecord.objects.select_for_update().get(pk=record.pk)
    if locked.withdrawn_at is not None:
        raise Conflict(gettext_lazy("이미 철회한 동의입니다."), code="already_withdrawn")
    locked.withdrawn_at = now()
    locked.withdrawn_by = actor
    locked.withdrawal_reason = reason[:300]
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    transaction.on_commit(_withdrawn_signal(locked), robust=False)
    return locked


@transaction.atomic
def consent_record_in_person(
    *,
    operator: User,
    learner: User,
    relationship: str,
    reason: str,
    kinds: Iterable[str] = GUARDIAN_NOTICE_KINDS,
    ip_address: str | None = None,
) -> list[ConsentRecord]:
    """An operator records a guardian's consent given in person or on paper."""
    require_role(operator, Role.OPERATOR)
    if learner.role != Role.LEARNER:
        raise InvalidInput(gettext_lazy("학습자에게만 기록할 수 있습니다."), code="not_a_learner")
    relationship = relationship.strip()
    reason = reason.strip()
    if not relationship or not reason:
        raise InvalidInput(
            gettext_lazy("보호자와의 관계와 확인 내용을 모두 입력해 주세요."),
            code="reason_required",
            details={"field": "reason" if relationship else "relationship"},
        )
    kinds = list(kinds)
    if Kind.GUARDIAN not in kinds:
        kinds.insert(0, Kind.GUARDIAN)
    verification = f"in_person:{relationship[:30]}; {reason}"
    return [
        consent_give(
            subject=learner,
            given_by=operator,
            notice=_notice(kind),
            method=ConsentRecord.Method.GUARDIAN_IN_PERSON,
            ip_address=ip_address,
            verification=verification,
        )
        for kind in kinds
    ]


# --- guardian links -------------------------------------------------------------------------


def _code_hash(link: GuardianLink, code: str) -> str:
    key = hashlib.sha256(("guardian-code:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{link.public_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secrets(link: GuardianLink) -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    link.token_hash = _token_hash(token)
    link.code_hash = _code_hash(link, code)
    link.attempts = 0
    link.expires_at = now() + GUARDIAN_LINK_TTL
    return token, code


def _send_invitation(link: GuardianLink, *, token: str, code: str, base_url: str) -> None:
    url = base_url.rstrip("/") + reverse("accounts:guardian_accept", args=[token])
    channel = guardian_channel()
    learner_name = link.learner.display_name
    channel.send(
        recipient=link.contact,
        subject=_("[서울런] 보호자 동의 요청"),
        body=_(
            "[서울런] %(name)s님이 서울런 신청을 위해 보호자 동의를 요청했습니다. "
            "아래 링크를 열어 동의해 주세요(72시간 유효).\n%(url)s"
        )
        % {"name": learner_name, "url": url},
        purpose="guardian_invitation",
    )
    channel.send(
        recipient=link.contact,
        subject=_("[서울런] 보호자 인증번호"),
        body=_(
            "[서울런] 보호자 인증번호 [%(code)s]. 동의 링크를 연 뒤 입력하세요. "
            "다른 사람에게 알려주지 마세요."
        )
        % {"code": code},
        purpose="guardian_code",
    )
    link.channel = channel.name
    link.sent_count += 1
    link.last_sent_at = now()


def _check_invite_rate(learner: User) -> None:
    since = now() - dt.timedelta(days=1)
    sent = sum(
        link.sent_count
        for link in GuardianLink.objects.filter(learner=learner, last_sent_at__gte=since)
    )
    if sent >= GUARDIAN_INVITES_PER_DAY:
        raise Conflict(
            gettext_lazy(
                "하루에 보낼 수 있는 보호자 동의 요청 수를 넘었습니다. 내일 다시 시도해 주세요."
            ),
            code="too_many_invitations",
            details={"per_day": GUARDIAN_INVITES_PER_DAY},
        )


@transaction.atomic
def guardian_invite(
    *,
    learner: User,
    actor: User,
    guardian_name: str,
    relationship: str,
    phone: str,
    base_url: str,
) -> GuardianLink:
    """A learner names a guardian; the link and the 6-digit code go to the guardian's phone."""
    if actor.pk != learner.pk:
        raise PermissionDenied(
            gettext_lazy("본인의 보호자만 초대할 수 있습니다."), code="not_owner"
        )
    if learner.role != Role.LEARNER:
        raise PermissionDenied(
            gettext_lazy("학습자만 보호자를 초대할 수 있습니다."), code="wrong_role"
        )
    name = guardian_name.strip()
    relationship = relationship.strip()
    if not name:
        raise InvalidInput(
            gettext_lazy("보호자 이름을 입력해 주세요."),
            code="name_required",
            details={"field": "guardian_name"},
        )
    if not relationship:
        raise InvalidInput(
            gettext_lazy("보호자와의 관계를 입력해 주세요."),
            code="relationship_required",
            details={"field": "relationship"},
        )
    digits = normalise_mobile(phone)
    if learner.phone and normalise_mobile(learner.phone) == digits:
        raise InvalidInput(
            gettext_lazy("보호자 휴대전화는 학습자 본인의 번호와 달라야 합니다."),
            code="own_phone",
            details={"field": "phone"},
        )
    # Serialise invitations of one learner so the daily limit holds under concurrency.
    User.objects.select_for_update().filter(pk=learner.pk).first()
    _check_invite_rate(learner)
    # An open invitation to the same phone is replaced by the new one.
    GuardianLink.objects.filter(
        learner=learner,
        status=GuardianLink.Status.INVITED,
        contact_index=selectors.phone_index(digits),
    ).update(status=GuardianLink.Status.REVOKED, revoked_at=now(), revoke_reason="replaced")
    link = GuardianLink(
        learner=learner,
        relationship=relationship[:30],
        guardian_name=name[:100],
        contact=digits,
        contact_index=selectors.phone_index(digits),
    )
    token, code = _new_secrets(link)
    _send_invitation(link, token=token, code=code, base_url=base_url)
    link.save()
    return link


@transaction.atomic
def guardian_link_resend(*, link: GuardianLink, actor: User, base_url: str) -> GuardianLink:
    """Send a fresh link and code (the old ones stop working)."""
    if actor.pk != link.learner_id:
        raise NotFound(gettext_lazy("초대를 찾을 수 없습니다."), code="link_not_found")
    locked = GuardianLink.objects.select_for_update().select_related("learner").get(pk=link.pk)
    if locked.status == GuardianLink.Status.EXPIRED or (
        locked.status == GuardianLink.Status.INVITED and locked.expires_at <= now()
    ):
        locked.status = GuardianLink.Status.INVITED
    elif locked.status != GuardianLink.Status.INVITED:
        raise Conflict(
            gettext_lazy("확인되었거나 해제된 초대는 다시 보낼 수 없습니다."),
            code="link_not_open",
            details={"status": locked.status},
        )
    _check_invite_rate(locked.learner)
    token, code = _new_secrets(locked)
    _send_invitation(locked, token=token, code=code, base_url=base_url)
    locked.save()
    return locked


@transaction.atomic
def guardian_link_revoke(*, link: GuardianLink, actor: User, reason: str) -> GuardianLink:
    """The learner, the linked guardian or an operator ends a link. Revoking a verified link
    withdraws the consents that guardian gave for the child."""
    allowed = (
        actor.pk == link.learner_id
        or (link.guardian_id is not None and actor.pk == link.guardian_id)
        or actor.role == Role.OPERATOR
    )
    if not allowed:
        raise NotFound(gettext_lazy("초대를 찾을 수 없습니다."), code="link_not_found")
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            gettext_lazy("해제 사유를 입력해 주세요."),
            code="reason_required",
            details={"field": "reason"},
        )
    locked = GuardianLink.objects.select_for_update().get(pk=link.pk)
    if locked.status == GuardianLink.Status.REVOKED:
        raise Conflict(gettext_lazy("이미 해제된 연결입니다."), code="already_revoked")
    was_verified = locked.status == GuardianLink.Status.VERIFIED
    locked.status = GuardianLink.Status.REVOKED
    locked.revoked_at = now()
    locked.revoked_by = actor
    locked.revoke_reason = reason[:300]
    locked.save()
    if was_verified and locked.guardian is not None:
        records = ConsentRecord.objects.select_for_update().filter(
            subject_id=locked.learner_id, given_by=locked.guardian, withdrawn_at__isnull=True
        )
        for record in records:
            record.withdrawn_at = now()
            record.withdrawn_by = actor
            record.withdrawal_reason = ("guardian link revoked: " + reason)[:300]
            record.save(
                update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"]
            )
            transaction.on_commit(_withdrawn_signal(record), robust=False)
    return locked


def guardian_link_by_token(token: str) -> GuardianLink:
    """The invitation a token opens, or NotFound. Expired links are marked so."""
    link = (
        GuardianLink.objects.select_related("learner", "guardian")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if link is None:
        raise NotFound(
            gettext_lazy("유효하지 않은 동의 링크입니다. 학습자에게 다시 보내 달라고 요청하세요."),
            code="link_not_found",
        )
    if link.status == GuardianLink.Status.INVITED and link.expires_at <= now():
        GuardianLink.objects.filter(pk=link.pk, status=GuardianLink.Status.INVITED).update(
            status=GuardianLink.Status.EXPIRED
        )
        link.status = GuardianLink.Status.EXPIRED
    return link


def guardian_link_accept(
    *,
    token: str,
    guardian: User,
    code: str,
    consent_kinds: Iterable[str],
    ip_address: str | None = None,
) -> GuardianLink:
    """The guardian proves possession of the phone (the code) and consents for the child."""
    wrong_code = False
    with transaction.atomic():
        found = guardian_link_by_token(token)
        link = GuardianLink.objects.select_for_update().select_related("learner").get(pk=found.pk)
        if guardian.role != Role.GUARDIAN:
            raise PermissionDenied(
                gettext_lazy("보호자 계정으로 로그인해야 동의할 수 있습니다."),
                code="guardian_account_required",
            )
        if guardian.pk == link.learner_id:
            raise PermissionDenied(
                gettext_lazy("학습자 본인은 보호자 동의를 할 수 없습니다."), code="self_consent"
            )
        if link.status == GuardianLink.Status.INVITED and link.expires_at <= now():
            link.status = GuardianLink.Status.EXPIRED
            link.save(update_fields=["status", "updated_at"])
        if link.status != GuardianLink.Status.INVITED:
            raise Conflict(
                gettext_lazy(
                    "이 동의 링크는 더 이상 쓸 수 없습니다. 학습자에게 다시 보내 달라고 요청하세요."
                ),
                code=f"link_{link.status}",
                details={"status": link.status},
            )
        if link.attempts >= GUARDIAN_CODE_MAX_ATTEMPTS:
            raise Conflict(
                gettext_lazy("인증번호를 여러 번 틀렸습니다. 학습자에게 새 링크를 요청하세요."),
                code="too_many_attempts",
                details={"max_attempts": GUARDIAN_CODE_MAX_ATTEMPTS},
            )
        code = (code or "").strip()
        if not hmac.compare_digest(_code_hash(link, code), link.code_hash):
            link.attempts += 1
            link.save(update_fields=["attempts", "updated_at"])
            wrong_code = True
            remaining = GUARDIAN_CODE_MAX_ATTEMPTS - link.attempts
        else:
            given = set(consent_kinds)
            required = [
                kind
                for kind in GUARDIAN_NOTICE_KINDS
                if (n := selectors.current_notice(kind)) is not None and n.required
            ]
            missing = [kind for kind in required if kind not in given]
            if missing:
                raise InvalidInput(
                    gettext_lazy("필수 동의 항목에 동의해 주세요."),
                    code="consent_required",
                    details={"missing": missing},
                )
            if GuardianLink.objects.filter(
                learner_id=link.learner_id,
                guardian=guardian,
                status=GuardianLink.Status.VERIFIED,
            ).exists():
                raise Conflict(
                    gettext_lazy("이미 이 학습자의 보호자로 확인되었습니다."), code="already_linked"
                )
            link.guardian = guardian
            link.status = GuardianLink.Status.VERIFIED
            link.verified_at = now()
            link.save()
            if not guardian.phone:
                guardian.phone = link.contact
                guardian.save(update_fields=["phone"])
            verification = f"link:{link.public_id}; code ok; phone {mask_mobile(link.contact)}"
            for kind in GUARDIAN_NOTICE_KINDS:
                if kind in given:
                    consent_give(
                        subject=link.learner,
                        given_by=guardian,
                        notice=_notice(kind),
                        method=ConsentRecord.Method.GUARDIAN_LINK,
                        ip_address=ip_address,
                        verification=verification,
                    )
    if wrong_code:
        raise InvalidInput(
            gettext_lazy("인증번호가 맞지 않습니다. 남은 시도 횟수: %(n)s") % {"n": remaining},
            code="wrong_code",
            details={"field": "code", "remaining_attempts": remaining},
        )
    return link


def guardian_links_expire() -> int:
    """Mark invitations past their expiry as expired (scheduled hourly; idempotent)."""
    return GuardianLink.objects.filter(
        status=GuardianLink.Status.INVITED, expires_at__lte=now()
    ).update(status=GuardianLink.Status.EXPIRED)


def request_ip(request: Any) -> str | None:
    from seoullearn.core.services import client_ip

    return client_ip(request)
