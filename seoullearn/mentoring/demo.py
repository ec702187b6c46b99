"""Demo data for mentoring: a term that has been running for about three months.

Ten universities, each with a coordinator; mentor applications in every state of the pipeline
(some re-applying from last year's term); pre-training, orientation and monthly training with
attendance; mentee applications from current members; a matching run computed by the real
engine and published some weeks ago, whose groups have weekly sessions — logged with
attendance, notes and mentee feedback, or still planned — and staff check-ins; monthly award
rankings (earlier months published, the last one under review); a planned and an unplanned
ending with exit surveys; a newer run waiting for review; bonding events and guest-mentor talks.

Demo logins: ``mentor`` (a mentor whose group includes the demo learner ``learner_member``, so
that learner's plan and portfolio show mentoring), ``mentor_applicant`` (waiting for the city's
review) and ``coordinator`` (the coordinator of 서울시립대학교). ``small`` makes 40 mentor
applications, ``full`` 2,400 (about 1,500 selected, as in the seed document's 2022).

The same ``--seed`` gives the same people, groups and sessions.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from seoullearn.accounts import selectors as account_selectors
from seoullearn.accounts.models import ConsentNotice, ConsentRecord, LearnerProfile, User
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.geo import SEOUL_DISTRICTS
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL, add_months
from seoullearn.eligibility.demo import GIVEN, SURNAMES
from seoullearn.eligibility.models import Membership
from seoullearn.mentoring import matching, selectors, services
from seoullearn.mentoring.models import (
    SLOT_CHOICES,
    Attendance,
    Award,
    CheckIn,
    Event,
    EventRegistration,
    ExitSurvey,
    Match,
    MatchingRun,
    MenteeApplication,
    MentorApplication,
    MentoringGroup,
    MentorTerm,
    Proposal,
    Session,
    TrainingModule,
    TrainingRecord,
    University,
    UniversityCoordinator,
)
from seoullearn.programmes.models import Programme

BATCH = 2000
S = MentorApplication.Status

UNIVERSITIES = [
    ("uos", "서울시립대학교", "전은정"),
    ("snu", "서울대학교", "박상훈"),
    ("yonsei", "연세대학교", "김지원"),
    ("korea", "고려대학교", "이민호"),
    ("hanyang", "한양대학교", "최수연"),
    ("ewha", "이화여자대학교", "정다은"),
    ("skku", "성균관대학교", "강민재"),
    ("konkuk", "건국대학교", "윤서영"),
    ("snue", "서울교육대학교", "한동훈"),
    ("seoultech", "서울과학기술대학교", "오세진"),
]

# major, field, subjects the student can teach
MAJORS = [
    ("수학교육과", "education", ["math"]),
    ("수학과", "natural_science", ["math", "science"]),
    ("영어영문학과", "humanities", ["english", "essay"]),
    ("영어교육과", "education", ["english"]),
    ("국어국문학과", "humanities", ["korean", "essay"]),
    ("국어교육과", "education", ["korean", "essay"]),
    ("컴퓨터공학과", "computing", ["coding", "math"]),
    ("기계공학과", "engineering", ["math", "science"]),
    ("전자공학과", "engineering", ["math", "science", "coding"]),
    ("생명과학과", "natural_science", ["science"]),
    ("화학과", "natural_science", ["science", "math"]),
    ("간호학과", "medicine", ["science", "career"]),
    ("경영학과", "business", ["math", "social", "career"]),
    ("경제학과", "business", ["math", "social"]),
    ("사회학과", "social_science", ["social", "essay", "career"]),
    ("심리학과", "social_science", ["social", "career"]),
    ("교육학과", "education", ["korean", "english", "career"]),
    ("초등교육과", "education", ["korean", "math", "science", "social"]),
    ("역사교육과", "education", ["social", "korean"]),
    ("시각디자인학과", "arts", ["career"]),
]

SUBJECTS_BY_LEVEL = {
    "elementary": (
        ["math", "korean", "english", "science", "social", "coding"],
        [8, 6, 6, 3, 2, 2],
    ),
    "middle": (["math", "english", "korean", "science", "social", "coding"], [10, 9, 5, 4, 3, 2]),
    "high": (
        ["math", "english", "korean", "science", "essay", "career", "social"],
        [10, 9, 6, 5, 3, 4, 3],
    ),
}
SLOTS = [code for code, _label in SLOT_CHOICES]
SLOT_WEIGHTS = [2 if code.endswith("-ev") else 3 if code.startswith("sat") else 1 for code in SLOTS]
INTERESTS = ["reading", "science", "art", "music", "sports", "games", "languages", "volunteering"]

MOTIVATIONS = [
    "중학생 때 교육 봉사 멘토에게 도움을 받았던 경험이 있어, 이제는 제가 그 역할을 하고 싶습니다.",
    "수학을 포기하려는 학생들이 개념부터 다시 이해하도록 돕는 일에 보람을 느낍니다.",
    "지역아동센터에서 2년간 학습 지도를 했고, 꾸준히 함께하는 관계의 힘을 믿습니다.",
    "진로를 고민하는 학생들에게 대학 생활과 전공 이야기를 솔직하게 들려주고 싶습니다.",
    "다문화 가정에서 자라며 겪은 어려움을 알기에, 비슷한 상황의 학생에게 힘이 되고 싶습니다.",
    "공부 방법을 몰라 헤매던 시절이 있어서, 스스로 계획하고 공부하는 습관을 나누고 싶습니다.",
]
GOALS = [
    "수학 개념을 탄탄히 하고 스스로 공부하는 습관을 만들고 싶어요.",
    "영어 단어와 문법이 약해서 꾸준히 공부할 수 있게 도와줄 멘토가 필요해요.",
    "고등학교 진학 전에 공부 계획 세우는 법을 배우고 싶어요.",
    "진로를 정하지 못해서 대학생 멘토와 이야기해 보고 싶어요.",
    "검정고시를 준비하고 있어서 과목별 공부 순서를 알고 싶어요.",
    "학교 수업을 따라가기 어려워요. 모르는 걸 편하게 물어볼 사람이 있으면 좋겠어요.",
]
TOPICS = {
    "math": ["일차방정식의 뜻과 풀이", "함수와 그래프 읽기", "도형의 닮음", "분수와 소수의 계산",
             "확률의 기초", "이차방정식 근의 공식", "오답 노트 만들기"],
    "english": ["현재완료 시제 정리", "교과서 본문 소리 내어 읽기", "영어 일기 한 문단 쓰기",
                "필수 단어 외우는 방법", "듣기 평가 대비"],
    "korean": ["비문학 지문 요약하기", "시의 표현법", "서술형 답안 쓰기", "독서 감상문 다듬기"],
    "science": ["세포의 구조", "힘과 운동", "화학 반응식 맞추기", "실험 보고서 쓰는 법"],
    "social": ["우리 동네 지도 읽기", "헌법과 기본권", "세계 지리 퀴즈"],
    "coding": ["블록 코딩으로 게임 만들기", "파이썬 반복문", "웹 페이지 만들어 보기"],
    "essay": ["주장과 근거 세우기", "서론·본론·결론 구성"],
    "career": ["내가 좋아하는 일 찾기", "학과 탐색: 대학 전공 이야기", "고교 선택과 진로"],
}  # fmt: skip
NOTES_LONG = [
    "지난주 숙제를 함께 확인하고 틀린 문제를 다시 풀었다. {topic}은 예제를 세 개 풀며 정리했고, "
    "스스로 설명해 보게 하니 이해가 분명해졌다. 다음 시간까지 교과서 문제 10개를 풀어 오기로 했다.",
    "{topic}을 주제로 개념을 짧게 설명하고 바로 문제를 풀었다. 집중이 흐트러질 때는 5분 쉬고 "
    "다시 시작했다. 멘티가 먼저 질문하는 횟수가 늘었고, 다음 주에는 복습 퀴즈로 시작하기로 했다.",
    "출석한 멘티들과 이번 주 학습 계획을 점검했다. {topic}에서 막힌 부분을 그림으로 풀어 "
    "설명했고, 각자 어려운 점을 한 줄씩 적어 공유했다. 공부한 날을 달력에 표시하기로 했다.",
]
NOTES_SHORT = [
    "{topic} 복습, 숙제 확인.",
    "{topic} 문제 풀이. 다음 주 단원평가 대비.",
    "{topic} 설명 후 질문 받음. 숙제 있음.",
]
FEEDBACK_COMMENTS = [
    "설명이 쉬워서 좋았어요.",
    "다음에는 문제를 더 많이 풀고 싶어요.",
    "멘토님이 제 이야기를 잘 들어 주셔서 좋아요.",
    "조금 빨랐어요.",
    "진로 이야기가 재미있었어요.",
]
MONTHLY_TRAINING = [
    "학습 코칭의 기초: 질문으로 가르치기",
    "정서 지원과 위기 신호 알아차리기",
    "온라인 멘토링 도구 잘 쓰기",
    "진로 대화 이끌기",
    "다문화·학교 밖 청소년 이해",
    "활동 기록 잘 쓰는 법",
    "동기 부여와 목표 세우기",
    "시험 기간 학습 전략",
    "멘토링 관계 마무리하기",
    "개인정보 보호와 아동 권리",
    "한 해 돌아보기",
]
CHECK_IN_NOTES = {
    CheckIn.Health.ON_TRACK: [
        "멘토와 통화. 매주 정해진 시간에 활동 중이며 멘티들의 참여도 좋음.",
        "활동 기록 확인. 출석 양호, 멘티 만족도 높음. 특이사항 없음.",
    ],
    CheckIn.Health.NEEDS_CHECK_IN: [
        "멘티 한 명의 결석이 잦아 보호자와 통화 예정. 멘토에게 활동 시간 조정 안내.",
        "멘토가 시험 기간이라 2주 쉬었음. 다음 주부터 재개하기로 함.",
    ],
    CheckIn.Health.INACTIVE: [
        "3주 이상 활동 기록 없음. 멘토와 연락이 닿지 않아 문자 남김.",
    ],
}
PLACES = ["{d} 청소년센터 스터디룸", "{d}립도서관 세미나실", "서울런 학습카페 {d}점"]


@dataclass
class Plan:
    """What the demo decides for one group before anything is stored."""

    group: MentoringGroup
    matches: list[Match]
    profile: str  # steady, ok, shaky, stalled
    subjects: list[str]
    sessions: list[Session] = field(default_factory=list)


def _uuid(ctx: DemoContext) -> uuid.UUID:
    """A deterministic identifier from a generator of this app's own, so identifiers never
    repeat another app's even when a test seeds with a fresh context."""
    ids = ctx.shared.setdefault("mentoring_ids", random.Random(f"mentoring:{ctx.seed}"))
    return uuid.UUID(int=ids.getrandbits(128), version=4)


