"""Reads of the workspace, with the object-level checks every view and endpoint relies on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts.models import ConsentRecord
from seoullearn.accounts.selectors import children_of, is_guardian_of
from seoullearn.activities.models import CareerApplication, ConsultingBooking, LectureRegistration
from seoullearn.core.errors import NotFound, PermissionDenied
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now, today
from seoullearn.learning import progress, sources
from seoullearn.learning.models import (
    Goal,
    LearningPlan,
    LearningProfile,
    PlanItem,
    PortfolioEntry,
    PortfolioShare,
)
from seoullearn.learning.planner import week_start_of

SHARE_SALT = "seoullearn.learning.portfolio-share"


def profile_of(learner: Any) -> LearningProfile | None:
    return LearningProfile.objects.filter(user=learner).first()


def goals_of(learner: Any, *, active_only: bool = False) -> QuerySet[Goal]:
    qs = Goal.objects.filter(learner=learner)
    if active_only:
        qs = qs.filter(status=Goal.Status.ACTIVE)
    return qs


def plan_for_week(learner: Any, week_start: dt.date) -> LearningPlan | None:
    return (
        LearningPlan.objects.filter(learner=learner, week_start=week_start)
        .prefetch_related("items", "comments", "comments__author")
        .first()
    )


def current_plan(learner: Any) -> LearningPlan | None:
    return plan_for_week(learner, week_start_of(today()))


def may_read_plan(viewer: Any, plan: LearningPlan) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.role == Role.LEARNER:
        return bool(plan.learner_id == viewer.pk)
    if viewer.role == Role.MENTOR:
        return sources.is_mentor_of(viewer, plan.learner)
    return False


def plan_for_viewer(viewer: Any, public_id: Any) -> LearningPlan:
    """A plan its learner or the learner's mentor may open; nobody else."""
    plan = (
        LearningPlan.objects.select_related("learner")
        .prefetch_related("items", "comments", "comments__author")
        .filter(public_id=public_id)
        .first()
    )
    if plan is None:
        raise NotFound(_("학습 계획을 찾을 수 없습니다."))
    if not may_read_plan(viewer, plan):
        raise PermissionDenied(_("이 학습 계획을 볼 권한이 없습니다."), code="wrong_owner")
    return plan


def own_item(learner: Any, public_id: Any) -> PlanItem:
    item = PlanItem.objects.select_related("plan").filter(public_id=public_id).first()
    if item is None:
        raise NotFound(_("계획 항목을 찾을 수 없습니다."))
    if learner.role != Role.LEARNER or item.plan.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 계획만 고칠 수 있습니다."), code="wrong_owner")
    return item


def own_plan(learner: Any, public_id: Any) -> LearningPlan:
    plan = LearningPlan.objects.filter(public_id=public_id).first()
    if plan is None:
        raise NotFound(_("학습 계획을 찾을 수 없습니다."))
    if learner.role != Role.LEARNER or plan.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 계획만 고칠 수 있습니다."), code="wrong_owner")
    return plan


# --- progress ---------------------------------------------------------------------------------


def plan_records(learner: Any, start: dt.date, end: dt.date) -> list[progress.ActivityRecord]:
    """Plan items the learner ticked off, as self-reported study time."""
    return [
        progress.ActivityRecord(
            day=item.day,
            minutes=item.minutes,
            offering_key=item.offering_key,
            offering_name=item.title,
            kind="time",
            source="plan",
        )
        for item in PlanItem.objects.filter(
            plan__learner=learner,
            day__gte=start,
            day__lte=end,
            done_at__isnull=False,
            fixed=False,
        )
    ]


def activity_records(learner: Any, start: dt.date, end: dt.date) -> list[progress.ActivityRecord]:
    """Every learning record of a period. Measured time (the record store, providers' reports,
    the city's programmes) comes first; ticked-off plan items only top a day up to what the
    learner says they did, so the same hour is never counted twice."""
    measured = progress.merge_provider_sources(
        [
            *sources.lrs_records(learner, start, end),
            *sources.usage_records(learner, start, end),
            *sources.platform_records(learner, start, end),
        ]
    )
    measured_by_day: dict[dt.date, int] = defaultdict(int)
    for r in measured:
        measured_by_day[r.day] += max(0, r.minutes)
    reported_by_day: dict[dt.date, int] = defaultdict(int)
    for r in plan_records(learner, start, end):
        reported_by_day[r.day] += r.minutes
    topped = [
        progress.ActivityRecord(
            day=day,
            minutes=minutes - measured_by_day.get(day, 0),
            offering_key="",
            offering_name=str(_("스스로 기록한 공부")),
            kind="time",
            source="plan",
        )
        for day, minutes in sorted(reported_by_day.items())
        if minutes > measured_by_day.get(day, 0)
    ]
    return [*measured, *topped]


@dataclass
class Overview:
    today: dt.date
    week_start: dt.date
    week: progress.Totals
    month: progress.Totals
    offerings: list[progress.OfferingProgress]
    week_days: list[tuple[dt.date, int]]
    month_days: list[tuple[dt.date, int]]
    weeks: list[tuple[dt.date, int]]
    streak: progress.Streak
    goals: list[tuple[Goal, float, int]]
    sources: dict[str, bool]


