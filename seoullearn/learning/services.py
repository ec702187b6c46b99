"""Writes of the workspace: profile and goals, plans, comments, portfolio and share links."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from seoullearn.activities.notify import notify_user
from seoullearn.core.errors import Conflict, InvalidInput, PermissionDenied
from seoullearn.core.files import sniff_content_type, store_encrypted
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import SEOUL, now, today
from seoullearn.eligibility.models import Membership
from seoullearn.learning import planner, selectors, sources
from seoullearn.learning.models import (
    WEEKDAYS,
    Goal,
    LearningPlan,
    LearningProfile,
    LearningStyle,
    PlanComment,
    PlanItem,
    PortfolioEntry,
    PortfolioShare,
    Purpose,
    Subject,
)

MAX_DAY_MINUTES = 720
PLAN_REMINDER_HOUR = 15
MAX_SHARE_DAYS = 90
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


# --- profile and goals ------------------------------------------------------------------------


def profile_save(
    *,
    learner: Any,
    purposes: list[str],
    subjects: list[str],
    interests: str = "",
    desired_major: str = "",
    desired_job: str = "",
    learning_style: str = "",
    session_minutes: int = 40,
    availability: dict[str, int],
    reminders_enabled: bool = True,
) -> LearningProfile:
    require_role(learner, Role.LEARNER)
    errors: dict[str, str] = {}
    bad_purposes = [p for p in purposes if p not in Purpose.values]
    if bad_purposes or not purposes:
        errors["purposes"] = str(_("학습 목적을 하나 이상 골라 주세요."))
    bad_subjects = [s for s in subjects if s not in Subject.values]
    if bad_subjects:
        errors["subjects"] = str(_("알 수 없는 과목입니다: %(s)s") % {"s": ", ".join(bad_subjects)})
    if learning_style and learning_style not in LearningStyle.values:
        errors["learning_style"] = str(_("학습 스타일을 확인해 주세요."))
    if not 15 <= int(session_minutes) <= 90:
        errors["session_minutes"] = str(_("한 번에 공부하는 시간은 15분에서 90분 사이입니다."))
    minutes: dict[str, int] = {}
    for day in WEEKDAYS:
        value = availability.get(day, 0)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = -1
        if not 0 <= value <= MAX_DAY_MINUTES:
            errors[f"minutes_{day}"] = str(_("하루 공부 시간은 0분에서 720분 사이입니다."))
        minutes[f"minutes_{day}"] = value
    unknown_days = set(availability) - set(WEEKDAYS)
    if unknown_days:
        errors["availability"] = str(_("요일을 확인해 주세요."))
    texts: tuple[tuple[str, str, int], ...] = (
        ("interests", interests, 300),
        ("desired_major", desired_major, 100),
        ("desired_job", desired_job, 100),
    )
    for name, text, limit in texts:
        if len(text) > limit:
            errors[name] = str(_("%(n)s자 이내로 적어 주세요.") % {"n": limit})
    if errors:
        raise InvalidInput(_("입력값을 확인해 주세요."), details={"fields": errors})
    profile, _created = LearningProfile.objects.update_or_create(
        user=learner,
        defaults={
            "purposes": sorted(set(purposes)),
            "subjects": sorted(set(subjects)),
            "interests": interests.strip(),
            "desired_major": desired_major.strip(),
            "desired_job": desired_job.strip(),
            "learning_style": learning_style,
            "session_minutes": int(session_minutes),
            "reminders_enabled": reminders_enabled,
            **minutes,
        },
    )
    return profile


def _validate_goal(
    title: str, purpose: str, subject: str, metric: str, target_value: int, due_on: Any
) -> None:
    errors: dict[str, str] = {}
    if not title.strip() or len(title) > 150:
        errors["title"] = str(_("목표를 150자 이내로 적어 주세요."))
    if purpose not in Purpose.values:
        errors["purpose"] = str(_("목적을 골라 주세요."))
    if subject and subject not in Subject.values:
        errors["subject"] = str(_("과목을 확인해 주세요."))
    if metric not in Goal.Metric.values:
        errors["metric"] = str(_("측정 방법을 골라 주세요."))
    limits = {"weekly_minutes": 5040, "active_days": 7, "completions": 1000, "assessment": 100}
    if metric in limits and not 1 <= int(target_value) <= limits[metric]:
        errors["target_value"] = str(
            _("목표 값은 1에서 %(max)s 사이여야 합니다.") % {"max": limits[metric]}
        )
    if due_on is not None and due_on < today():
        errors["due_on"] = str(_("목표일은 오늘 이후여야 합니다."))
    if errors:
        raise InvalidInput(_("입력값을 확인해 주세요."), details={"fields": errors})


def goal_create(
    *,
    learner: Any,
    title: str,
    purpose: str,
    subject: str,
    metric: str,
    target_value: int,
    due_on: dt.date | None,
) -> Goal:
    require_role(learner, Role.LEARNER)
    _validate_goal(title, purpose, subject, metric, target_value, due_on)
    if Goal.objects.filter(learner=learner, status=Goal.Status.ACTIVE).count() >= 10:
        raise Conflict(_("진행 중인 목표는 10개까지 둘 수 있습니다."), code="too_many_goals")
    return Goal.objects.create(
        learner=learner,
        title=title.strip(),
        purpose=purpose,
        subject=subject,
        metric=metric,
        target_value=int(target_value),
        due_on=due_on,
    )


def goal_status_set(*, goal: Goal, learner: Any, status: str) -> Goal:
    require_role(learner, Role.LEARNER)
    if goal.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 목표만 바꿀 수 있습니다."), code="wrong_owner")
    if status not in Goal.Status.values:
        raise InvalidInput(_("상태를 확인해 주세요."), details={"field": "status"})
    goal.status = status
    goal.save(update_fields=["status", "updated_at"])
    return goal


# --- plans ------------------------------------------------------------------------------------


def _reason_json(reasons: tuple[planner.Reason, ...]) -> list[dict[str, Any]]:
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


def _previous_progress(learner: Any, week_start: dt.date) -> planner.Progress:
    """How the last week went: planned study against what was actually learned."""
    previous_start = week_start - dt.timedelta(weeks=1)
    previous = LearningPlan.objects.filter(learner=learner, week_start=previous_start).first()
    planned = 0
    carried: set[str] = set()
    if previous is not None:
        for item in previous.items.filter(fixed=False):
            planned += item.minutes
            if item.done_at is None and item.subject and item.kind == PlanItem.Kind.STUDY:
                carried.add(item.subject)
    learned = sum(
        max(0, r.minutes)
        for r in selectors.activity_records(
            learner, previous_start, previous_start + dt.timedelta(days=6)
        )
    )
    subject_minutes: dict[str, int] = defaultdict(int)
    for item in PlanItem.objects.filter(
        plan__learner=learner,
        day__gte=week_start - dt.timedelta(weeks=4),
        day__lt=week_start,
        done_at__isnull=False,
        fixed=False,
    ).exclude(subject=""):
        subject_minutes[item.subject] += item.minutes
    return planner.Progress(
        planned_minutes=planned,
        done_minutes=learned,
        subject_minutes=tuple(sorted(subject_minutes.items())),
        carried_over=tuple(sorted(carried)),
    )


def plan_input(
    learner: Any,
    profile: LearningProfile,
    week_start: dt.date,
    *,
    from_day: dt.date | None = None,
    kept: list[PlanItem] | None = None,
) -> planner.PlanInput:
    week_end = week_start + dt.timedelta(days=6)
    goals = tuple(
        planner.Goal(
            key=str(g.public_id), title=g.title, subject=g.subject, due_on=g.due_on, weight=1.0
        )
        for g in Goal.objects.filter(learner=learner, status=Goal.Status.ACTIVE).exclude(subject="")
    )
    fixed = (
        *sources.mentoring_events(learner, week_start, week_end),
        *sources.programme_events(learner, week_start, week_end),
    )
    kept_minutes: dict[dt.date, int] = defaultdict(int)
    for item in kept or []:
        kept_minutes[item.day] += item.minutes
    return planner.PlanInput(
        week_start=week_start,
        availability=profile.availability,
        subjects=tuple(s for s in profile.subjects if s in Subject.values),
        goals=goals,
        offerings=tuple(sources.selected_offerings(learner)),
        fixed=tuple(fixed),
        progress=_previous_progress(learner, week_start),
        session_minutes=profile.session_minutes,
        learning_style=profile.learning_style,
        quotas=tuple(sources.programme_quotas(learner, week_start, week_end)),
        from_day=from_day,
        kept=tuple(sorted(kept_minutes.items())),
    )


def plan_generate(
    *,
    learner: Any,
    week_start: dt.date | None = None,
    by: str = "learner",
    as_of: dt.date | None = None,
) -> LearningPlan:
    """Make (or re-make) the week's plan. Items the learner finished, edited or added stay;
    everything else from today (``as_of``) on is planned again from the latest inputs."""
    require_role(learner, Role.LEARNER)
    profile = selectors.profile_of(learner)
    if profile is None:
        raise Conflict(_("먼저 목표와 공부 시간을 입력해 주세요."), code="profile_missing")
    day = as_of or today()
    week_start = week_start or planner.week_start_of(day)
    if week_start.weekday() != 0:
        raise InvalidInput(_("주의 시작은 월요일이어야 합니다."), details={"field": "week_start"})
    from_day = max(week_start, day) if week_start <= day else week_start
    with transaction.atomic():
        plan = (
            LearningPlan.objects.select_for_update()
            .filter(learner=learner, week_start=week_start)
            .first()
        )
        kept: list[PlanItem] = []
        if plan is not None:
            items = list(plan.items.all())
            kept = [i for i in items if not i.fixed and (i.done_at or i.edited or i.day < from_day)]
        data = plan_input(learner, profile, week_start, from_day=from_day, kept=kept)
        result = planner.generate(data)
        values = {
            "pace": result.pace,
            "load_percent": result.load_percent,
            "reasons": _reason_json(result.reasons),
            "suggestions": [
                {
                    "kind": s.kind,
                    "key": s.key,
                    "title": s.title,
                    "reasons": _reason_json(s.reasons),
                }
                for s in result.suggestions
            ],
            "generated_at": now(),
            "generated_by": by,
        }
        if plan is None:
            plan = LearningPlan.objects.create(learner=learner, week_start=week_start, **values)
        else:
            for name, value in values.items():
                setattr(plan, name, value)
            plan.save()
            plan.items.exclude(pk__in=[i.pk for i in kept]).delete()
        PlanItem.objects.bulk_create(
            [
                PlanItem(
                    plan=plan,
                    day=item.day,
                    minutes=item.minutes,
                    kind=item.kind,
                    title=item.title[:200],
                    subject=item.subject,
                    offering_key=item.offering_key,
                    mode=item.mode,
                    fixed=item.fixed,
                    ref=item.ref,
                    reasons=_reason_json(item.reasons),
                )
                for item in result.items
                if item.fixed or item.day >= from_day
            ]
        )
    return plan


def _check_day_budget(plan: LearningPlan, day: dt.date, extra: int, *, exclude: Any = None) -> None:
    """An edit may not put a day's study over the learner's free time that day."""
    profile = selectors.profile_of(plan.learner)
    available = profile.availability[day.weekday()] if profile else 0
    items = plan.items.filter(day=day)
    if exclude is not None:
        items = items.exclude(pk=exclude)
    fixed = sum(i.minutes for i in items if i.fixed)
    study = sum(i.minutes for i in items if not i.fixed)
    if study + extra > max(0, available - fixed):
        raise InvalidInput(
            _("%(day)s에 쓸 수 있는 시간(%(free)s분)을 넘습니다.")
            % {"day": day.isoformat(), "free": max(0, available - fixed - study)},
            details={"field": "minutes"},
        )


def _check_item_fields(plan: LearningPlan, day: dt.date, minutes: int, subject: str) -> None:
    if not plan.week_start <= day <= plan.week_start + dt.timedelta(days=6):
        raise InvalidInput(_("이번 주 안의 날짜를 골라 주세요."), details={"field": "day"})
    if not 5 <= minutes <= 240:
        raise InvalidInput(_("시간은 5분에서 240분 사이입니다."), details={"field": "minutes"})
    if subject and subject not in Subject.values:
        raise InvalidInput(_("과목을 확인해 주세요."), details={"field": "subject"})


def plan_item_update(
    *, item: PlanItem, learner: Any, day: dt.date, minutes: int, subject: str, title: str
) -> PlanItem:
    require_role(learner, Role.LEARNER)
    plan = item.plan
    if plan.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 계획만 고칠 수 있습니다."), code="wrong_owner")
    if item.fixed:
        raise Conflict(_("예약된 일정은 계획에서 옮길 수 없습니다."), code="fixed_item")
    _check_item_fields(plan, day, minutes, subject)
    with transaction.atomic():
        LearningPlan.objects.select_for_update().get(pk=plan.pk)
        _check_day_budget(plan, day, minutes, exclude=item.pk)
        item.day = day
        item.minutes = minutes
        item.subject = subject
        item.title = title.strip()[:200]
        item.edited = True
        item.save()
    return item


def plan_item_add(
    *, plan: LearningPlan, learner: Any, day: dt.date, minutes: int, subject: str, title: str
) -> PlanItem:
    require_role(learner, Role.LEARNER)
    if plan.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 계획만 고칠 수 있습니다."), code="wrong_owner")
    _check_item_fields(plan, day, minutes, subject)
    if not title.strip():
        raise InvalidInput(_("할 일을 적어 주세요."), details={"field": "title"})
    with transaction.atomic():
        LearningPlan.objects.select_for_update().get(pk=plan.pk)
        _check_day_budget(plan, day, minutes)
        return PlanItem.objects.create(
            plan=plan,
            day=day,
            minutes=minutes,
            kind=PlanItem.Kind.OWN,
            subject=subject,
            title=title.strip()[:200],
            edited=True,
            reasons=[{"code": "own_item", "params": {}}],
        )


def plan_item_delete(*, item: PlanItem, learner: Any) -> None:
    require_role(learner, Role.LEARNER)
    if item.plan.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 계획만 고칠 수 있습니다."), code="wrong_owner")
    if item.fixed:
        raise Conflict(_("예약된 일정은 예약 화면에서 취소해 주세요."), code="fixed_item")
    item.delete()


def plan_item_done(*, item: PlanItem, learner: Any, done: bool) -> PlanItem:
    require_role(learner, Role.LEARNER)
    if item.plan.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 계획만 고칠 수 있습니다."), code="wrong_owner")
    if done and item.day > today():
        raise Conflict(_("아직 오지 않은 날의 일은 끝낼 수 없습니다."), code="future_item")
    item.done_at = now() if done else None
    item.save(update_fields=["done_at", "updated_at"])
    return item


def plan_comment_add(*, plan: LearningPlan, author: Any, body: str) -> PlanComment:
    """The learner's mentor comments on the plan; the learner may answer."""
    require_role(author, Role.MENTOR, Role.LEARNER)
    if not selectors.may_read_plan(author, plan):
        raise PermissionDenied(_("이 학습 계획에 의견을 남길 수 없습니다."), code="wrong_owner")
    body = body.strip()
    if not body or len(body) > 2000:
        raise InvalidInput(_("의견을 2,000자 이내로 적어 주세요."), details={"field": "body"})
    comment = PlanComment.objects.create(plan=plan, author=author, body=body)
    if author.role == Role.MENTOR:
        notify_user(
            user=plan.learner,
            subject=str(_("[서울런] 멘토가 학습 계획에 의견을 남겼습니다")),
            body=body[:200],
            purpose="plan_comment",
        )
    return comment