def _name(ctx: DemoContext) -> str:
    surname = ctx.rng.choices([s for s, _w in SURNAMES], weights=[w for _s, w in SURNAMES])[0]
    return surname + ctx.rng.choice(GIVEN) + ctx.rng.choice(GIVEN)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


def _bulk(model: type[Model], objs: Sequence[Any], *, history: bool = False) -> None:
    if not objs:
        return
    if history:
        bulk_create_with_history(list(objs), model, batch_size=BATCH)
    else:
        model.objects.bulk_create(list(objs), batch_size=BATCH)  # type: ignore[attr-defined]


def _term_start(day: dt.date) -> dt.date:
    """Terms run from March to February."""
    return dt.date(day.year if day.month >= 3 else day.year - 1, 3, 1)


# --- entry point -------------------------------------------------------------------------------


def seed(ctx: DemoContext) -> None:
    programme: Programme | None = ctx.shared.get("programme")
    if programme is None:
        programme = Programme.objects.order_by("-year").first()
    operators = list(User.objects.filter(role=Role.OPERATOR).order_by("pk")[:2])
    if programme is None or not operators:
        return
    if MentorTerm.objects.filter(programme=programme).exists():
        return  # already seeded
    password = make_password(DEMO_PASSWORD)
    term, previous_term = _terms(ctx, programme)
    universities = _universities(ctx, password)
    mentors = _mentors(ctx, term, previous_term, universities, operators, password)
    _training(ctx, term, mentors, operators)
    demo_learners, pool = _learners(ctx)
    published_on = min(
        max(term.starts_on + dt.timedelta(days=14), ctx.today - dt.timedelta(weeks=12)),
        ctx.today - dt.timedelta(days=14),
    )
    early, late = _split(ctx, pool)
    demo_mentor = next(m for m in mentors if m.user.username == "mentor")
    demo_apps = _mentee_applications(ctx, term, demo_learners, demo=True)
    _mentee_applications(ctx, term, early)
    plans = _first_run(ctx, term, operators[0], published_on, demo_mentor, demo_apps)
    _sessions(ctx, plans, published_on)
    _check_ins(ctx, plans, published_on, operators)
    _awards(ctx, term, published_on, operators[0])
    _closures(ctx, plans, operators[0])
    _mentee_applications(ctx, term, late)
    _second_run(ctx, term, operators[1 % len(operators)])
    _events(ctx, term, plans, published_on)
    ctx.login(Role.MENTOR, "mentor", note="mentor with a group; mentees include learner_member")
    ctx.login(Role.MENTOR, "mentor_applicant", note="application waiting for the city's review")
    ctx.login(Role.UNIVERSITY_COORDINATOR, "coordinator", note="서울시립대학교 coordinator")
    ctx.shared["mentoring_term"] = term


