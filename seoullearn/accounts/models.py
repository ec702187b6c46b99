from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

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
