from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from seoullearn.accounts.models import SchoolLevel
from seoullearn.core.crypto import blind_index
from seoullearn.core.fields import EncryptedFileField, EncryptedJSONField, EncryptedTextField
from seoullearn.core.models import BaseModel
from seoullearn.core.timeutil import today
from seoullearn.eligibility import rules
from seoullearn.eligibility.validators import reject_rrn
from seoullearn.programmes.models import Programme


def category_index(code: str) -> str:
    """Blind index of a welfare category: lets operators filter and count by category while
    the category itself stays encrypted."""
    return blind_index(code, purpose="eligibility.category") if code else ""


class EligibilityPolicy(BaseModel):
    """The eligibility policy of one programme, a document validated by ``rules.Policy``.

    Operators edit it on /backoffice/eligibility/policy/; every change is kept in the history.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="eligibility_policy"
    )
    data = models.JSONField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"policy of {self.programme}"


class Application(BaseModel):
    """A learner's application for membership of a programme (new, or a re-verification).

    Welfare category and household data are encrypted; the category has a blind index so that
    operators can filter and count by it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        SUBMITTED = "submitted", _("제출됨")
        IN_REVIEW = "in_review", _("심사 중")
        INFO_REQUESTED = "info_requested", _("보완 요청")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")
        WITHDRAWN = "withdrawn", _("신청 취소")

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.INFO_REQUESTED)
    DECIDABLE = (Status.SUBMITTED, Status.IN_REVIEW)
    EDITABLE = (Status.DRAFT, Status.INFO_REQUESTED)

    class Kind(models.TextChoices):
        NEW = "new", _("신규 신청")
        RENEWAL = "renewal", _("자격 재확인")

    class Verification(models.TextChoices):
        PENDING = "pending", _("확인 대기")
        AUTO_VERIFIED = "auto_verified", _("자동 확인됨")
        NEEDS_REVIEW = "needs_review", _("직접 확인 필요")
        FAILED = "failed", _("기준 미충족")

    class Step(models.IntegerChoices):
        APPLICANT = 1, _("신청자 정보")
        HOUSEHOLD = 2, _("대상 유형·가구")
        EVIDENCE = 3, _("증빙 서류")
        REVIEW = 4, _("확인·제출")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="eligibility_applications"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEW)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    step = models.PositiveSmallIntegerField(default=0, help_text="last step completed")
    round = models.PositiveSmallIntegerField(default=0, help_text="submissions so far")

    # Step 1: applicant (not sensitive; a snapshot of what the learner declared).
    birth_date = models.DateField(_("생년월일"), null=True, blank=True)
    school_level = models.CharField(
        _("학교급"), max_length=20, choices=SchoolLevel.choices, blank=True
    )
    grade = models.PositiveSmallIntegerField(_("학년"), null=True, blank=True)
    school_name = models.CharField(_("학교명"), max_length=100, blank=True, validators=[reject_rrn])
    district_code = models.CharField(_("거주 자치구"), max_length=10, blank=True, db_index=True)

    # Step 2: category and household (sensitive, encrypted).
    applicant_name = EncryptedTextField(_("신청자 이름"), blank=True, default="")
    category = EncryptedTextField(_("대상 유형"), blank=True, default="")
    category_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    household: Any = EncryptedJSONField(_("가구 정보"), null=True, blank=True)
    applicant_note = EncryptedTextField(
        _("신청자 메모"), blank=True, default="", validators=[reject_rrn]
    )

    # Review.
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    verification = models.CharField(
        max_length=20, choices=Verification.choices, default=Verification.PENDING, db_index=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_applications",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    info_request = models.TextField(_("보완 요청 내용"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_applications",
    )
    decision_reason = models.TextField(_("결정 사유"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "programme"],
                condition=models.Q(
                    status__in=["draft", "submitted", "in_review", "info_requested"]
                ),
                name="one_open_application",
            )
        ]
        indexes = [
            models.Index(fields=["programme", "status", "submitted_at"]),
            models.Index(fields=["status", "verification"]),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.programme} · {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def status_css(self) -> str:
        return {
            "approved": "ok",
            "rejected": "bad",
            "withdrawn": "bad",
            "info_requested": "warn",
        }.get(self.status, "")

    @property
    def verification_css(self) -> str:
        return {"auto_verified": "ok", "needs_review": "warn", "failed": "bad"}.get(
            self.verification, ""
        )

    @property
    def auto_verified(self) -> bool:
        return self.verification == self.Verification.AUTO_VERIFIED

    @property
    def category_label(self) -> str:
        from seoullearn.eligibility.labels import category_label

        return category_label(self.category) if self.category else ""

    @property
    def household_size(self) -> int | None:
        return (self.household or {}).get("size")

    @property
    def monthly_income_krw(self) -> int | None:
        return (self.household or {}).get("monthly_income_krw")

    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        return rules.age_on(self.birth_date, today())


class ApplicationEvent(models.Model):
    """The decision log: every state change of an application with who did it and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("작성 시작")
        SUBMIT = "submit", _("제출")
        RESUBMIT = "resubmit", _("보완 제출")
        VERIFY = "verify", _("자동 확인")
        CLAIM = "claim", _("심사 맡기")
        RELEASE = "release", _("심사 내려놓기")
        APPROVE = "approve", _("승인")
        REJECT = "reject", _("반려")
        REQUEST_INFO = "request_info", _("보완 요청")
        WITHDRAW = "withdraw", _("신청 취소")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class Evidence(BaseModel):
    """An uploaded document, encrypted at rest, served only through a logged view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(
        max_length=40, choices=[(k, v[0]) for k, v in rules.EVIDENCE_KINDS.items()]
    )
    file = EncryptedFileField()
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = EncryptedTextField(blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(default=1, help_text="submission it was added for")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.content_type}, {self.size_bytes} B)"

    @property
    def kind_label(self) -> str:
        from seoullearn.eligibility.labels import evidence_label

        return evidence_label(self.kind)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class VerificationRun(models.Model):
    """What one verifier concluded about one submission of an application."""

    class Outcome(models.TextChoices):
        VERIFIED = "verified", _("확인됨")
        NOT_VERIFIED = "not_verified", _("확인되지 않음")
        INCONCLUSIVE = "inconclusive", _("판단 불가")
        UNAVAILABLE = "unavailable", _("조회 실패")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="verification_runs"
    )
    round = models.PositiveSmallIntegerField()
    verifier = models.CharField(max_length=80)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons: Any = EncryptedJSONField(default=list)
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round", "verifier"], name="one_run_per_verifier_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verifier}: {self.outcome}"

    def reason_objects(self) -> list[rules.Reason]:
        return [rules.Reason.from_dict(r) for r in (self.reasons or [])]