def _terms(ctx: DemoContext, programme: Programme) -> tuple[MentorTerm, MentorTerm]:
    start = _term_start(ctx.today)
    previous = MentorTerm.objects.create(
        programme=programme,
        name=f"{start.year - 1}년 서울런 멘토링",
        starts_on=start.replace(year=start.year - 1),
        ends_on=start - dt.timedelta(days=1),
        applications_open=False,
        public_id=_uuid(ctx),
    )
    term = MentorTerm.objects.create(
        programme=programme,
        name=f"{start.year}년 서울런 멘토링",
        starts_on=start,
        ends_on=start.replace(year=start.year + 1) - dt.timedelta(days=1),
        applications_open=True,
        group_capacity=4,
        hourly_rate_krw=15_000,
        monthly_hours_cap=20,
        public_id=_uuid(ctx),
    )
    return term, previous


def _user(ctx: DemoContext, username: str, role: str, name: str, born: dt.date, pw: str) -> User:
    return User(
        username=username,
        email=f"{username}@demo.seoullearn.example",
        role=role,
        full_name=name,
        birth_date=born,
        password=pw,
        public_id=_uuid(ctx),
        pseudonym=_uuid(ctx),
    )


def _save_users(users: list[User]) -> None:
    from allauth.account.models import EmailAddress

    _bulk(User, users)
    ids = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id")
    )
    for user in users:
        user.pk = ids[user.username]
    _bulk(
        EmailAddress,
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
    )


def _universities(ctx: DemoContext, password: str) -> list[University]:
    universities = [University(code=c, name=n, public_id=_uuid(ctx)) for c, n, _p in UNIVERSITIES]
    _bulk(University, universities)
    universities = list(University.objects.filter(code__in=[c for c, _n, _p in UNIVERSITIES]))
    by_code = {u.code: u for u in universities}
    users = [
        _user(
            ctx,
            "coordinator" if index == 0 else f"coordinator_{code}",
            Role.UNIVERSITY_COORDINATOR,
            person,
            dt.date(1980 + index, 3, 2),
            password,
        )
        for index, (code, _n, person) in enumerate(UNIVERSITIES)
    ]
    _save_users(users)
    _bulk(
        UniversityCoordinator,
        [
            UniversityCoordinator(user=u, university=by_code[code], public_id=_uuid(ctx))
            for u, (code, _n, _p) in zip(users, UNIVERSITIES, strict=True)
        ],
    )
    return [by_code[c] for c, _n, _p in UNIVERSITIES]


# --- mentors ------------------------------------------------------------------------------------


def _statuses(ctx: DemoContext, count: int) -> list[str]:
    """Every state at least once, then realistic shares (most applicants are selected)."""
    fixed: list[str] = [S.SELECTED] * 8
    fixed += [S.RECOMMENDED, S.SUBMITTED, S.NOT_RECOMMENDED, S.REJECTED]
    fixed += [S.WITHDRAWN, S.ENDED, S.RECOMMENDED, S.SUBMITTED]
    weights: dict[str, int] = {
        S.SELECTED: 63,
        S.SUBMITTED: 8,
        S.RECOMMENDED: 9,
        S.NOT_RECOMMENDED: 4,
        S.REJECTED: 10,
        S.WITHDRAWN: 4,
        S.ENDED: 2,
    }
    rest = ctx.rng.choices(list(weights), weights=list(weights.values()), k=max(0, count - 16))
    return (fixed + rest)[:count]


def _demo_mentor_data() -> dict[str, Any]:
    return {
        "major": "수학교육과",
        "major_field": "education",
        "year": 3,
        "grade_band": "middle",
        "subjects": ["career", "english", "math", "science"],
        "school_levels": ["high", "middle"],
        "availability": ["mon-ev", "sat-am", "sat-pm", "thu-ev", "wed-ev"],
        "mode": "online",
        "districts": [],
        "languages": ["en"],
        "interests": ["reading", "science", "sports"],
        "gender": "female",
        "motivation": MOTIVATIONS[1],
        "capacity": 4,
    }


