"""Demo data: consultants and their weeks, bookings with notes and surveys, career cohorts at
every stage, and the six special lectures of the year (the seed document's 2022 topics)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from seoullearn.activities import selectors, services
from seoullearn.activities.models import (
    CareerApplication,
    CareerCohort,
    CompanyVisit,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingService,
    ConsultingSurvey,
    LectureRegistration,
    LectureSurvey,
    ProjectTeam,
    SpecialLecture,
    StageCompletion,
)
from seoullearn.core.demo import DEMO_PASSWORD, DemoContext
from seoullearn.core.errors import NotFound
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL
from seoullearn.eligibility.models import Membership
from seoullearn.programmes.selectors import current_programme

CONSULTANTS = [
    ("consultant", "박지현", "study"),
    ("consultant2", "이준호", "admissions"),
    ("consultant3", "최수민", "study"),
]

LECTURES_2022 = [
    ("그리스·로마 신화로 읽는 인간", "김헌", "metaverse"),
    ("꿈에 이르는 길", "이국종", "youtube"),
    ("뇌과학, 나를 이해하는 법", "정재승", "youtube"),
    ("로봇과 함께 살아갈 미래", "한재권", "metaverse"),
    ("세계사로 보는 오늘", "썬킴", "youtube"),
    ("사회심리학: 우리는 왜 그렇게 행동할까", "허태균", "youtube"),
]

SUMMARIES = [
    "하루 25분씩 수학 개념 복습, 틀린 문제는 오답 노트에 이유까지 적기.",
    "영어 단어는 매일 같은 시간에 20개. 주말에 한 번 몰아서 다시 보기.",
    "계획을 작게 나누고, 끝낸 것에 표시하는 습관부터 시작해요.",
    "수시 6장 중 2장은 적정, 2장은 상향. 자기소개서 초안은 다음 주까지.",
]


def _members(ctx: DemoContext) -> list[Any]:
    members = ctx.shared.get("members")
    if members:
        return [m for m in members if getattr(m, "role", Role.LEARNER) == Role.LEARNER]
    user_ids = Membership.objects.filter(status__in=Membership.CURRENT).values_list(
        "user_id", flat=True
    )
    return list(get_user_model().objects.filter(pk__in=user_ids, role=Role.LEARNER)[:400])


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


def seed(ctx: DemoContext) -> None:
    try:
        programme = current_programme()
    except NotFound:
        return
    services.consulting_services_seed(programme=programme, actor=None)
    User = get_user_model()
    consultants = []
    for username, name, track in CONSULTANTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": Role.CONSULTANT,
                "full_name": name,
                "email": f"{username}@consult.seoullearn.example",
                "birth_date": dt.date(1982, 4, 4),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        consultants.append((user, track))
    ctx.login("consultant", "consultant", "학습 전략 컨설턴트")
    ctx.login("consultant", "consultant2", "입시 컨설턴트")
    ctx.shared["consultants"] = [c for c, _t in consultants]

    today = ctx.today
    monday = today - dt.timedelta(days=today.weekday())
    slots_by_track: dict[str, list[ConsultantSlot]] = {"study": [], "admissions": []}
    for index, (consultant, track) in enumerate(consultants):
        for week in range(-4, 4):
            for weekday in (0, 2, 4) if index % 2 == 0 else (1, 3):
                day = monday + dt.timedelta(weeks=week, days=weekday)
                for hour in (16, 17, 18):
                    slot = ConsultantSlot.objects.create(
                        consultant=consultant,
                        track=track,
                        starts_at=_at(day, hour),
                        ends_at=_at(day, hour, 50),
                        mode="online" if hour != 16 else "offline",
                        location="서울런 상담실 (시청 별관 3층)" if hour == 16 else "화상 상담",
                    )
                    slots_by_track[track].append(slot)

    members = _members(ctx)
    rng = ctx.rng
    service_by_code = {s.code: s for s in ConsultingService.objects.filter(programme=programme)}
    now_local = _at(today, 12)
    # Slots already held by a booking, kept in memory as bookings are made (one query, not one
    # per slot and learner).
    taken = set(
        ConsultingBooking.objects.filter(
            slot__in=[s for track in slots_by_track.values() for s in track],
            status__in=ConsultingBooking.SLOT_HOLDING,
        ).values_list("slot_id", flat=True)
    )
    for learner in members[: ctx.scale(60, 600)]:
        eligible = [a.service for a in selectors.services_for(learner, programme) if a.eligible]
        if not eligible:
            continue
        service = eligible[0]
        pool = [s for s in slots_by_track[service.track] if s.pk not in taken]
        if not pool:
            continue
        for slot in rng.sample(pool, k=min(len(pool), rng.randint(1, 2))):
            if slot.starts_at < now_local:
                status = rng.choice(["completed", "completed", "completed", "no_show"])
            else:
                status = "booked"
            booking = ConsultingBooking.objects.create(
                slot=slot,
                service=service_by_code.get(service.code, service),
                learner=learner,
                status=status,
                topic=rng.choice(
                    ["공부 계획을 세우고 싶어요", "수학이 어려워요", "진로가 고민이에요"]
                ),
                status_changed_by=slot.consultant,
                status_reason="demo",
            )
            if status in ConsultingBooking.SLOT_HOLDING:
                taken.add(slot.pk)
            if status == "completed":
                booking.completed_at = slot.ends_at
                booking.consultant_note = "학습 동기는 높으나 계획 실행이 불규칙함."
                booking.shared_summary = rng.choice(SUMMARIES)
                booking.save()
                if rng.random() < 0.7:
                    ConsultingSurvey.objects.create(
                        booking=booking, rating=rng.choice([4, 5, 5, 3]), helpful=True
                    )

    # --- career programme: three cohorts, one per track ---
    cohorts = [
        ("2026 진로 탐색 1기", "exploration", -70, -40, "finished"),
        ("2026 기업 탐방 2기", "company_visit", -20, 25, "running"),
        ("2026 전 과정 3기", "full", 10, 120, "recruiting"),
    ]
    operator = User.objects.filter(role=Role.OPERATOR).first()
    for name, track, start, end, status in cohorts:
        cohort = CareerCohort.objects.create(
            programme=programme,
            name=name,
            track=track,
            description="진로를 직접 탐색하고, 기업을 방문하고, 팀으로 결과물을 만들어 발표합니다.",
            capacity=ctx.scale(12, 40),
            applications_open_on=today + dt.timedelta(days=start - 20),
            applications_close_on=today + dt.timedelta(days=start - 1),
            starts_on=today + dt.timedelta(days=start),
            ends_on=today + dt.timedelta(days=end),
            status=status,
        )
        team = ProjectTeam.objects.create(
            cohort=cohort, name="초록팀", topic="동네 분리수거 지도 만들기"
        )
        if track != "exploration":
            CompanyVisit.objects.create(
                cohort=cohort,
                company_name="서울로보틱스",
                visit_at=_at(today + dt.timedelta(days=start + 12), 14),
                duration_minutes=180,
                address="서울 성동구 성수이로 00",
                capacity=20,
            )
        applicants = rng.sample(members, k=min(len(members), ctx.scale(10, 50)))
        for position, learner in enumerate(applicants):
            application = CareerApplication.objects.create(
                cohort=cohort,
                learner=learner,
                motivation="제가 좋아하는 일이 무엇인지 직접 경험해 보고 싶습니다.",
            )
            if status == "recruiting":
                continue
            if position >= cohort.capacity:
                application.status = CareerApplication.Status.WAITLISTED
                application.save()
                continue
            application.status = CareerApplication.Status.SELECTED
            application.decided_by = operator
            application.team = team
            application.save()
            stages = cohort.stages if status == "finished" else cohort.stages[:0]
            for stage in stages:
                StageCompletion.objects.create(
                    application=application,
                    stage=stage,
                    completed_at=_at(today + dt.timedelta(days=end), 17),
                    recorded_by=operator,
                )
            if stages and set(stages) >= set(cohort.stages):
                application.status = CareerApplication.Status.COMPLETED
                application.completed_at = _at(today + dt.timedelta(days=end), 17)
                application.save()

    # --- special lectures: six a year ---
    for sequence, (title, speaker, platform) in enumerate(LECTURES_2022, start=1):
        day = today + dt.timedelta(days=(sequence - 4) * 28 + 2)
        starts = _at(day, 19)
        lecture = SpecialLecture.objects.create(
            programme=programme,
            sequence=sequence,
            title=title,
            speaker=speaker,
            description="분야 최고의 전문가와 함께하는 서울런 특강입니다.",
            starts_at=starts,
            duration_minutes=90,
            platform=platform,
            stream_url="https://www.youtube.com/@seoullearn/live"
            if platform == "youtube"
            else "https://metaverse.seoullearn.example/hall",
            replay_url="https://www.youtube.com/@seoullearn/videos" if day < today else "",
            capacity=None if platform == "youtube" else 300,
            checkin_code=f"SL{sequence}{rng.randint(100, 999)}",
        )
        for learner in rng.sample(members, k=min(len(members), ctx.scale(25, 300))):
            registration = LectureRegistration.objects.create(lecture=lecture, learner=learner)
            if day < today and rng.random() < 0.75:
                registration.attended_at = starts + dt.timedelta(minutes=5)
                registration.attendance_source = rng.choice(["code", "code", "xapi"])
                registration.save()
                if rng.random() < 0.5:
                    LectureSurvey.objects.create(
                        registration=registration,
                        rating=rng.choice([5, 5, 4, 4, 3]),
                        comment=rng.choice(["", "꿈이 생겼어요", "다음에도 듣고 싶어요"]),
                    )
