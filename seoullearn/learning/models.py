"""The learner's own workspace: goals and profile, weekly plans, portfolio and share links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seoullearn.core.fields import EncryptedFileField
from seoullearn.core.models import BaseModel


class Purpose(models.TextChoices):
    SCHOOL_GRADES = "school_grades", _("학교 성적 향상")
    GED = "ged", _("검정고시")
    CERTIFICATE = "certificate", _("자격증")
    ADMISSION = "admission", _("진학(입시)")
    CAREER = "career", _("진로·취업")


class Subject(models.TextChoices):
    KOREAN = "korean", _("국어")
    MATH = "math", _("수학")
    ENGLISH = "english", _("영어")
    SCIENCE = "science", _("과학")
    SOCIAL = "social", _("사회")
    HISTORY = "history", _("한국사")
    CODING = "coding", _("코딩·정보")
    READING = "reading", _("독서")
    CERTIFICATE = "certificate", _("자격증 과목")
    GENERAL = "general", _("복습·종합")


class LearningStyle(models.TextChoices):
    VISUAL = "visual", _("영상·그림으로 볼 때 잘 배워요")
    AUDITORY = "auditory", _("듣고 말하며 잘 배워요")
    READING = "reading", _("읽고 정리하며 잘 배워요")
    KINESTHETIC = "kinesthetic", _("직접 풀고 해 보며 잘 배워요")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class LearningProfile(BaseModel):
    """What the learner tells about their aims, style and free time (self-reported)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_profile"
    )
    purposes = models.JSONField(_("학습 목적"), default=list)
    subjects = models.JSONField(_("공부할 과목"), default=list)
    interests = models.CharField(_("관심 분야"), max_length=300, blank=True)
    desired_major = models.CharField(_("희망 전공"), max_length=100, blank=True)
    desired_job = models.CharField(_("희망 직업"), max_length=100, blank=True)
    learning_style = models.CharField(
        _("학습 스타일"), max_length=20, choices=LearningStyle.choices, blank=True
    )
    session_minutes = models.PositiveSmallIntegerField(_("한 번에 공부하는 시간(분)"), default=40)
    minutes_mon = models.PositiveSmallIntegerField(_("월요일"), default=0)
    minutes_tue = models.PositiveSmallIntegerField(_("화요일"), default=0)
    minutes_wed = models.PositiveSmallIntegerField(_("수요일"), default=0)
    minutes_thu = models.PositiveSmallIntegerField(_("목요일"), default=0)
    minutes_fri = models.PositiveSmallIntegerField(_("금요일"), default=0)
    minutes_sat = models.PositiveSmallIntegerField(_("토요일"), default=0)
    minutes_sun = models.PositiveSmallIntegerField(_("일요일"), default=0)
    reminders_enabled = models.BooleanField(_("학습 알림 받기"), default=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} profile"

    @property
    def availability(self) -> tuple[int, int, int, int, int, int, int]:
        return (
            self.minutes_mon,
            self.minutes_tue,
            self.minutes_wed,
            self.minutes_thu,
            self.minutes_fri,
            self.minutes_sat,
            self.minutes_sun,
        )

    @property
    def weekly_minutes(self) -> int:
        return sum(self.availability)