def _mentors(
    ctx: DemoContext,
    term: MentorTerm,
    previous_term: MentorTerm,
    universities: list[University],
    operators: list[User],
    password: str,
) -> list[MentorApplication]:
    rng = ctx.rng
    count = ctx.scale(40, 2400)
    statuses = _statuses(ctx, count)
    coordinators = {
        c.university_id: c.user for c in UniversityCoordinator.objects.select_related("user")
    }
    users: list[User] = []
    apps: list[MentorApplication] = []
    districts = [d.code for d in SEOUL_DISTRICTS]
    for index, status in enumerate(statuses):
        username = {0: "mentor", 8: "mentor_applicant"}.get(index, f"mentor{index:04d}")
        user = _user(
            ctx,
            username,
            Role.MENTOR,
            "윤하람" if index == 0 else _name(ctx),
            dt.date(ctx.today.year - rng.randint(20, 25), rng.randint(1, 12), rng.randint(1, 28)),
            password,
        )
        users.append(user)
        # the demo coordinator's university has the demo mentors and an application to recommend
        university = universities[0] if index in (0, 8, 9) else rng.choice(universities)
        if index == 0:
            data = _demo_mentor_data()
        else:
            major, major_field, subjects = rng.choice(MAJORS)
            band = rng.choices(["elementary", "middle", "high"], weights=[3, 4, 3])[0]
            levels = {band} | (
                {"middle"} if band != "middle" else {rng.choice(["high", "elementary"])}
            )
            mode = rng.choices(["online", "both", "offline"], weights=[50, 35, 15])[0]
            data = {
                "major": major,
                "major_field": major_field,
                "year": rng.choices([1, 2, 3, 4], weights=[1, 4, 4, 3])[0],
                "grade_band": band,
                "subjects": sorted(set(subjects) | set(rng.sample(["math", "english"], k=1))),
                "school_levels": sorted(levels),
                "availability": sorted(
                    set(rng.choices(SLOTS, weights=SLOT_WEIGHTS, k=rng.randint(3, 6)))
                ),
                "mode": mode,
                "districts": sorted(rng.sample(districts, k=rng.randint(1, 3)))
                if mode != "online"
                else [],
                "languages": rng.choices([[], ["en"], ["zh"], ["vi"]], weights=[85, 10, 3, 2])[0],
                "interests": sorted(rng.sample(INTERESTS, k=rng.randint(1, 3))),
                "gender": rng.choice(["female", "male"]),
                "motivation": rng.choice(MOTIVATIONS),
                "capacity": rng.choices([4, 3, 2], weights=[6, 3, 1])[0],
            }
        app = MentorApplication(
            term=term,
            university=university,
            status=status,
            public_id=_uuid(ctx),
            **data,
        )
        _screen(ctx, app, coordinators.get(university.pk), operators)
        apps.append(app)
    _save_users(users)
    for user, app in zip(users, apps, strict=True):
        app.user = user
    _consents(ctx, users)
    # One in five applied last year too: last year's application ended with the term.
    previous = []
    for app in apps:
        if rng.random() < 0.2:
            previous.append(
                MentorApplication(
                    user=app.user,
                    term=previous_term,
                    university=app.university,
                    major=app.major,
                    major_field=app.major_field,
                    year=max(1, app.year - 1),
                    grade_band=app.grade_band,
                    subjects=app.subjects,
                    school_levels=app.school_levels,
                    availability=app.availability,
                    mode=app.mode,
                    districts=app.districts,
                    languages=app.languages,
                    interests=app.interests,
                    gender=app.gender,
                    motivation=app.motivation,
                    capacity=app.capacity,
                    status=S.ENDED,
                    decision_reason="기수 종료",
                    public_id=_uuid(ctx),
                )
            )
    _bulk(MentorApplication, previous, history=True)
    previous_ids = dict(
        MentorApplication.objects.filter(term=previous_term).values_list("user_id", "id")
    )
    for app in apps:
        app.previous_id = previous_ids.get(app.user.pk)
    _bulk(MentorApplication, apps, history=True)
    return list(
        MentorApplication.objects.filter(term=term).select_related("user", "university", "term")
    )


def _screen(
    ctx: DemoContext, app: MentorApplication, coordinator: User | None, operators: list[User]
) -> None:
    """Fill the screening record the application's state implies."""
    rng = ctx.rng
    start = app.term.starts_on
    if app.status in (S.SUBMITTED, S.WITHDRAWN):
        return
    app.recommended_by = coordinator
    app.recommended_at = _at(start - dt.timedelta(days=rng.randint(25, 40)), rng.randint(9, 17))
    if app.status == S.NOT_RECOMMENDED:
        app.recommendation_note = "학업 일정상 주 1회 활동이 어렵다고 판단함."
        return
    app.recommendation_note = rng.choice(
        [
            "성실하고 교육 봉사 경험이 많습니다.",
            "학과 성적이 우수하고 후배 튜터링 경험이 있습니다.",
            "책임감이 강하고 학생들과의 소통 능력이 뛰어납니다.",
        ]
    )
    reviewed = app.status != S.RECOMMENDED or rng.random() < 0.5
    if reviewed:
        low = app.status == S.REJECTED
        scores = {
            item: rng.randint(6, 13) if low else rng.randint(13, 20) for item in services.RUBRIC
        }
        app.review_scores = scores
        app.review_total = sum(scores.values())
        app.interviewed_on = start - dt.timedelta(days=rng.randint(15, 24))
        app.interviewer = rng.choice(operators)
        app.interview_notes = rng.choice(
            [
                "설명이 명확하고 학생 눈높이에 맞춘 예시를 듦.",
                "활동 의지가 분명함. 온라인 도구 사용에 익숙함.",
                "경청하는 태도가 좋음. 시간 관리 계획을 구체적으로 제시함.",
            ]
        )
    if app.status in (S.SELECTED, S.ENDED) or (reviewed and rng.random() < 0.5):
        valid = app.term.ends_on + dt.timedelta(days=rng.randint(30, 200))
        app.reference_status = app.background_status = MentorApplication.CheckStatus.PASSED
        app.reference_valid_until = app.background_valid_until = valid
    if app.status in (S.SELECTED, S.REJECTED, S.ENDED):
        app.decided_by = rng.choice(operators)
        app.decided_at = _at(start - dt.timedelta(days=rng.randint(12, 14)), rng.randint(9, 17))
        app.decision_reason = (
            rng.choice(["심사 총점 상위, 면접 우수", "교육 봉사 경험과 활동 계획이 구체적임"])
            if app.status != S.REJECTED
            else rng.choice(
                ["심사 총점이 선발 기준에 미달", "활동 가능 시간이 모집 기준(주 1회 90분)에 미달"]
            )
        )
    if app.status == S.ENDED:
        app.decision_reason = "개인 사정(휴학·군 입대)으로 활동 종료"