def plan_reminders_send(*, at: dt.datetime | None = None) -> int:
    """Once a day, after school (``PLAN_REMINDER_HOUR``, 15:00 in Seoul by default), a gentle
    note about today's plan to learners who want reminders."""
    moment = (at or now()).astimezone(SEOUL)
    if moment.hour < getattr(settings, "PLAN_REMINDER_HOUR", PLAN_REMINDER_HOUR):
        return 0
    day = moment.date()
    sent = 0
    profiles = LearningProfile.objects.select_related("user").filter(reminders_enabled=True)
    for profile in profiles.exclude(last_reminded_on=day):
        items = PlanItem.objects.filter(
            plan__learner=profile.user, day=day, done_at__isnull=True
        ).order_by("-fixed", "id")
        if not items.exists():
            continue
        with transaction.atomic():
            updated = (
                LearningProfile.objects.filter(pk=profile.pk)
                .exclude(last_reminded_on=day)
                .update(last_reminded_on=day)
            )
            if not updated:
                continue
            total = sum(i.minutes for i in items)
            notify_user(
                user=profile.user,
                subject=str(_("[서울런] 오늘의 학습 계획")),
                body=str(
                    _("오늘 계획은 %(n)s개, 모두 %(m)s분이에요. 할 수 있는 만큼만 해도 괜찮아요.")
                    % {"n": items.count(), "m": total}
                ),
                purpose="plan_reminder",
            )
            sent += 1
    return sent


