from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seoullearn.core.crypto import blind_index
from seoullearn.core.fields import EncryptedTextField
from seoullearn.core.models import BaseModel
from seoullearn.core.roles import MFA_REQUIRED_ROLES, Role
from seoullearn.core.timeutil import age_on, today


class User(AbstractUser):
    """A person using the platform. One role per account.

    ``public_id`` appears in our URLs and APIs; ``pseudonym`` is the only identifier content
    providers and the learning record store ever see (never the name or contact data).
    No resident registration number is stored anywhere.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("역할"), max_length=30, choices=Role.choices, default=Role.LEARNER)
    full_name = models.CharField(_("이름"), max_length=100, blank=True)
    birth_date = models.DateField(_("생년월일"), null=True, blank=True)
    phone = EncryptedTextField(_("휴대전화"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    preferred_language = models.CharField(
        _("언어"), max_length=5, choices=[("ko", "한국어"), ("en", "English")], default="ko"
    )

    class Meta:
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The blind index always follows the (encrypted) phone number it indexes.
        self.phone_index = blind_index(self.phone, purpose="phone") if self.phone else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_index"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def mfa_required(self) -> bool:
        return self.role in MFA_REQUIRED_ROLES

    def age(self, on: dt.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, on or today())

    def is_under(self, years: int, on: dt.date | None = None) -> bool:
        age = self.age(on)
        return age is not None and age < years


class SchoolLevel(models.TextChoices):
    ELEMENTARY = "elementary", _("초등학생")
    MIDDLE = "middle", _("중학생")
    HIGH = "high", _("고등학생")
    OUT_OF_SCHOOL = "out_of_school", _("학교 밖 청소년")
    ADULT = "adult", _("대학생·청년")


class LearnerProfile(BaseModel):
    """What a learner declares about schooling and where they live (not sensitive data)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="learner_profile")
    school_level = models.CharField(
        _("학교급"), max_length=20, choices=SchoolLevel.choices, blank=True
    )
    grade = models.PositiveSmallIntegerField(_("학년"), null=True, blank=True)
    district_code = models.CharField(_("거주 자치구"), max_length=10, blank=True)
    school_name = models.CharField(_("학교"), max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.school_level} {self.grade or ''})"


class ApiToken(BaseModel):
    """A personal API token for scripts. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("이름"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "slt_" + secrets.token_urlsafe(32)


class ConsentNotice(BaseModel):
    """A versioned notice people consent to. A new version needs new consent."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("이용약관")
        PRIVACY = "privacy", _("개인정보 수집·이용")
        SENSITIVE = "sensitive", _("민감정보(복지 자격) 처리")
        LEARNING_DATA = "learning_data", _("학습 데이터 활용")
        PROVIDER_SHARING = "provider_sharing", _("교육업체 가명정보 제공")
        GUARDIAN = "guardian", _("법정대리인 동의")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    version = models.CharField(max_length=20)
    title_ko = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    body_ko = models.TextField()
    body_en = models.TextField()
    effective_from = models.DateField()
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="uniq_notice_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "ko").startswith("en") else self.title_ko

    @property
    def body(self) -> str:
        return self.body_en if (get_language() or "ko").startswith("en") else self.body_ko


class ConsentRecord(BaseModel):
    """Who consented to which notice version for whom, when and how it was verified."""

    class Method(models.TextChoices):
        SELF = "self", _("본인 동의")
        GUARDIAN_LINK = "guardian_link", _("보호자 동의 링크 + 휴대전화 인증")
        GUARDIAN_IN_PERSON = "guardian_in_person", _("보호자 방문·서면 동의 (운영자 확인)")

    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    given_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="consents_given")
    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="records")
    method = models.CharField(max_length=30, choices=Method.choices)
    verification = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["subject", "notice"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "notice"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_consent_per_notice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.notice}"

    SUPERSEDED = "superseded by guardian consent"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_superseded(self) -> bool:
        """Replaced by a guardian's consent to the same notice (consent continued)."""
        return self.withdrawn_at is not None and self.withdrawal_reason == self.SUPERSEDED


class GuardianLink(BaseModel):
    """A guardian invited by (or for) a learner. Verified when the guardian accepts the
    invitation link and confirms the code sent to the contact the learner named."""

    class Status(models.TextChoices):
        INVITED = "invited", _("초대됨")
        VERIFIED = "verified", _("확인됨")
        REVOKED = "revoked", _("해제됨")
        EXPIRED = "expired", _("만료됨")

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="children_links"
    )
    relationship = models.CharField(_("관계"), max_length=30)
    guardian_name = EncryptedTextField(_("보호자 이름"), blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED)
    contact = EncryptedTextField(_("보호자 연락처"))
    contact_index = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=30)
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_count = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "guardian"],
                condition=models.Q(status="verified"),
                name="one_verified_link_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian or self.contact_index[:8]} → {self.learner} ({self.status})"