def _consents(ctx: DemoContext, users: list[User]) -> None:
    """Mentors consented to the terms and the privacy notice at sign-up."""
    notices = [
        n
        for n in account_selectors.current_notices()
        if n.kind in (ConsentNotice.Kind.TERMS, ConsentNotice.Kind.PRIVACY)
    ]
    given = _at(_term_start(ctx.today) - dt.timedelta(days=50), 12)
    _bulk(
        ConsentRecord,
        [
            ConsentRecord(
                subject=u,
                given_by=u,
                notice=n,
                method=ConsentRecord.Method.SELF,
                verification="demo: sign-up",
                given_at=given,
                public_id=_uuid(ctx),
            )
            for u in users
            for n in notices
        ],
    )


def _training(
    ctx: DemoContext, term: MentorTerm, mentors: list[MentorApplication], operators: list[User]
) -> None:
    rng = ctx.rng
    modules = [
        TrainingModule(
            term=term,
            kind=TrainingModule.Kind.PRE_TRAINING,
            title="아동·청소년 보호와 멘토 윤리 (사전 교육)",
            held_on=term.starts_on - dt.timedelta(days=10),
            hours=3,
            public_id=_uuid(ctx),
        ),
        TrainingModule(
            term=term,
            kind=TrainingModule.Kind.ORIENTATION,
            title="서울런 멘토링 오리엔테이션",
            held_on=term.starts_on + dt.timedelta(days=4),
            hours=2,
            public_id=_uuid(ctx),
        ),
    ]
    month = add_months(term.starts_on, 1)
    index = 0
    while month <= ctx.today.replace(day=1) and index < len(MONTHLY_TRAINING):
        saturday = month + dt.timedelta(days=(5 - month.weekday()) % 7 + 7)  # 2nd Saturday
        modules.append(
            TrainingModule(
                term=term,
                kind=TrainingModule.Kind.MONTHLY,
                title=f"{month.month}월 월례 교육: {MONTHLY_TRAINING[index]}",
                held_on=saturday,
                hours=2,
                public_id=_uuid(ctx),
            )
        )
        month = add_months(month, 1)
        index += 1
    _bulk(TrainingModule, modules)
    modules = list(TrainingModule.objects.filter(term=term))
    records = []
    for mentor in mentors:
        if mentor.status not in (S.SELECTED, S.ENDED):
            continue
        demo = mentor.user.username == "mentor"
        # a few selected mentors still miss the orientation, so they cannot be matched yet
        misses_orientation = not demo and rng.random() < 0.06
        for module in modules:
            if module.held_on > ctx.today:
                continue
            if module.kind == TrainingModule.Kind.MONTHLY:
                roll = 0.0 if demo else rng.random()
                if roll > 0.9:
                    continue
                attended, completed = True, roll < 0.84
            else:
                attended = completed = not (
                    misses_orientation and module.kind == TrainingModule.Kind.ORIENTATION
                )
                if not attended:
                    continue
            records.append(
                TrainingRecord(
                    module=module,
                    mentor=mentor,
                    attended=attended,
                    completed_at=_at(module.held_on, 18) if completed else None,
                    recorded_by=rng.choice(operators),
                    public_id=_uuid(ctx),
                )
            )
    _bulk(TrainingRecord, records)


# --- mentees ------------------------------------------------------------------------------------


def _learners(ctx: DemoContext) -> tuple[list[Any], list[tuple[Any, LearnerProfile]]]:
    """(the demo mentor's mentees, everyone else who may apply) with their profiles. The demo
    learner ``learner_member`` and the learner the learning demo shows first are the demo
    mentor's mentees."""
    shared = ctx.shared.get("members")
    if shared:
        members = [getattr(m, "user", m) for m in shared]
    else:
        ids = Membership.objects.filter(status__in=Membership.CURRENT).values_list(
            "user_id", flat=True
        )
        members = list(User.objects.filter(pk__in=ids).order_by("pk"))
    members = [m for m in members if m.role == Role.LEARNER]
    profiles = {
        p.user_id: p
        for p in LearnerProfile.objects.filter(
            user__in=members, school_level__in=["elementary", "middle", "high"]
        )
    }
    eligible = [(m, profiles[m.pk]) for m in members if m.pk in profiles]
    wanted = [m for m, _p in eligible if m.username == "learner_member"]
    if members and members[0].pk in profiles and members[0] not in wanted:
        wanted.append(members[0])
    for m, p in eligible:
        if len(wanted) >= 3:
            break
        if p.school_level == "middle" and m not in wanted:
            wanted.append(m)
    return wanted, [(m, p) for m, p in eligible if m not in wanted]


def _split(
    ctx: DemoContext, people: list[tuple[Any, LearnerProfile]]
) -> tuple[list[tuple[Any, LearnerProfile]], list[tuple[Any, LearnerProfile]]]:
    """Those who applied before the first run and those who applied since."""
    chosen = people[: ctx.scale(85, 4200)]
    cut = int(len(chosen) * 0.85)
    return chosen[:cut], chosen[cut:]


def _mentee_applications(
    ctx: DemoContext, term: MentorTerm, people: Sequence[Any], *, demo: bool = False
) -> list[MenteeApplication]:
    rng = ctx.rng
    apps: list[MenteeApplication] = []
    for entry in people:
        user, profile = entry if isinstance(entry, tuple) else (entry, entry.learner_profile)
        level = profile.school_level
        if demo:
            subjects = ["english", "math"]
            mode, availability = "online", ["sat-am", "tue-ev", "wed-ev"]
        else:
            choices, weights = SUBJECTS_BY_LEVEL[level]
            subjects = sorted(set(rng.choices(choices, weights=weights, k=rng.randint(1, 3))))
            mode = rng.choices(["online", "either", "offline"], weights=[55, 35, 10])[0]
            availability = sorted(
                set(rng.choices(SLOTS, weights=SLOT_WEIGHTS, k=rng.randint(2, 5)))
            )
        apps.append(
            MenteeApplication(
                user=user,
                term=term,
                school_level=level,
                grade=profile.grade or 0,
                subjects=subjects,
                goals=GOALS[len(apps) % len(GOALS)] if demo else rng.choice(GOALS),
                desired_major=rng.choice(["engineering", "medicine", "business", "computing", ""])
                if level == "high"
                else "",
                interests=sorted(rng.sample(INTERESTS, k=rng.randint(0, 3))),
                mode=mode,
                availability=availability,
                district_code=profile.district_code or "",
                mentor_gender=""
                if demo
                else rng.choices(["", "female", "male"], weights=[85, 12, 3])[0],
                languages=[] if demo else rng.choices([[], ["vi"], ["zh"]], weights=[96, 2, 2])[0],
                public_id=_uuid(ctx),
            )
        )
    _bulk(MenteeApplication, apps, history=True)
    ids = dict(
        MenteeApplication.objects.filter(public_id__in=[a.public_id for a in apps]).values_list(
            "public_id", "id"
        )
    )
    for app in apps:
        app.pk = ids[app.public_id]
    return apps