def plans_generate_weekly(*, on: dt.date | None = None) -> int:
    """Each week's plan for every current member who has a profile, adapted to last week's
    pace. Idempotent: learners who already have this week's plan are skipped."""
    day = on or today()
    week_start = planner.week_start_of(day)
    made = 0
    members = Membership.objects.filter(status__in=Membership.CURRENT).values("user_id")
    for profile in LearningProfile.objects.select_related("user").filter(
        user__is_active=True, user__role=Role.LEARNER, user_id__in=members
    ):
        if profile.weekly_minutes <= 0:
            continue
        if LearningPlan.objects.filter(learner=profile.user, week_start=week_start).exists():
            continue
        plan_generate(learner=profile.user, week_start=week_start, by="schedule")
        made += 1
    return made


# --- portfolio --------------------------------------------------------------------------------

KIND_OF_SOURCE = {
    "consulting": PortfolioEntry.Kind.CONSULTING,
    "lecture": PortfolioEntry.Kind.LECTURE,
    "career": PortfolioEntry.Kind.CAREER,
    "mentoring": PortfolioEntry.Kind.MENTORING,
    "completion": PortfolioEntry.Kind.COMPLETION,
    "assessment": PortfolioEntry.Kind.ASSESSMENT,
    "certificate": PortfolioEntry.Kind.CERTIFICATE,
}