class Goal(BaseModel):
    """A measurable goal; attainment is computed from progress."""

    class Metric(models.TextChoices):
        WEEKLY_MINUTES = "weekly_minutes", _("주간 학습 시간(분)")
        ACTIVE_DAYS = "active_days", _("주간 학습일 수")
        COMPLETIONS = "completions", _("완료한 학습 수")
        ASSESSMENT = "assessment", _("평가 평균 점수")

    class Status(models.TextChoices):
        ACTIVE = "active", _("진행 중")
        ACHIEVED = "achieved", _("달성")
        DROPPED = "dropped", _("내려놓음")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_goals"
    )
    title = models.CharField(_("목표"), max_length=150)
    purpose = models.CharField(_("목적"), max_length=20, choices=Purpose.choices)
    subject = models.CharField(_("과목"), max_length=20, choices=Subject.choices, blank=True)
    metric = models.CharField(_("측정 방법"), max_length=20, choices=Metric.choices)
    target_value = models.PositiveIntegerField(_("목표 값"))
    due_on = models.DateField(_("목표일"), null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["status", "due_on", "title"]

    def __str__(self) -> str:
        return self.title


class LearningPlan(BaseModel):
    """One learner's plan for one week (Monday first). Re-planning replaces the open items."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_plans"
    )
    week_start = models.DateField()
    pace = models.CharField(max_length=20)
    load_percent = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    suggestions = models.JSONField(default=list)
    generated_at = models.DateTimeField()
    generated_by = models.CharField(max_length=20, default="learner")  # learner, schedule

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "week_start"], name="one_plan_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.learner} {self.week_start}"


class PlanItem(BaseModel):
    class Kind(models.TextChoices):
        STUDY = "study", _("공부")
        REVIEW = "review", _("복습")
        MENTORING = "mentoring", _("멘토링")
        CONSULTING = "consulting", _("상담")
        LECTURE = "lecture", _("특강")
        CAREER = "career", _("진로 프로그램")
        OWN = "own", _("내가 추가한 일")

    plan = models.ForeignKey(LearningPlan, on_delete=models.CASCADE, related_name="items")
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=20, choices=Subject.choices, blank=True)
    offering_key = models.CharField(max_length=60, blank=True)
    mode = models.CharField(max_length=20, blank=True)
    fixed = models.BooleanField(default=False)
    ref = models.CharField(max_length=80, blank=True)
    reasons = models.JSONField(default=list)
    edited = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "-fixed", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.minutes}'"

    @property
    def done(self) -> bool:
        return self.done_at is not None


class PlanComment(BaseModel):
    plan = models.ForeignKey(LearningPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("의견"))

    class Meta:
        ordering = ["created_at"]


class PortfolioEntry(BaseModel):
    """An achievement. Entries that come from platform records are verified; certificates the
    learner adds carry an evidence file and become verified when an operator checks them."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("학습 완료")
        ASSESSMENT = "assessment", _("평가 결과")
        MENTORING = "mentoring", _("멘토링")
        CONSULTING = "consulting", _("상담")
        CAREER = "career", _("진로 프로그램")
        LECTURE = "lecture", _("특강")
        CERTIFICATE = "certificate", _("자격증")

    class Verification(models.TextChoices):
        VERIFIED = "verified", _("확인됨")
        PENDING = "pending", _("확인 중")
        REJECTED = "rejected", _("확인 불가")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_entries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_key = models.CharField(max_length=200)
    title = models.CharField(_("제목"), max_length=200)
    detail = models.TextField(_("내용"), blank=True)
    occurred_on = models.DateField(_("날짜"))
    evidence = models.CharField(_("근거"), max_length=300)
    evidence_file = EncryptedFileField(blank=True, default="")
    evidence_content_type = models.CharField(max_length=100, blank=True)
    verification = models.CharField(
        max_length=20, choices=Verification.choices, default=Verification.VERIFIED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_note = models.CharField(max_length=300, blank=True)
    included = models.BooleanField(_("포트폴리오에 넣기"), default=False)
    reflection = models.TextField(_("나의 성찰"), blank=True)

    class Meta:
        ordering = ["-occurred_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "source_key"], name="uniq_portfolio_source")
        ]

    def __str__(self) -> str:
        return self.title


class PortfolioShare(BaseModel):
    """A share link for schools or employers: signed, expiring, revocable, every open logged."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_shares"
    )
    recipient = models.CharField(_("받는 곳"), max_length=100)
    expires_at = models.DateTimeField(_("만료"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.learner} → {self.recipient}"