# --- matching -----------------------------------------------------------------------------------


def _solve(
    term: MentorTerm, *, skip_mentor: MentorApplication | None = None, skip: Sequence[Any] = ()
) -> tuple[matching.Result, dict[str, MenteeApplication], dict[str, MentorApplication]]:
    """The engine on the term's waiting mentees and ready mentors, as the matching task runs it."""
    learners, mentors, options, mentees, mentor_apps = selectors.matching_inputs(
        term, fairness=False, cohesion=True
    )
    skipped = {str(a.public_id) for a in skip}
    learners = [learner for learner in learners if learner.key not in skipped]
    if skip_mentor is not None:
        mentors = [m for m in mentors if m.key != str(skip_mentor.public_id)]
    return matching.solve(learners, mentors, options), mentees, mentor_apps


def _run(
    ctx: DemoContext,
    term: MentorTerm,
    operator: User,
    result: matching.Result,
    extra: int = 0,
) -> MatchingRun:
    return MatchingRun.objects.create(
        term=term,
        status=MatchingRun.Status.DONE,
        fairness=False,
        cohesion=True,
        progress=1.0,
        progress_label="done",
        stats={
            **{k: v for k, v in result.stats.items() if isinstance(v, int | float | bool | str)},
            "total_score": result.total_score + extra,
            "worst_score": result.worst_score,
            "matched": len(result.proposals),
            "unmatched": len(result.unmatched),
        },
        created_by=operator,
        public_id=_uuid(ctx),
    )


def _engine_proposals(
    ctx: DemoContext,
    run: MatchingRun,
    result: matching.Result,
    mentees: dict[str, MenteeApplication],
    mentor_apps: dict[str, MentorApplication],
) -> list[Proposal]:
    return [
        Proposal(
            run=run,
            mentee=mentees[p.learner],
            mentor=mentor_apps[p.mentor],
            score=p.score,
            components=p.components,
            public_id=_uuid(ctx),
        )
        for p in result.proposals
    ]


def _first_run(
    ctx: DemoContext,
    term: MentorTerm,
    operator: User,
    published_on: dt.date,
    demo_mentor: MentorApplication,
    demo_apps: list[MenteeApplication],
) -> list[Plan]:
    """The run operators published: groups and matches from the engine's proposals; the demo
    mentor's group is the demo learners (the pairs still pass the hard constraints)."""
    rng = ctx.rng
    result, mentees, mentor_apps = _solve(term, skip_mentor=demo_mentor, skip=demo_apps)
    options = selectors.matching_options(term)
    mentor_in = selectors.mentor_input(demo_mentor)
    demo_pairs = []
    for app in demo_apps:
        learner_in = selectors.learner_input(app)
        if matching.infeasibility_reasons(learner_in, mentor_in, options):
            continue
        demo_pairs.append((app, matching.explain_pair(learner_in, mentor_in, options)))
    run = _run(ctx, term, operator, result, sum(sum(c.values()) for _a, c in demo_pairs))
    run.stats["matched"] += len(demo_pairs)
    proposals = _engine_proposals(ctx, run, result, mentees, mentor_apps) + [
        Proposal(
            run=run,
            mentee=app,
            mentor=demo_mentor,
            score=sum(components.values()),
            components=components,
            public_id=_uuid(ctx),
        )
        for app, components in demo_pairs
    ]
    _bulk(Proposal, proposals)
    published_at = _at(published_on, 10)
    MatchingRun.objects.filter(pk=run.pk).update(
        status=MatchingRun.Status.PUBLISHED,
        stats=run.stats,
        published_by=operator,
        published_at=published_at,
        created_at=published_at - dt.timedelta(days=2),
    )
    by_mentor: dict[int, list[Proposal]] = {}
    for p in proposals:
        by_mentor.setdefault(p.mentor.pk, []).append(p)
    groups = []
    for mentor_pk in sorted(by_mentor, key=lambda k: (k != demo_mentor.pk, k)):
        mine = by_mentor[mentor_pk]
        mentor = mine[0].mentor
        common = set(mentor.availability)
        for p in mine:
            common &= set(p.mentee.availability)
        groups.append(
            MentoringGroup(
                term=term,
                mentor=mentor,
                run=run,
                schedule=sorted(common) or sorted(mentor.availability)[:1],
                mode=mentor.mode,
                started_on=published_on,
                public_id=_uuid(ctx),
            )
        )
    _bulk(MentoringGroup, groups)
    group_ids = dict(MentoringGroup.objects.filter(run=run).values_list("mentor_id", "id"))
    matches = []
    plans = []
    for group in groups:
        group.pk = group_ids[group.mentor.pk]
        mine = by_mentor[group.mentor.pk]
        group_matches = [
            Match(
                group=group,
                mentee=p.mentee,
                score=p.score,
                components=p.components,
                started_on=published_on,
                public_id=_uuid(ctx),
            )
            for p in mine
        ]
        matches.extend(group_matches)
        demo = group.mentor.pk == demo_mentor.pk
        profile = (
            "steady"
            if demo
            else rng.choices(["steady", "ok", "shaky", "stalled"], weights=[55, 25, 12, 8])[0]
        )
        subjects = sorted({s for p in mine for s in p.mentee.subjects} & set(group.mentor.subjects))
        plans.append(Plan(group, group_matches, profile, subjects or group.mentor.subjects))
    _bulk(Match, matches, history=True)
    match_ids = dict(Match.objects.filter(group__run=run).values_list("public_id", "id"))
    for match in matches:
        match.pk = match_ids[match.public_id]
    MenteeApplication.objects.filter(pk__in=[m.mentee.pk for m in matches]).update(
        status=MenteeApplication.Status.MATCHED
    )
    return plans