def portfolio_sync(*, learner: Any) -> int:
    """Bring verified achievements from every source into the portfolio (idempotent).

    The learner's choices (included, reflection) are never overwritten."""
    require_role(learner, Role.LEARNER)
    found = [
        *sources.programme_achievements(learner),
        *sources.mentoring_achievements(learner),
        *sources.lrs_achievements(learner),
    ]
    created = 0
    for item in found:
        kind = KIND_OF_SOURCE.get(item["kind"])
        if kind is None:
            continue
        _entry, was_created = PortfolioEntry.objects.update_or_create(
            learner=learner,
            source_key=item["source_key"][:200],
            defaults={
                "kind": kind,
                "title": str(item["title"])[:200],
                "detail": str(item.get("detail") or ""),
                "occurred_on": item["occurred_on"],
                "evidence": str(item.get("evidence") or "")[:300],
                "verification": PortfolioEntry.Verification.VERIFIED,
            },
        )
        created += int(was_created)
    return created


def portfolio_entry_update(
    *, entry: PortfolioEntry, learner: Any, included: bool, reflection: str
) -> PortfolioEntry:
    require_role(learner, Role.LEARNER)
    if entry.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 포트폴리오만 고칠 수 있습니다."), code="wrong_owner")
    if len(reflection) > 3000:
        raise InvalidInput(_("성찰은 3,000자 이내로 적어 주세요."), details={"field": "reflection"})
    if included and entry.verification != PortfolioEntry.Verification.VERIFIED:
        raise Conflict(_("확인된 성과만 포트폴리오에 넣을 수 있습니다."), code="not_verified")
    entry.included = included
    entry.reflection = reflection.strip()
    entry.save(update_fields=["included", "reflection", "updated_at"])
    return entry


