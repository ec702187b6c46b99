"""Mentoring: recruitment and screening, training, matching, groups and sessions, awards,
closure and events. State changes go through ``services.py``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from seoullearn.core.models import BaseModel
from seoullearn.core.timeutil import SEOUL
from seoullearn.programmes.models import Programme

SUBJECT_CHOICES = [
    ("korean", _("국어")),
    ("english", _("영어")),
    ("math", _("수학")),
    ("science", _("과학")),
    ("social", _("사회")),
    ("coding", _("코딩")),
    ("essay", _("논술")),
    ("career", _("진로")),
]
LEVEL_CHOICES = [
    ("elementary", _("초등")),
    ("middle", _("중등")),
    ("high", _("고등")),
]
MAJOR_CHOICES = [
    ("engineering", _("공학")),
    ("natural_science", _("자연과학")),
    ("medicine", _("의약")),
    ("education", _("교육")),
    ("business", _("경영·경제")),
    ("humanities", _("인문")),
    ("social_science", _("사회과학")),
    ("arts", _("예체능")),
    ("computing", _("컴퓨터·IT")),
]
INTEREST_CHOICES = [
    ("reading", _("독서")),
    ("science", _("과학 탐구")),
    ("art", _("미술")),
    ("music", _("음악")),
    ("sports", _("운동")),
    ("games", _("게임·코딩")),
    ("languages", _("외국어")),
    ("volunteering", _("봉사")),
]
LANGUAGE_CHOICES = [
    ("en", _("영어")),
    ("zh", _("중국어")),
    ("vi", _("베트남어")),
    ("ru", _("러시아어")),
]
SLOT_CHOICES = [
    (f"{day}-{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in (
        ("mon", _("월")),
        ("tue", _("화")),
        ("wed", _("수")),
        ("thu", _("목")),
        ("fri", _("금")),
    )
    for part, part_label in (("pm", _("오후")), ("ev", _("저녁")))
] + [
    (f"{day}-{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in (("sat", _("토")), ("sun", _("일")))
    for part, part_label in (("am", _("오전")), ("pm", _("오후")))
]


class Mode(models.TextChoices):
    ONLINE = "online", _("온라인")
    OFFLINE = "offline", _("오프라인")
    BOTH = "both", _("온·오프라인 모두")


class University(BaseModel):
    name = models.CharField(_("대학명"), max_length=100, unique=True)
    code = models.SlugField(_("코드"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("대학")

    def __str__(self) -> str:
        return self.name


class UniversityCoordinator(BaseModel):
    """A university staff member who recommends their students (role
    ``university_coordinator``); sees only their own university's applicants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_of"
    )
    university = models.ForeignKey(
        University, on_delete=models.PROTECT, related_name="coordinators"
    )

    def __str__(self) -> str:
        return f"{self.user} @ {self.university}"