def _second_run(ctx: DemoContext, term: MentorTerm, operator: User) -> None:
    """Applications since the published run, proposed by a newer run waiting for review."""
    result, mentees, mentor_apps = _solve(term)
    run = _run(ctx, term, operator, result)
    _bulk(Proposal, _engine_proposals(ctx, run, result, mentees, mentor_apps))
    MatchingRun.objects.filter(pk=run.pk).update(
        created_at=_at(ctx.today - dt.timedelta(days=1), 16)
    )


# --- activity -----------------------------------------------------------------------------------

STALLED_WEEKS = 3
PROFILES = {  # share of weeks with a session, attendance rate, weeks of activity (None = all)
    "steady": (0.92, 0.93, None),
    "ok": (0.75, 0.85, None),
    "shaky": (0.55, 0.7, None),
    "stalled": (0.8, 0.75, STALLED_WEEKS),
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _sessions(ctx: DemoContext, plans: list[Plan], published_on: dt.date) -> None:
    rng = ctx.rng
    today = ctx.today
    districts = {d.code: d.name_ko for d in SEOUL_DISTRICTS}
    sessions: list[Session] = []
    for plan in plans:
        group = plan.group
        demo = group.mentor.user.username == "mentor"
        rate, attend, weeks = PROFILES[plan.profile]
        slot = group.schedule[0] if demo else rng.choice(group.schedule)
        weekday = WEEKDAYS.index(slot.split("-")[0])
        day = published_on + dt.timedelta(days=(weekday - published_on.weekday()) % 7 or 7)
        week = 0
        last_past = None
        while day <= today + dt.timedelta(days=14):
            week += 1
            if weeks is not None and week > weeks:
                break
            upcoming = day >= today
            if upcoming and plan.profile == "shaky" and day > today + dt.timedelta(days=7):
                break
            if upcoming or demo or rng.random() < rate:
                topic = rng.choice(TOPICS[rng.choice(plan.subjects)])
                mode = group.mode if group.mode != "both" else rng.choice(["online", "offline"])
                district = districts.get(next(iter(group.mentor.districts), ""), "중구")
                session = Session(
                    group=group,
                    date=day,
                    start_time=selectors.default_start_time(group, day),
                    duration_minutes=90 if demo else rng.choices([60, 90, 120], [3, 6, 1])[0],
                    mode=mode,
                    online_link=f"https://meet.seoullearn.example/{group.public_id.hex[:10]}"
                    if mode == "online"
                    else "",
                    place=rng.choice(PLACES).format(d=district) if mode == "offline" else "",
                    topic=topic,
                    status=Session.Status.PLANNED,
                    public_id=_uuid(ctx),
                )
                if not upcoming:
                    last_past = session
                    notes = rng.choice(NOTES_LONG if rng.random() < 0.6 else NOTES_SHORT)
                    session.notes = notes.format(topic=topic)
                    session.status = Session.Status.LOGGED
                    session.logged_at = session.ends_at + dt.timedelta(hours=rng.randint(1, 30))
                plan.sessions.append(session)
                sessions.append(session)
            day += dt.timedelta(days=7)
        # the mentor has not logged the latest session yet (the demo mentor can log it now)
        if (
            last_past is not None
            and (demo or rng.random() < 0.25)
            and last_past.date >= (today - dt.timedelta(days=6))
        ):
            last_past.status = Session.Status.PLANNED
            last_past.notes = ""
            last_past.logged_at = None
    _bulk(Session, sessions)
    ids = dict(
        Session.objects.filter(group__in=[p.group for p in plans]).values_list("public_id", "id")
    )
    attendance = []
    for plan in plans:
        demo = plan.group.mentor.user.username == "mentor"
        _rate, attend, _weeks = PROFILES[plan.profile]
        logged = [s for s in plan.sessions if s.status == Session.Status.LOGGED]
        for session in plan.sessions:
            session.pk = ids[session.public_id]
            if session.status != Session.Status.LOGGED:
                continue
            for match in plan.matches:
                # the demo learners were there last time, so they have a session to rate
                present = rng.random() < attend or (demo and session is logged[-1])
                rating = None
                comment = ""
                # the demo learners have not yet rated the latest logged session
                latest = demo and session is logged[-1]
                if present and not latest and rng.random() < (0.85 if demo else 0.55):
                    rating = rng.choices([5, 4, 3, 2, 1], weights=[45, 35, 14, 4, 2])[0]
                    if rng.random() < 0.25:
                        comment = rng.choice(FEEDBACK_COMMENTS)
                attendance.append(
                    Attendance(
                        session=session,
                        match=match,
                        attended=present,
                        feedback=rating,
                        feedback_comment=comment,
                        public_id=_uuid(ctx),
                    )
                )
    _bulk(Attendance, attendance)
    # The demo mentor's sessions are in the learning record store, as logging them records.
    for plan in plans:
        if plan.group.mentor.user.username == "mentor":
            for session in plan.sessions:
                if session.status == Session.Status.LOGGED:
                    services.session_statements_record(session=session)


def _check_ins(
    ctx: DemoContext, plans: list[Plan], published_on: dt.date, operators: list[User]
) -> None:
    """Twice in the first month, then monthly; stalled or shaky groups are followed up."""
    rng = ctx.rng
    rows = []
    for plan in plans:
        # the demo mentor's group is checked on schedule, early each month
        demo = plan.group.mentor.user.username == "mentor"
        days = [6, 20] + [30 + 30 * k + (1 if demo else rng.randint(2, 9)) for k in range(12)]
        for offset in days:
            held_on = published_on + dt.timedelta(days=offset)
            if held_on >= ctx.today:
                break
            if not demo and rng.random() > (0.95 if offset < 30 else 0.8):
                continue
            weeks_in = offset // 7
            if plan.profile == "stalled" and weeks_in > STALLED_WEEKS + 1:
                health = CheckIn.Health.INACTIVE
            elif plan.profile == "shaky" and rng.random() < 0.5:
                health = CheckIn.Health.NEEDS_CHECK_IN
            else:
                health = CheckIn.Health.ON_TRACK
            rows.append(
                CheckIn(
                    group=plan.group,
                    staff=rng.choice(operators),
                    held_on=held_on,
                    channel=rng.choices(["phone", "visit", "online"], weights=[7, 1, 2])[0],
                    notes=rng.choice(CHECK_IN_NOTES[health]),
                    health=health,
                    public_id=_uuid(ctx),
                )
            )
    _bulk(CheckIn, rows)


def _awards(ctx: DemoContext, term: MentorTerm, published_on: dt.date, operator: User) -> None:
    """Monthly excellent teams for each complete month of activity: earlier months published,
    the last one proposed and under review (one team set aside with a reason)."""
    # a month counts when the groups were active for (nearly) all of it
    month = published_on.replace(day=1)
    if published_on.day > 7:
        month = add_months(month, 1)
    this_month = ctx.today.replace(day=1)
    months = []
    while month < this_month:
        months.append(month)
        month = add_months(month, 1)
    for index, start in enumerate(months):
        end = add_months(start, 1) - dt.timedelta(days=1)
        kind = "monthly_team"
        proposed = services.awards_propose(
            operator=operator, term=term, kind=kind, period_start=start, period_end=end
        )
        if not proposed:
            continue
        for award in proposed:  # seeded identifiers (certificates are linked by them)
            award.public_id = _uuid(ctx)
            Award.objects.filter(pk=award.pk).update(public_id=award.public_id)
        if index < len(months) - 1 or len(months) == 1:
            services.awards_publish(operator=operator, term=term, kind=kind, period_start=start)
        elif len(proposed) > 2:
            services.award_exclude(
                operator=operator,
                award=proposed[1],
                reason="멘티 보호자 민원 확인 중 (다음 달 재검토)",
            )


def _closures(ctx: DemoContext, plans: list[Plan], operator: User) -> None:
    """A planned ending with both exit surveys, and an unplanned one whose mentee waits for a
    new mentor."""
    candidates = [
        p for p in plans if p.group.mentor.user.username != "mentor" and len(p.matches) >= 2
    ]
    if len(candidates) < 2:
        return
    planned, unplanned = candidates[0], candidates[1]
    match = planned.matches[-1]
    services.match_end(
        actor=operator,
        match=match,
        ending=Match.Ending.PLANNED,
        reason="검정고시 합격으로 목표를 이루어 계획대로 종료",
    )
    services.exit_survey_submit(
        user=match.mentee.user,
        match=match,
        satisfaction=5,
        goals_met=5,
        would_recommend=True,
        comment="멘토님 덕분에 포기하지 않고 끝까지 공부했어요.",
    )
    services.exit_survey_submit(
        user=planned.group.mentor.user,
        match=match,
        satisfaction=5,
        goals_met=4,
        would_recommend=True,
        comment="멘티가 스스로 계획을 세우게 된 것이 가장 큰 변화였습니다.",
    )
    match = unplanned.matches[-1]
    services.match_end(
        actor=operator,
        match=match,
        ending=Match.Ending.UNPLANNED,
        reason="학원 일정과 겹쳐 정기 활동 시간을 맞추기 어려움",
        rematch=True,
    )
    # the service opened a new application for the rematch; give it a seeded identifier
    MenteeApplication.objects.filter(
        user=match.mentee.user, status=MenteeApplication.Status.SUBMITTED
    ).update(public_id=_uuid(ctx))
    services.exit_survey_submit(
        user=match.mentee.user,
        match=match,
        satisfaction=3,
        goals_met=2,
        would_recommend=True,
        comment="시간이 맞는 멘토를 다시 만나고 싶어요.",
    )
    for survey in ExitSurvey.objects.filter(
        match__group__in=[planned.group, unplanned.group]
    ).order_by("pk"):
        ExitSurvey.objects.filter(pk=survey.pk).update(public_id=_uuid(ctx))


def _events(ctx: DemoContext, term: MentorTerm, plans: list[Plan], published_on: dt.date) -> None:
    rng = ctx.rng
    today = ctx.today
    events = [
        Event(
            term=term,
            kind=Event.Kind.BONDING,
            title=f"{term.starts_on.year} 멘토·멘티 결연식",
            starts_at=_at(published_on + dt.timedelta(days=5), 14),
            place="서울시청 다목적홀",
            capacity=ctx.scale(300, 3000),
            public_id=_uuid(ctx),
        ),
        Event(
            term=term,
            kind=Event.Kind.GUEST_TALK,
            title="원데이 게스트 멘토: 게임 기획자의 하루",
            speaker="게임 기획자 서도윤",
            starts_at=_at(today - dt.timedelta(days=20), 19),
            place="온라인 (서울런 라이브)",
            capacity=500,
            public_id=_uuid(ctx),
        ),
        Event(
            term=term,
            kind=Event.Kind.GUEST_TALK,
            title="원데이 게스트 멘토: 간호사로 일한다는 것",
            speaker="서울의료원 간호사 김은솔",
            starts_at=_at(today + dt.timedelta(days=9), 19),
            place="온라인 (서울런 라이브)",
            capacity=300,
            public_id=_uuid(ctx),
        ),
        Event(
            term=term,
            kind=Event.Kind.BONDING,
            title="멘토링 가족 캠프 (북서울꿈의숲)",
            starts_at=_at(today + dt.timedelta(days=23), 10),
            place="북서울꿈의숲 잔디광장",
            capacity=ctx.scale(120, 1200),
            public_id=_uuid(ctx),
        ),
    ]
    _bulk(Event, events)
    events = list(Event.objects.filter(term=term).order_by("starts_at"))
    registrations = []
    for event in events:
        past = event.starts_at.date() < today
        share = 0.6 if event.kind == Event.Kind.BONDING else 0.15
        seen: set[int] = set()
        for plan in plans:
            if plan.group.mentor.user.username == "mentor" and not past:
                continue  # the demo logins can sign up themselves
            if rng.random() > share:
                continue
            people = [plan.group.mentor.user] + [m.mentee.user for m in plan.matches]
            for user in people:
                if user.pk in seen or len(seen) >= event.capacity:
                    continue
                seen.add(user.pk)
                registrations.append(
                    EventRegistration(
                        event=event,
                        user=user,
                        attended=past and rng.random() < 0.85,
                        public_id=_uuid(ctx),
                    )
                )
    _bulk(EventRegistration, registrations)
