"""The city's own programmes: consulting, the career programme and special lectures.

Quotas, cancellation windows and eligibility bands are rows operators edit per programme, never
constants in code: the city changes them every year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from seoullearn.core.fields import EncryptedFileField, EncryptedTextField
from seoullearn.core.models import BaseModel
from seoullearn.programmes.models import Programme


def _localised(obj: object, base: str) -> str:
    lang = (get_language() or "ko")[:2]
    return str(getattr(obj, f"{base}_en") if lang == "en" else getattr(obj, f"{base}_ko"))


# --- consulting -------------------------------------------------------------------------------


class ConsultingService(BaseModel):
    """A kind of consulting session with its per-learner quota and its rules.

    ``grade_min``/``grade_max`` are school years counted from elementary 1 (middle 1 = 7,
    high 2 = 11, high 3 = 12, graduates and out-of-school applicants = 13).
    """

    class Track(models.TextChoices):
        STUDY = "study", _("학습 전략 컨설팅")
        ADMISSIONS = "admissions", _("입시 컨설팅")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="consulting_services"
    )
    code = models.SlugField(_("코드"))
    track = models.CharField(_("분야"), max_length=20, choices=Track.choices)
    name_ko = models.CharField(_("이름(한국어)"), max_length=100)
    name_en = models.CharField(_("이름(영어)"), max_length=100)
    description_ko = models.TextField(_("설명(한국어)"), blank=True)
    description_en = models.TextField(_("설명(영어)"), blank=True)
    quota_per_learner = models.PositiveSmallIntegerField(_("1인당 횟수"))
    duration_minutes = models.PositiveSmallIntegerField(_("시간(분)"), default=50)
    grade_min = models.PositiveSmallIntegerField(_("대상 학년(시작)"))
    grade_max = models.PositiveSmallIntegerField(_("대상 학년(끝)"))
    cancel_deadline_hours = models.PositiveSmallIntegerField(
        _("무료 취소 마감(시간 전)"), default=24
    )
    late_cancel_uses_quota = models.BooleanField(_("늦은 취소 시 횟수 차감"), default=True)
    no_show_uses_quota = models.BooleanField(_("불참 시 횟수 차감"), default=True)
    no_show_block_days = models.PositiveSmallIntegerField(_("불참 후 예약 제한(일)"), default=14)
    is_active = models.BooleanField(_("운영"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="uniq_consulting_service"),
            models.CheckConstraint(
                condition=models.Q(grade_max__gte=models.F("grade_min")),
                name="consulting_grade_band",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")


class ConsultantSlot(BaseModel):
    """A time a consultant offers. Exactly one active booking may hold it."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("온라인(화상)")
        OFFLINE = "offline", _("대면")

    class Status(models.TextChoices):
        OPEN = "open", _("예약 가능")
        WITHDRAWN = "withdrawn", _("취소됨")

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consulting_slots"
    )
    track = models.CharField(_("분야"), max_length=20, choices=ConsultingService.Track.choices)
    starts_at = models.DateTimeField(_("시작"))
    ends_at = models.DateTimeField(_("종료"))
    mode = models.CharField(_("방식"), max_length=20, choices=Mode.choices, default=Mode.ONLINE)
    location = models.CharField(_("장소 또는 접속 안내"), max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["track", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_times"
            ),
            models.UniqueConstraint(
                fields=["consultant", "starts_at"],
                condition=models.Q(status="open"),
                name="one_open_slot_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} {self.starts_at:%Y-%m-%d %H:%M}"


class ConsultingBooking(BaseModel):
    """A learner's booking of a slot for one service.

    The partial unique constraint on ``slot`` is the last guard that two learners can never both
    hold the same slot; the service also locks the slot row first.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("예약됨")
        CANCELLED = "cancelled", _("취소")
        LATE_CANCELLED = "late_cancelled", _("늦은 취소")
        COMPLETED = "completed", _("완료")
        NO_SHOW = "no_show", _("불참")

    # States that occupy the slot (a late cancellation frees it for someone else).
    SLOT_HOLDING = ("booked", "completed", "no_show")

    slot = models.ForeignKey(ConsultantSlot, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(
        ConsultingService, on_delete=models.PROTECT, related_name="bookings"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consulting_bookings"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    topic = EncryptedTextField(_("상담하고 싶은 내용"), blank=True, default="")
    consultant_note = EncryptedTextField(_("상담 기록(비공개)"), blank=True, default="")
    shared_summary = EncryptedTextField(_("학습자에게 공유할 요약"), blank=True, default="")
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["consultant_note", "shared_summary", "topic"])

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["learner", "service", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(status__in=["booked", "completed", "no_show"]),
                name="one_booking_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.service} · {self.status}"


class ConsultingSurvey(BaseModel):
    booking = models.OneToOneField(
        ConsultingBooking, on_delete=models.CASCADE, related_name="survey"
    )
    rating = models.PositiveSmallIntegerField(_("만족도"))
    helpful = models.BooleanField(_("도움이 되었나요"), default=True)
    comment = models.TextField(_("의견"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="consulting_rating_1_5"
            )
        ]


# --- career programme -------------------------------------------------------------------------


class CareerStage(models.TextChoices):
    EXPLORATION = "exploration", _("진로 탐색")
    PROJECT = "project", _("문제 해결 프로젝트")
    COMPANY_VISIT = "company_visit", _("기업 탐방·참여형 인턴십")
    PRESENTATION = "presentation", _("결과물 제작·발표")


STAGE_ORDER: tuple[str, ...] = (
    CareerStage.EXPLORATION,
    CareerStage.PROJECT,
    CareerStage.COMPANY_VISIT,
    CareerStage.PRESENTATION,
)


class CareerCohort(BaseModel):
    class Track(models.TextChoices):
        EXPLORATION = "exploration", _("진로 탐색형")
        COMPANY_VISIT = "company_visit", _("기업 탐방형")
        FULL = "full", _("전 과정형")

    class Status(models.TextChoices):
        DRAFT = "draft", _("준비 중")
        RECRUITING = "recruiting", _("모집 중")
        RUNNING = "running", _("진행 중")
        FINISHED = "finished", _("종료")

    TRACK_STAGES: dict[str, tuple[str, ...]] = {
        "exploration": (CareerStage.EXPLORATION,),
        "company_visit": (CareerStage.COMPANY_VISIT,),
        "full": STAGE_ORDER,
    }

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("기수 이름"), max_length=100)
    track = models.CharField(_("유형"), max_length=20, choices=Track.choices)
    description = models.TextField(_("소개"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("정원"))
    applications_open_on = models.DateField(_("모집 시작"))
    applications_close_on = models.DateField(_("모집 마감"))
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="cohort_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(applications_close_on__gte=models.F("applications_open_on")),
                name="cohort_application_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stages(self) -> tuple[str, ...]:
        return self.TRACK_STAGES[self.track]


class ProjectTeam(BaseModel):
    cohort = models.ForeignKey(CareerCohort, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("팀 이름"), max_length=100)
    topic = models.CharField(_("프로젝트 주제"), max_length=200, blank=True)
    presentation_at = models.DateTimeField(_("발표 일시"), null=True, blank=True)
    presentation_location = models.CharField(_("발표 장소"), max_length=200, blank=True)
    presentation_feedback = models.TextField(_("발표 피드백"), blank=True)

    class Meta:
        ordering = ["cohort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "name"], name="uniq_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CareerApplication(BaseModel):
    class Status(models.TextChoices):
        APPLIED = "applied", _("신청")
        SELECTED = "selected", _("선발")
        WAITLISTED = "waitlisted", _("대기")
        REJECTED = "rejected", _("미선발")
        WITHDRAWN = "withdrawn", _("취소")
        COMPLETED = "completed", _("수료")

    cohort = models.ForeignKey(CareerCohort, on_delete=models.PROTECT, related_name="applications")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="career_applications"
    )
    motivation = EncryptedTextField(_("지원 동기"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    team = models.ForeignKey(
        ProjectTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["motivation"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner"],
                condition=~models.Q(status="withdrawn"),
                name="one_application_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.cohort} · {self.status}"


class StageCompletion(BaseModel):
    application = models.ForeignKey(
        CareerApplication, on_delete=models.CASCADE, related_name="stage_completions"
    )
    stage = models.CharField(max_length=20, choices=CareerStage.choices)
    completed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "stage"], name="uniq_stage_completion")
        ]


class CompanyVisit(BaseModel):
    cohort = models.ForeignKey(CareerCohort, on_delete=models.CASCADE, related_name="visits")
    company_name = models.CharField(_("기업명"), max_length=100)
    visit_at = models.DateTimeField(_("방문 일시"))
    duration_minutes = models.PositiveSmallIntegerField(_("시간(분)"), default=180)
    address = models.CharField(_("주소"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("정원"))
    note = models.TextField(_("안내"), blank=True)

    class Meta:
        ordering = ["visit_at"]

    def __str__(self) -> str:
        return f"{self.company_name} {self.visit_at:%Y-%m-%d}"


class Deliverable(BaseModel):
    """A participant's uploaded work for a stage, encrypted at rest like evidence."""

    application = models.ForeignKey(
        CareerApplication, on_delete=models.CASCADE, related_name="deliverables"
    )
    stage = models.CharField(max_length=20, choices=CareerStage.choices)
    title = models.CharField(_("제목"), max_length=200)
    file = EncryptedFileField()
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


# --- special lectures -------------------------------------------------------------------------


class SpecialLecture(BaseModel):
    class Platform(models.TextChoices):
        YOUTUBE = "youtube", _("유튜브 생중계")
        METAVERSE = "metaverse", _("메타버스")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="lectures")
    sequence = models.PositiveSmallIntegerField(_("회차"))
    title = models.CharField(_("주제"), max_length=200)
    speaker = models.CharField(_("강연자"), max_length=100)
    description = models.TextField(_("소개"), blank=True)
    starts_at = models.DateTimeField(_("시작"))
    duration_minutes = models.PositiveSmallIntegerField(_("시간(분)"), default=90)
    platform = models.CharField(_("방식"), max_length=20, choices=Platform.choices)
    stream_url = models.URLField(_("접속 링크"))
    replay_url = models.URLField(_("다시보기 링크"), blank=True)
    capacity = models.PositiveIntegerField(_("정원"), null=True, blank=True)
    checkin_code = models.CharField(_("출석 코드"), max_length=12)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "sequence"], name="uniq_lecture_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.title}"


class LectureRegistration(BaseModel):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("신청")
        CANCELLED = "cancelled", _("취소")

    class Source(models.TextChoices):
        CODE = "code", _("출석 코드")
        XAPI = "xapi", _("학습 기록(xAPI)")
        OPERATOR = "operator", _("운영자 확인")

    lecture = models.ForeignKey(
        SpecialLecture, on_delete=models.PROTECT, related_name="registrations"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lecture_registrations"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    attended_at = models.DateTimeField(null=True, blank=True)
    attendance_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checkin_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "learner"], name="uniq_lecture_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} · {self.lecture}"


class LectureSurvey(BaseModel):
    registration = models.OneToOneField(
        LectureRegistration, on_delete=models.CASCADE, related_name="survey"
    )
    rating = models.PositiveSmallIntegerField(_("만족도"))
    comment = models.TextField(_("의견"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="lecture_rating_1_5"
            )
        ]