class MentorTerm(BaseModel):
    """A mentoring term (March to February) of a programme, with its settings."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="mentor_terms")
    name = models.CharField(_("기수"), max_length=100)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    applications_open = models.BooleanField(_("모집 중"), default=True)
    group_capacity = models.PositiveSmallIntegerField(_("모둠 최대 인원"), default=4)
    hourly_rate_krw = models.PositiveIntegerField(_("시간당 활동비(원)"), default=15_000)
    monthly_hours_cap = models.PositiveSmallIntegerField(_("월 인정 시간 상한"), default=20)
    max_distance_km = models.FloatField(_("오프라인 최대 거리(km)"), default=4.0)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group_capacity__gte=1, group_capacity__lte=4),
                name="term_group_capacity_1_4",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MentorApplication(BaseModel):
    """A university student's application for one term; once selected it is the mentor's
    record for that term."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("제출됨")
        RECOMMENDED = "recommended", _("대학 추천")
        NOT_RECOMMENDED = "not_recommended", _("대학 미추천")
        SELECTED = "selected", _("선발")
        REJECTED = "rejected", _("불합격")
        WITHDRAWN = "withdrawn", _("철회")
        ENDED = "ended", _("활동 종료")

    class CheckStatus(models.TextChoices):
        PENDING = "pending", _("대기")
        PASSED = "passed", _("적격")
        FAILED = "failed", _("부적격")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_applications"
    )
    term = models.ForeignKey(MentorTerm, on_delete=models.PROTECT, related_name="applications")
    university = models.ForeignKey(
        University, on_delete=models.PROTECT, related_name="applications"
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reapplications"
    )
    major = models.CharField(_("전공"), max_length=100)
    major_field = models.CharField(_("전공 계열"), max_length=30, choices=MAJOR_CHOICES)
    year = models.PositiveSmallIntegerField(_("학년"))
    grade_band = models.CharField(_("희망 지도 학년대"), max_length=20, choices=LEVEL_CHOICES)
    subjects = models.JSONField(_("지도 과목"), default=list)
    school_levels = models.JSONField(_("지도 학교급"), default=list)
    availability = models.JSONField(_("활동 가능 시간"), default=list)
    mode = models.CharField(_("활동 방식"), max_length=10, choices=Mode.choices)
    districts = models.JSONField(_("오프라인 활동 지역"), default=list, blank=True)
    languages = models.JSONField(_("사용 언어"), default=list, blank=True)
    interests = models.JSONField(_("관심사"), default=list, blank=True)
    gender = models.CharField(
        _("성별"),
        max_length=10,
        blank=True,
        choices=[("female", _("여성")), ("male", _("남성"))],
    )
    motivation = models.TextField(_("지원 동기"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    capacity = models.PositiveSmallIntegerField(_("모둠 인원"), default=4)

    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommendation_note = models.CharField(_("추천 의견"), max_length=500, blank=True)

    review_scores = models.JSONField(_("심사 점수"), default=dict, blank=True)
    review_total = models.PositiveSmallIntegerField(_("심사 총점"), null=True, blank=True)
    interviewed_on = models.DateField(_("면접일"), null=True, blank=True)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interview_notes = models.TextField(_("면접 기록"), blank=True)

    reference_status = models.CharField(
        _("추천서 확인"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING
    )
    reference_valid_until = models.DateField(_("추천서 유효기간"), null=True, blank=True)
    background_status = models.CharField(
        _("성범죄·아동학대 경력 조회"),
        max_length=10,
        choices=CheckStatus.choices,
        default=CheckStatus.PENDING,
    )
    background_valid_until = models.DateField(_("경력 조회 유효기간"), null=True, blank=True)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("결정 사유"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "term"],
                condition=~models.Q(status="withdrawn"),
                name="one_mentor_application_per_term",
            )
        ]
        indexes = [models.Index(fields=["term", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.term}"


class TrainingModule(BaseModel):
    class Kind(models.TextChoices):
        PRE_TRAINING = "pre_training", _("사전 교육")
        ORIENTATION = "orientation", _("오리엔테이션")
        MONTHLY = "monthly", _("월례 교육")

    term = models.ForeignKey(MentorTerm, on_delete=models.CASCADE, related_name="modules")
    kind = models.CharField(_("구분"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("제목"), max_length=200)
    held_on = models.DateField(_("실시일"))
    hours = models.PositiveSmallIntegerField(_("시간"), default=2)

    class Meta:
        ordering = ["held_on", "title"]

    def __str__(self) -> str:
        return self.title


class TrainingRecord(BaseModel):
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="records")
    mentor = models.ForeignKey(
        MentorApplication, on_delete=models.CASCADE, related_name="training_records"
    )
    attended = models.BooleanField(_("출석"), default=False)
    completed_at = models.DateTimeField(_("이수 일시"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "mentor"], name="one_record_per_module")
        ]


class MenteeApplication(BaseModel):
    """A member's application for mentoring in a term."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("매칭 대기")
        MATCHED = "matched", _("매칭됨")
        WITHDRAWN = "withdrawn", _("철회")
        CLOSED = "closed", _("종료")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentee_applications"
    )
    term = models.ForeignKey(
        MentorTerm, on_delete=models.PROTECT, related_name="mentee_applications"
    )
    school_level = models.CharField(_("학교급"), max_length=20, choices=LEVEL_CHOICES)
    grade = models.PositiveSmallIntegerField(_("학년"), default=0)
    subjects = models.JSONField(_("원하는 과목"), default=list)
    goals = models.TextField(_("멘토링 목표"))
    desired_major = models.CharField(
        _("희망 전공"), max_length=30, choices=MAJOR_CHOICES, blank=True
    )
    interests = models.JSONField(_("관심사"), default=list, blank=True)
    mode = models.CharField(
        _("희망 방식"),
        max_length=10,
        choices=[("online", _("온라인")), ("offline", _("오프라인")), ("either", _("상관없음"))],
    )
    availability = models.JSONField(_("가능한 시간"), default=list)
    district_code = models.CharField(_("거주 자치구"), max_length=10, blank=True)
    mentor_gender = models.CharField(
        _("희망 멘토 성별"),
        max_length=10,
        blank=True,
        choices=[("", _("상관없음")), ("female", _("여성")), ("male", _("남성"))],
    )
    languages = models.JSONField(_("필요한 언어"), default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    previous_mentor = models.ForeignKey(
        MentorApplication, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excluded_mentors = models.ManyToManyField(MentorApplication, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "term"],
                condition=models.Q(status__in=["submitted", "matched"]),
                name="one_open_mentee_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.term}"


class MatchingRun(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("대기")
        RUNNING = "running", _("실행 중")
        DONE = "done", _("검토 대기")
        FAILED = "failed", _("실패")
        PUBLISHED = "published", _("공개됨")
        DISCARDED = "discarded", _("폐기됨")

    term = models.ForeignKey(MentorTerm, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    fairness = models.BooleanField(_("최저 점수 우선(공정성)"), default=False)
    cohesion = models.BooleanField(_("모둠 응집도 2단계"), default=True)
    progress = models.FloatField(default=0.0)
    progress_label = models.CharField(max_length=50, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.term} run {self.created_at:%Y-%m-%d %H:%M}"


class Proposal(BaseModel):
    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(MenteeApplication, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(MentorApplication, on_delete=models.CASCADE, related_name="+")
    score = models.IntegerField()
    components = models.JSONField(default=dict)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adjustment_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["mentor_id", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="one_proposal_per_mentee")
        ]


class MentoringGroup(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("활동 중")
        ENDED = "ended", _("종료")

    term = models.ForeignKey(MentorTerm, on_delete=models.PROTECT, related_name="groups")
    mentor = models.ForeignKey(MentorApplication, on_delete=models.PROTECT, related_name="groups")
    run = models.ForeignKey(
        MatchingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    schedule = models.JSONField(_("정기 일정(요일·시간)"), default=list)
    mode = models.CharField(_("활동 방식"), max_length=10, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("시작일"))

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor"], condition=models.Q(status="active"), name="one_active_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user} {self.started_on}"


class Match(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("활동 중")
        ENDED = "ended", _("종료")

    class Ending(models.TextChoices):
        PLANNED = "planned", _("계획된 종료")
        UNPLANNED = "unplanned", _("중도 종료")

    group = models.ForeignKey(MentoringGroup, on_delete=models.PROTECT, related_name="matches")
    mentee = models.ForeignKey(MenteeApplication, on_delete=models.PROTECT, related_name="matches")
    score = models.IntegerField(default=0)
    components = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    ending = models.CharField(max_length=10, choices=Ending.choices, blank=True)
    end_reason = models.CharField(_("종료 사유"), max_length=300, blank=True)
    rematch_requested = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=models.Q(status="active"), name="one_active_match"
            )
        ]


class Session(BaseModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("예정")
        LOGGED = "logged", _("기록됨")
        CANCELLED = "cancelled", _("취소됨")

    group = models.ForeignKey(MentoringGroup, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("일자"))
    start_time = models.TimeField(_("시작 시각"), default=dt.time(19, 0))
    duration_minutes = models.PositiveSmallIntegerField(_("시간(분)"), default=90)
    mode = models.CharField(_("활동 방식"), max_length=10, choices=Mode.choices[:2])
    online_link = models.URLField(_("온라인 링크"), blank=True)
    place = models.CharField(_("장소"), max_length=200, blank=True)
    topic = models.CharField(_("주제"), max_length=200)
    notes = models.TextField(_("활동 기록"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    logged_at = models.DateTimeField(null=True, blank=True)
    lrs_recorded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["group", "date"])]

    @property
    def starts_at(self) -> dt.datetime:
        """When the session starts, as an aware datetime (the date and time are Seoul's)."""
        return dt.datetime.combine(self.date, self.start_time, tzinfo=SEOUL)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class Attendance(BaseModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="attendance")
    attended = models.BooleanField(_("출석"), default=False)
    feedback = models.PositiveSmallIntegerField(_("만족도(1–5)"), null=True, blank=True)
    feedback_comment = models.CharField(_("의견"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "match"], name="one_attendance"),
            models.CheckConstraint(
                condition=models.Q(feedback__isnull=True)
                | models.Q(feedback__gte=1, feedback__lte=5),
                name="feedback_1_5",
            ),
        ]


class CheckIn(BaseModel):
    class Health(models.TextChoices):
        ON_TRACK = "on_track", _("순조로움")
        NEEDS_CHECK_IN = "needs_check_in", _("점검 필요")
        INACTIVE = "inactive", _("활동 없음")

    group = models.ForeignKey(MentoringGroup, on_delete=models.CASCADE, related_name="check_ins")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("점검일"))
    channel = models.CharField(_("방법"), max_length=30, default="phone")
    notes = models.TextField(_("점검 내용"))
    health = models.CharField(_("판단"), max_length=20, choices=Health.choices)

    class Meta:
        ordering = ["-held_on"]


class Award(BaseModel):
    class Kind(models.TextChoices):
        MONTHLY_TEAM = "monthly_team", _("월간 우수 모둠")
        HALF_YEAR_TEAM = "half_year_team", _("반기 최우수 모둠")
        HONORARY_MENTOR = "honorary_mentor", _("명예 멘토")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("검토 중")
        PUBLISHED = "published", _("발표됨")

    term = models.ForeignKey(MentorTerm, on_delete=models.PROTECT, related_name="awards")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    group = models.ForeignKey(
        MentoringGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    mentor = models.ForeignKey(MentorApplication, on_delete=models.PROTECT, related_name="awards")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    components = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    excluded = models.BooleanField(default=False)
    exclusion_reason = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "period_start", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "mentor"], name="one_award_per_period"
            )
        ]


class ExitSurvey(BaseModel):
    class Respondent(models.TextChoices):
        MENTOR = "mentor", _("멘토")
        MENTEE = "mentee", _("멘티")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="exit_surveys")
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    satisfaction = models.PositiveSmallIntegerField(_("전체 만족도(1–5)"))
    goals_met = models.PositiveSmallIntegerField(_("목표 달성(1–5)"))
    would_recommend = models.BooleanField(_("추천 의향"))
    comment = models.TextField(_("의견"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "respondent"], name="one_exit_survey"),
        ]


class Event(BaseModel):
    class Kind(models.TextChoices):
        BONDING = "bonding", _("결연 행사")
        GUEST_TALK = "guest_talk", _("원데이 게스트 멘토 특강")

    term = models.ForeignKey(MentorTerm, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(_("제목"), max_length=200)
    speaker = models.CharField(_("게스트 멘토"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("일시"))
    place = models.CharField(_("장소·링크"), max_length=200)
    capacity = models.PositiveIntegerField(_("정원"), default=100)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class EventRegistration(BaseModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    attended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_registration"),
        ]