def certificate_add(
    *, learner: Any, title: str, issuer: str, occurred_on: dt.date, data: bytes
) -> PortfolioEntry:
    """A certificate the learner earned elsewhere, with its scan; an operator verifies it."""
    require_role(learner, Role.LEARNER)
    if not title.strip() or len(title) > 200:
        raise InvalidInput(_("자격증 이름을 적어 주세요."), details={"field": "title"})
    if not issuer.strip():
        raise InvalidInput(_("발급 기관을 적어 주세요."), details={"field": "issuer"})
    if occurred_on > today():
        raise InvalidInput(_("취득일은 오늘 이전이어야 합니다."), details={"field": "occurred_on"})
    if not data or len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(_("10MB 이하의 파일을 올려 주세요."), details={"field": "file"})
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise InvalidInput(_("PDF, JPEG, PNG 파일만 올릴 수 있습니다."), details={"field": "file"})
    name = store_encrypted(data, folder="portfolio")
    entry = PortfolioEntry.objects.create(
        learner=learner,
        kind=PortfolioEntry.Kind.CERTIFICATE,
        source_key=f"certificate:{name}",
        title=title.strip(),
        detail=issuer.strip()[:200],
        occurred_on=occurred_on,
        evidence=str(_("자격증 사본 (운영자 확인 필요)")),
        evidence_file=name,
        evidence_content_type=content_type,
        verification=PortfolioEntry.Verification.PENDING,
    )
    return entry