def progress_overview(learner: Any, *, on: dt.date | None = None) -> Overview:
    day = on or today()
    week_start = week_start_of(day)
    month_start = day.replace(day=1)
    history_start = week_start - dt.timedelta(weeks=7)
    first = min(history_start, month_start)
    records = activity_records(learner, first, day)
    week_totals, offerings = progress.summarise(records, week_start, day)
    month_totals, _o = progress.summarise(records, month_start, day)
    all_records = activity_records(learner, dt.date(2000, 1, 1), day)
    goals = [
        (goal, *progress.goal_attainment(goal.metric, goal.target_value, all_records, week_start))
        for goal in goals_of(learner, active_only=True)
    ]
    return Overview(
        today=day,
        week_start=week_start,
        week=week_totals,
        month=month_totals,
        offerings=offerings,
        week_days=progress.daily_minutes(records, week_start, week_start + dt.timedelta(days=6)),
        month_days=progress.daily_minutes(records, month_start, day),
        weeks=progress.weekly_minutes(records, week_start, 8),
        streak=progress.streak(progress.active_days(records), day),
        goals=goals,
        sources=sources.installed_sources(),
    )


# --- portfolio --------------------------------------------------------------------------------


def portfolio_of(learner: Any, *, included_only: bool = False) -> QuerySet[PortfolioEntry]:
    qs = PortfolioEntry.objects.filter(learner=learner)
    if included_only:
        qs = qs.filter(included=True, verification=PortfolioEntry.Verification.VERIFIED)
    return qs.order_by("-occurred_on", "title")


def own_entry(learner: Any, public_id: Any) -> PortfolioEntry:
    entry = PortfolioEntry.objects.filter(public_id=public_id).first()
    if entry is None:
        raise NotFound(_("포트폴리오 항목을 찾을 수 없습니다."))
    if learner.role != Role.LEARNER or entry.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 포트폴리오만 고칠 수 있습니다."), code="wrong_owner")
    return entry


def shares_of(learner: Any) -> QuerySet[PortfolioShare]:
    return PortfolioShare.objects.filter(learner=learner)


def share_token(share: PortfolioShare) -> str:
    return signing.dumps({"s": str(share.public_id)}, salt=SHARE_SALT, compress=True)


def share_from_token(token: str) -> PortfolioShare:
    """The share a link names, if its signature is good, it has not expired or been revoked."""
    try:
        data = signing.loads(token, salt=SHARE_SALT, max_age=dt.timedelta(days=366))
    except signing.SignatureExpired as exc:
        raise PermissionDenied(_("만료된 링크입니다."), code="share_expired") from exc
    except signing.BadSignature as exc:
        raise NotFound(_("올바르지 않은 링크입니다."), code="share_invalid") from exc
    share_id = str(data.get("s", "")) if isinstance(data, dict) else ""
    share = PortfolioShare.objects.select_related("learner").filter(public_id=share_id).first()
    if share is None:
        raise NotFound(_("올바르지 않은 링크입니다."), code="share_invalid")
    if share.revoked_at is not None:
        raise PermissionDenied(_("학습자가 공유를 중단한 링크입니다."), code="share_revoked")
    if share.expires_at <= now():
        raise PermissionDenied(_("만료된 링크입니다."), code="share_expired")
    return share


# --- guardians --------------------------------------------------------------------------------


def children_for(guardian: Any) -> list[Any]:
    if not getattr(guardian, "is_authenticated", False) or guardian.role != Role.GUARDIAN:
        return []
    return list(children_of(guardian).order_by("full_name", "username"))


def child_for_guardian(guardian: Any, child_public_id: Any) -> Any:
    """A linked child of this guardian (a verified link), never anyone else's."""
    from seoullearn.accounts.models import User

    child = User.objects.filter(public_id=child_public_id, role=Role.LEARNER).first()
    if child is None:
        raise NotFound(_("학습자를 찾을 수 없습니다."))
    if guardian.role != Role.GUARDIAN or not is_guardian_of(guardian, child):
        raise PermissionDenied(_("연결된 자녀의 정보만 볼 수 있습니다."), code="wrong_owner")
    return child


@dataclass
class ChildSummary:
    child: Any
    overview: Overview
    bookings: list[ConsultingBooking]
    lectures: list[LectureRegistration]
    applications: list[CareerApplication]
    consents: list[ConsentRecord]


def child_summary(child: Any) -> ChildSummary:
    return ChildSummary(
        child=child,
        overview=progress_overview(child),
        bookings=list(
            ConsultingBooking.objects.select_related("slot", "service")
            .filter(learner=child)
            .order_by("-slot__starts_at")[:20]
        ),
        lectures=list(
            LectureRegistration.objects.select_related("lecture")
            .filter(learner=child)
            .order_by("-lecture__starts_at")[:20]
        ),
        applications=list(
            CareerApplication.objects.select_related("cohort").filter(learner=child)[:20]
        ),
        consents=list(
            ConsentRecord.objects.select_related("notice", "given_by").filter(subject=child)
        ),
    )
