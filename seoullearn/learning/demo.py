"""Demo data: learners' goals and free time, four weeks of plans (some kept, some not),
portfolios with reflections and a share link, and the demo mentor's comments on the plans of
this week of their mentees (``learner_member`` among them, from the mentoring demo)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from seoullearn.core.demo import DemoContext
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL
from seoullearn.eligibility.models import Membership
from seoullearn.learning import services, sources
from seoullearn.learning.models import Goal, LearningPlan, PlanItem, PortfolioEntry, Subject
from seoullearn.learning.planner import week_start_of

PROFILES = [
    (["school_grades"], ["math", "english"], "visual", "로봇", "기계공학", "로봇 엔지니어"),
    (["ged"], ["korean", "history", "social"], "reading", "역사", "", "사회복지사"),
    (
        ["admission", "career"],
        ["korean", "math", "science"],
        "kinesthetic",
        "생명과학",
        "간호학",
        "간호사",
    ),
    (["certificate", "career"], ["coding", "certificate"], "visual", "게임", "", "개발자"),
    (["school_grades"], ["english", "reading"], "auditory", "음악", "실용음악", "작곡가"),
]


def _members(ctx: DemoContext) -> list[Any]:
    members = ctx.shared.get("members")
    if members:
        return [m for m in members if getattr(m, "role", Role.LEARNER) == Role.LEARNER]
    user_ids = Membership.objects.filter(status__in=Membership.CURRENT).values_list(
        "user_id", flat=True
    )
    return list(get_user_model().objects.filter(pk__in=user_ids, role=Role.LEARNER)[:400])


def seed(ctx: DemoContext) -> None:
    members = _members(ctx)
    if not members:
        return
    rng = ctx.rng
    this_week = week_start_of(ctx.today)
    chosen = members[: ctx.scale(40, 400)]
    for index, learner in enumerate(chosen):
        purposes, subjects, style, interests, major, job = PROFILES[index % len(PROFILES)]
        weekday = rng.choice([30, 45, 60, 60, 90])
        services.profile_save(
            learner=learner,
            purposes=purposes,
            subjects=subjects,
            interests=interests,
            desired_major=major,
            desired_job=job,
            learning_style=style,
            session_minutes=rng.choice([25, 30, 40]),
            availability={
                "mon": weekday,
                "tue": weekday,
                "wed": rng.choice([0, weekday]),
                "thu": weekday,
                "fri": rng.choice([0, 30]),
                "sat": rng.choice([60, 120, 150]),
                "sun": rng.choice([0, 60]),
            },
        )
        Goal.objects.create(
            learner=learner,
            title=f"{Subject(subjects[0]).label} 주 {weekday * 3}분",
            purpose=purposes[0],
            subject=subjects[0],
            metric=Goal.Metric.WEEKLY_MINUTES,
            target_value=weekday * 3,
        )
        Goal.objects.create(
            learner=learner,
            title="일주일에 4일 공부하기",
            purpose=purposes[0],
            subject="",
            metric=Goal.Metric.ACTIVE_DAYS,
            target_value=4,
        )
        # How consistently this learner keeps the plan: some thrive, some fall behind.
        keeps = rng.choice([0.9, 0.75, 0.5, 0.3])
        for weeks_ago in (4, 3, 2, 1, 0):
            week = this_week - dt.timedelta(weeks=weeks_ago)
            plan = services.plan_generate(
                learner=learner, week_start=week, as_of=week, by="schedule"
            )
            for item in plan.items.filter(fixed=False, day__lt=ctx.today):
                if rng.random() < keeps:
                    PlanItem.objects.filter(pk=item.pk).update(
                        done_at=dt.datetime.combine(item.day, dt.time(20), tzinfo=SEOUL)
                    )
        services.portfolio_sync(learner=learner)
        for entry in PortfolioEntry.objects.filter(learner=learner)[:3]:
            entry.included = True
            entry.reflection = rng.choice(
                [
                    "처음에는 어려웠지만 매일 조금씩 하니 습관이 되었다.",
                    "전문가의 이야기를 듣고 내가 하고 싶은 일을 더 구체적으로 그려 보게 되었다.",
                    "팀원들과 역할을 나누고 끝까지 해낸 경험이 자랑스럽다.",
                ]
            )
            entry.save()
        if index == 0:
            if PortfolioEntry.objects.filter(learner=learner, included=True).exists():
                services.share_create(learner=learner, recipient="서울고등학교 진학지도부", days=30)
            ctx.login(
                "learner", learner.get_username(), "학습 계획·진도·포트폴리오가 채워진 학습자"
            )
    _mentor_comments(ctx, chosen)


MENTOR_COMMENTS = [
    "이번 주 계획 좋아요! 멘토링 전에 숙제를 먼저 풀어 오면 틀린 문제를 같이 볼 수 있어요. "
    "주말에는 복습 위주로 가볍게 해요.",
    "평일 공부 시간이 조금 많아 보여요. 하루는 쉬는 날로 두고 꾸준히 하는 게 더 중요해요.",
    "지난주보다 계획을 잘 지켰네요. 이번 주에는 영어 단어를 매일 10분씩 넣어 보면 어때요?",
]


def _mentor_comments(ctx: DemoContext, learners: list[Any]) -> None:
    """The demo mentor comments on this week's plan of each of their mentees who has one,
    through the service the plan page calls (only the learner's own mentor may)."""
    mentor = get_user_model().objects.filter(username="mentor", role=Role.MENTOR).first()
    if mentor is None:
        return
    this_week = week_start_of(ctx.today)
    chosen = {learner.pk for learner in learners}
    mentees = sorted(
        (m for m in sources.mentees_of(mentor) if m.pk in chosen),
        key=lambda m: m.get_username() != "learner_member",
    )
    for index, mentee in enumerate(mentees):
        plan = LearningPlan.objects.filter(learner=mentee, week_start=this_week).first()
        if plan is not None:
            services.plan_comment_add(
                plan=plan, author=mentor, body=MENTOR_COMMENTS[index % len(MENTOR_COMMENTS)]
            )
