"""Seats at content providers: contracts, selections, seats, budget ledger, usage, SSO."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings
from simple_history.models import HistoricalRecords

from seoullearn.catalog.models import Offering, Provider
from seoullearn.core.fields import EncryptedTextField
from seoullearn.core.models import BaseModel
from seoullearn.eligibility.models import Membership
from seoullearn.programmes.models import Programme


class ProviderEndpoint(BaseModel):
    """How the platform reaches a provider: base URL of its API and the shared HMAC secret."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="endpoint")
    base_url = models.URLField(_("API 주소"))
    key_id = models.CharField(_("키 ID"), max_length=64)
    secret = EncryptedTextField(_("서명 비밀키"))
    timeout_seconds = models.FloatField(_("응답 제한 시간(초)"), default=5.0)
    is_enabled = models.BooleanField(_("연동 사용"), default=True)

    def __str__(self) -> str:
        return f"{self.provider.code} → {self.base_url}"


class ProviderStaff(BaseModel):
    """Links a provider_staff user to the one provider whose data they may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_staff"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider.code}"


class ProviderApiClient(BaseModel):
    """An OAuth2 client-credentials application owned by a provider (scope "provider")."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="provider_client"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="api_clients")

    def __str__(self) -> str:
        return f"{self.application.client_id} @ {self.provider.code}"


class Contract(BaseModel):
    """A provider's contract in one programme: seats, price per seat-month, period."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="contracts")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    seat_capacity = models.PositiveIntegerField(_("좌석 수"))
    price_per_seat_month_krw = models.PositiveIntegerField(
        _("좌석당 월 단가(원)"), validators=[MinValueValidator(1)]
    )
    starts_on = models.DateField(_("계약 시작일"))
    ends_on = models.DateField(_("계약 종료일"))
    note = models.CharField(_("비고"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name_ko"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "provider"], name="uniq_contract"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.programme}"


class Selection(BaseModel):
    """A member's choice of an offering: waiting for a seat, pending provisioning, active, ended."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("대기")
        PENDING = "pending", _("연결 중")
        ACTIVE = "active", _("이용 중")
        ENDED = "ended", _("종료")

    class EndReason(models.TextChoices):
        CANCELLED = "cancelled", _("회원 취소")
        SWITCHED = "switched", _("다른 과정으로 변경")
        IDLE = "idle", _("미사용 좌석 회수")
        MEMBERSHIP_ENDED = "membership_ended", _("회원 자격 종료")
        OPERATOR = "operator", _("운영자 조치")

    HELD = (Status.WAITING, Status.PENDING, Status.ACTIVE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="selections"
    )
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="selections")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="selections")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="selections")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="selections")
    status = models.CharField(max_length=20, choices=Status.choices)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    counts_as_switch = models.BooleanField(default=False)
    selected_on = models.DateField()
    waiting_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text="the day the policy counts")
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "offering"],
                condition=models.Q(status__in=["waiting", "pending", "active"]),
                name="one_held_selection_per_offering",
            )
        ]
        indexes = [
            models.Index(fields=["contract", "status", "waiting_since"]),
            models.Index(fields=["user", "programme", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.offering} ({self.status})"

    @property
    def is_held(self) -> bool:
        return self.status in self.HELD


class Seat(BaseModel):
    """A place under a contract held by one selection, and the account at the provider."""

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("계정 생성 중")
        ACTIVE = "active", _("사용 중")
        FAILED = "failed", _("계정 생성 실패")
        RELEASED = "released", _("반납")

    class AccountState(models.TextChoices):
        NONE = "", _("없음")
        OPEN = "open", _("열림")
        SUSPENDED = "suspended", _("정지")
        CLOSING = "closing", _("해지 중")
        CLOSED = "closed", _("해지")

    OCCUPYING = (Status.PROVISIONING, Status.ACTIVE, Status.FAILED)

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="seats")
    selection = models.OneToOneField(Selection, on_delete=models.PROTECT, related_name="seat")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_account_id = models.CharField(max_length=100, blank=True)
    account_state = models.CharField(
        max_length=20, choices=AccountState.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField()
    provisioned_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    idle_notice_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["contract", "status"]),
            models.Index(fields=["status", "last_activity_at"]),
        ]

    def __str__(self) -> str:
        return f"seat {self.public_id} ({self.status})"

    @property
    def occupies(self) -> bool:
        return self.status in self.OCCUPYING


class BudgetEntry(BaseModel):
    """The content-budget ledger: commitments when seats are taken, negative commitments when
    they are released early, and monthly spend for every month a seat was held."""

    class Kind(models.TextChoices):
        COMMIT = "commit", _("약정")
        RELEASE = "release", _("약정 해제")
        SPEND = "spend", _("집행")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="ledger")
    seat = models.ForeignKey(Seat, null=True, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_krw = models.BigIntegerField()
    month = models.DateField(null=True, blank=True, help_text="first day of the month (spend)")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "month"],
                condition=models.Q(kind="spend"),
                name="one_spend_per_seat_month",
            ),
            models.UniqueConstraint(
                fields=["seat", "kind"],
                condition=models.Q(kind__in=["commit", "release"]),
                name="one_commit_release_per_seat",
            ),
        ]
        indexes = [models.Index(fields=["programme", "provider", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_krw} ({self.provider_id})"


class UsageReport(BaseModel):
    """A daily usage report received from a provider (API JSON, CSV upload or pulled)."""

    class Source(models.TextChoices):
        JSON = "json", _("API(JSON)")
        CSV = "csv", _("CSV 업로드")
        PULL = "pull", _("플랫폼 수집")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="usage_reports")
    source = models.CharField(max_length=10, choices=Source.choices)
    content_hash = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_label = models.CharField(max_length=100, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "content_hash"], name="uniq_usage_report")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.source} {self.created_at:%Y-%m-%d}"


class UsageRecord(BaseModel):
    """A learner's usage on one day at one provider (the latest report for the day wins)."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="usage")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    minutes = models.PositiveIntegerField(default=0)
    lessons_completed = models.PositiveIntegerField(default=0)
    report = models.ForeignKey(
        UsageReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["seat", "day"], name="uniq_usage_day")]
        indexes = [models.Index(fields=["provider", "day"])]

    def __str__(self) -> str:
        return f"{self.seat_id} {self.day} {self.minutes}m"


class UsageEvent(BaseModel):
    """A learning event a provider pushed (callback); duplicates are ignored by event id."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="uniq_usage_event")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.event_id}"


class SigningKey(BaseModel):
    """An RS256 key pair for single sign-on. The active key signs; retired keys stay in the
    JWKS until ``retired_at`` + the token lifetime so that launches in flight still verify."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = EncryptedTextField()
    public_jwk = models.JSONField()
    is_active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class SsoLaunch(BaseModel):
    """One single sign-on launch: its nonce and token id are single use."""

    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="launches")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nonce = models.CharField(max_length=64, unique=True)
    jti = models.CharField(max_length=64, unique=True)
    kid = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"launch {self.jti}"