class SandboxWelfareRecord(BaseModel):
    """SANDBOX ONLY: a local stand-in for the national welfare-status registry.

    It answers the same question a government data API would (does this person hold this
    status now?) behind the same ``Verifier`` interface, so development and demos work offline.
    Keyed by a blind index of name + birth date + district; never by a resident registration
    number. Production deployments replace it with a real adapter (see docs).
    """

    person_index = models.CharField(max_length=64, db_index=True)
    categories: Any = EncryptedJSONField(default=list)
    income_pct_of_median: Any = EncryptedJSONField(null=True, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "sandbox welfare record"

    def __str__(self) -> str:
        return f"sandbox record {self.person_index[:10]}"


class Membership(BaseModel):
    """Seoul Learn membership of a learner in one programme, with a term.

    ``active`` and ``grace`` (re-verification overdue, services continue until ``grace_until``)
    count as current; ``expired`` and ``revoked`` end it and release what it held (seats,
    matches) through the ``membership_ended`` signal.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("이용 중")
        GRACE = "grace", _("유예 기간")
        EXPIRED = "expired", _("만료")
        REVOKED = "revoked", _("자격 취소")

    CURRENT = (Status.ACTIVE, Status.GRACE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("만료일"))
    grace_until = models.DateField(_("유예 종료일"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    category = EncryptedTextField(_("대상 유형"), blank=True, default="")
    category_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    district_code = models.CharField(_("거주 자치구"), max_length=10, blank=True, db_index=True)
    school_level = models.CharField(
        _("학교급"), max_length=20, choices=SchoolLevel.choices, blank=True
    )
    reverify_due_on = models.DateField(_("자격 재확인 기한"), null=True, blank=True)
    reminder_sent_for = models.DateField(
        null=True, blank=True, help_text="the due date the last reminder was sent for"
    )
    last_verified_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=models.Q(status__in=["active", "grace"]),
                name="one_current_membership",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["status", "reverify_due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.programme} · {self.status}"

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT and self.ends_on >= today()

    @property
    def category_label(self) -> str:
        from seoullearn.eligibility.labels import category_label

        return category_label(self.category) if self.category else ""

    @property
    def status_css(self) -> str:
        if self.status == self.Status.ACTIVE:
            return "ok"
        return "warn" if self.status == self.Status.GRACE else "bad"


class MembershipEvent(models.Model):
    """Every change of a membership: who, why, from which state to which."""

    class Action(models.TextChoices):
        START = "start", _("시작")
        RENEW = "renew", _("자격 재확인")
        REMIND = "remind", _("재확인 안내")
        GRACE = "grace", _("유예 시작")
        EXPIRE = "expire", _("만료")
        REVOKE = "revoke", _("자격 취소")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    details: Any = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.action}"


class BulkApproval(BaseModel):
    """Approval of every automatically verified application matching a queue filter, run as a
    task with its progress shown to the operator who started it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기 중")
        RUNNING = "running", _("진행 중")
        DONE = "done", _("완료")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    skipped_detail: Any = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"bulk approval {self.public_id} ({self.status})"

    @property
    def processed(self) -> int:
        return self.approved + self.skipped

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE or not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed / self.total))


class ExportJob(BaseModel):
    """A large CSV/XLSX export built by a task; the file is encrypted, downloadable only by the
    operator who asked for it (logged), and deleted after a day."""

    class Kind(models.TextChoices):
        APPLICATIONS = "applications", _("신청서")
        MEMBERS = "members", _("회원")

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기 중")
        RUNNING = "running", _("진행 중")
        DONE = "done", _("완료")
        EXPIRED = "expired", _("만료")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    fmt = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    filters = models.JSONField(default=dict, blank=True)
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = EncryptedFileField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.kind} {self.public_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.created_at:%Y%m%d-%H%M}.{self.fmt}"