def certificate_verify(
    *, entry: PortfolioEntry, actor: Any, approve: bool, note: str
) -> PortfolioEntry:
    require_role(actor, Role.OPERATOR)
    if entry.kind != PortfolioEntry.Kind.CERTIFICATE:
        raise Conflict(_("자격증 항목만 확인합니다."), code="not_certificate")
    if entry.verification != PortfolioEntry.Verification.PENDING:
        raise Conflict(_("이미 확인한 항목입니다."), code="already_verified")
    if not approve and not note.strip():
        raise InvalidInput(_("확인 불가 사유를 적어 주세요."), details={"field": "note"})
    entry.verification = (
        PortfolioEntry.Verification.VERIFIED if approve else PortfolioEntry.Verification.REJECTED
    )
    entry.verified_by = actor
    entry.verification_note = note.strip()[:300]
    if approve:
        entry.evidence = str(_("자격증 사본 (운영자 확인)"))
    entry.save()
    return entry


def share_create(*, learner: Any, recipient: str, days: int) -> tuple[PortfolioShare, str]:
    require_role(learner, Role.LEARNER)
    recipient = recipient.strip()
    if not recipient or len(recipient) > 100:
        raise InvalidInput(
            _("받는 곳(학교·기관 이름)을 적어 주세요."), details={"field": "recipient"}
        )
    if not 1 <= int(days) <= MAX_SHARE_DAYS:
        raise InvalidInput(
            _("공유 기간은 1일에서 %(max)s일 사이입니다.") % {"max": MAX_SHARE_DAYS},
            details={"field": "days"},
        )
    if not selectors.portfolio_of(learner, included_only=True).exists():
        raise Conflict(_("먼저 포트폴리오에 넣을 성과를 골라 주세요."), code="empty_portfolio")
    share = PortfolioShare.objects.create(
        learner=learner, recipient=recipient, expires_at=now() + dt.timedelta(days=int(days))
    )
    return share, selectors.share_token(share)


def share_revoke(*, share: PortfolioShare, learner: Any) -> PortfolioShare:
    require_role(learner, Role.LEARNER)
    if share.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 공유 링크만 중단할 수 있습니다."), code="wrong_owner")
    if share.revoked_at is None:
        share.revoked_at = now()
        share.save(update_fields=["revoked_at", "updated_at"])
    return share


def share_open(*, token: str, request: HttpRequest | None) -> PortfolioShare:
    """Someone without an account opens a share link: check it and log the access."""
    share = selectors.share_from_token(token)
    with transaction.atomic():
        PortfolioShare.objects.filter(pk=share.pk).update(
            open_count=share.open_count + 1, last_opened_at=now()
        )
        access_log_record(
            actor=None,
            actor_label=f"share:{share.recipient}"[:150],
            subject=share.learner,
            action="view",
            purpose="portfolio shared link",
            request=request,
            obj=share,
        )
    share.refresh_from_db()
    return share


def guardian_view_record(*, guardian: Any, child: Any, request: HttpRequest | None) -> None:
    access_log_record(
        actor=guardian,
        subject=child,
        action="view",
        purpose="guardian view of child's progress",
        request=request,
    )


def portfolio_pdf(*, learner: Any, request: HttpRequest | None, actor: Any) -> bytes:
    """The included, verified entries as a PDF (WeasyPrint, Noto CJK for Korean)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    entries = list(selectors.portfolio_of(learner, included_only=True))
    html = render_to_string(
        "learning/portfolio_pdf.html",
        {
            "learner": learner,
            "entries": entries,
            "profile": selectors.profile_of(learner),
            "generated_on": today(),
        },
    )
    access_log_record(
        actor=actor,
        actor_label=None if getattr(actor, "is_authenticated", False) else "share-link",
        subject=learner,
        action="download",
        purpose="portfolio PDF",
        request=request,
    )
    return bytes(HTML(string=html).write_pdf())


def planner_input_as_dict(data: planner.PlanInput) -> dict[str, Any]:
    """The planner's input, for the explanation page and debugging."""
    return asdict(data)
