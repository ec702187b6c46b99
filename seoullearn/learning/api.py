"""JSON API of the learner workspace: profile and goals, plans, progress, portfolio, guardians."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from seoullearn.core.errors import NotFound
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import today
from seoullearn.learning import explain, selectors, services, sources
from seoullearn.learning.models import Goal, LearningPlan, PlanItem, PortfolioShare
from seoullearn.learning.planner import week_start_of

router = Router(tags=["learning"])


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


class ProfileIO(Schema):
    purposes: list[str] = Field(..., min_length=1)
    subjects: list[str] = []
    interests: str = Field("", max_length=300)
    desired_major: str = Field("", max_length=100)
    desired_job: str = Field("", max_length=100)
    learning_style: str = ""
    session_minutes: int = Field(40, ge=15, le=90)
    availability: dict[str, int] = Field(
        ..., description="minutes per weekday: mon, tue, wed, thu, fri, sat, sun"
    )
    reminders_enabled: bool = True


class GoalIn(Schema):
    title: str = Field(..., min_length=1, max_length=150)
    purpose: str
    subject: str = ""
    metric: str
    target_value: int = Field(..., ge=1)
    due_on: dt.date | None = None


class GoalOut(Schema):
    id: UUID
    title: str
    purpose: str
    subject: str
    metric: str
    target_value: int
    due_on: dt.date | None
    status: str


class StatusIn(Schema):
    status: str


class ReasonOut(Schema):
    code: str
    params: dict[str, str]
    text: str


class ItemOut(Schema):
    id: UUID
    day: dt.date
    minutes: int
    kind: str
    title: str
    subject: str
    offering_key: str
    mode: str
    fixed: bool
    done: bool
    why: list[ReasonOut]


class CommentOut(Schema):
    author: str
    role: str
    body: str
    created_at: dt.datetime


class PlanOut(Schema):
    id: UUID
    week_start: dt.date
    pace: str
    load_percent: int
    why: list[ReasonOut]
    suggestions: list[dict[str, Any]]
    items: list[ItemOut]
    comments: list[CommentOut]


class GenerateIn(Schema):
    week_start: dt.date | None = None


class ItemIn(Schema):
    day: dt.date
    minutes: int = Field(..., ge=5, le=240)
    subject: str = ""
    title: str = Field("", max_length=200)


class DoneIn(Schema):
    done: bool


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)


class TotalsOut(Schema):
    minutes: int
    active_days: int
    completions: int
    assessments: int
    average_score: float | None


class ProgressOut(Schema):
    week_start: dt.date
    week: TotalsOut
    month: TotalsOut
    offerings: list[dict[str, Any]]
    week_days: list[dict[str, Any]]
    weeks: list[dict[str, Any]]
    streak: dict[str, Any]
    goals: list[dict[str, Any]]


class EntryOut(Schema):
    id: UUID
    kind: str
    title: str
    detail: str
    occurred_on: dt.date
    evidence: str
    verification: str
    included: bool
    reflection: str


class EntryIn(Schema):
    included: bool
    reflection: str = Field("", max_length=3000)


class ShareIn(Schema):
    recipient: str = Field(..., min_length=1, max_length=100)
    days: int = Field(14, ge=1, le=90)


class ShareOut(Schema):
    id: UUID
    recipient: str
    expires_at: dt.datetime
    revoked: bool
    open_count: int
    url: str | None = None


class ChildOut(Schema):
    id: UUID
    name: str


def _reasons(raw: list[dict[str, Any]]) -> list[ReasonOut]:
    return [
        ReasonOut(
            code=r.get("code", ""),
            params={k: str(v) for k, v in (r.get("params") or {}).items()},
            text=explain.reason_text(r),
        )
        for r in raw
    ]


def _item_out(i: PlanItem) -> ItemOut:
    return ItemOut(
        id=i.public_id,
        day=i.day,
        minutes=i.minutes,
        kind=i.kind,
        title=i.title,
        subject=i.subject,
        offering_key=i.offering_key,
        mode=i.mode,
        fixed=i.fixed,
        done=i.done,
        why=_reasons(i.reasons),
    )


def _plan_out(plan: LearningPlan) -> PlanOut:
    return PlanOut(
        id=plan.public_id,
        week_start=plan.week_start,
        pace=plan.pace,
        load_percent=plan.load_percent,
        why=_reasons(plan.reasons),
        suggestions=plan.suggestions,
        items=[_item_out(i) for i in plan.items.all()],
        comments=[
            CommentOut(
                author=c.author.display_name,
                role=c.author.role,
                body=c.body,
                created_at=c.created_at,
            )
            for c in plan.comments.all()
        ],
    )


def _goal_out(goal: Goal) -> GoalOut:
    return GoalOut(
        id=goal.public_id,
        title=goal.title,
        purpose=goal.purpose,
        subject=goal.subject,
        metric=goal.metric,
        target_value=goal.target_value,
        due_on=goal.due_on,
        status=goal.status,
    )


# --- profile and goals ------------------------------------------------------------------------


@router.get("/profile", response={200: ProfileIO, 404: dict[str, Any]})
def profile_get(request: HttpRequest) -> Any:
    require_role(request.user, Role.LEARNER)
    profile = selectors.profile_of(request.user)
    if profile is None:
        raise NotFound(_("아직 목표와 공부 시간을 입력하지 않았습니다."), code="profile_missing")
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return ProfileIO(
        purposes=profile.purposes,
        subjects=profile.subjects,
        interests=profile.interests,
        desired_major=profile.desired_major,
        desired_job=profile.desired_job,
        learning_style=profile.learning_style,
        session_minutes=profile.session_minutes,
        availability=dict(zip(days, profile.availability, strict=True)),
        reminders_enabled=profile.reminders_enabled,
    )


@router.put("/profile", response=ProfileIO)
def profile_put(request: HttpRequest, payload: ProfileIO) -> ProfileIO:
    services.profile_save(learner=request.user, **payload.dict())
    return payload


@router.get("/goals", response=list[GoalOut])
def goals_list(request: HttpRequest) -> list[GoalOut]:
    require_role(request.user, Role.LEARNER)
    return [_goal_out(g) for g in selectors.goals_of(request.user)]


@router.post("/goals", response={201: GoalOut})
def goals_create(request: HttpRequest, payload: GoalIn) -> tuple[int, GoalOut]:
    goal = services.goal_create(learner=request.user, **payload.dict())
    return 201, _goal_out(goal)


@router.post("/goals/{goal_id}/status", response=GoalOut)
def goal_status(request: HttpRequest, goal_id: UUID, payload: StatusIn) -> GoalOut:
    require_role(request.user, Role.LEARNER)
    goal = Goal.objects.filter(public_id=goal_id).first()
    if goal is None:
        raise NotFound(_("목표를 찾을 수 없습니다."))
    return _goal_out(
        services.goal_status_set(goal=goal, learner=request.user, status=payload.status)
    )


# --- plans ------------------------------------------------------------------------------------


@router.get("/plan", response=PlanOut)
def plan_current(request: HttpRequest, week: dt.date | None = None) -> PlanOut:
    """The learner's plan for the week containing ``week`` (default: this week)."""
    require_role(request.user, Role.LEARNER)
    plan = selectors.plan_for_week(request.user, week_start_of(week or today()))
    if plan is None:
        raise NotFound(_("이 주의 학습 계획이 없습니다."), code="no_plan")
    return _plan_out(plan)


@router.post("/plan/generate", response={201: PlanOut})
def plan_generate(request: HttpRequest, payload: GenerateIn) -> tuple[int, PlanOut]:
    plan = services.plan_generate(learner=request.user, week_start=payload.week_start)
    return 201, _plan_out(LearningPlan.objects.get(pk=plan.pk))


@router.get("/plans/{plan_id}", response=PlanOut)
def plan_get(request: HttpRequest, plan_id: UUID) -> PlanOut:
    """A plan its learner or the learner's mentor reads."""
    require_role(request.user, Role.LEARNER, Role.MENTOR)
    plan = selectors.plan_for_viewer(request.user, plan_id)
    if _role(request) == Role.MENTOR:
        access_log_record(
            actor=request.user,
            subject=plan.learner,
            action="view",
            purpose="mentor reads mentee's learning plan (API)",
            request=request,
            obj=plan,
        )
    return _plan_out(plan)


@router.post("/plans/{plan_id}/comments", response={201: CommentOut})
def plan_comment(request: HttpRequest, plan_id: UUID, payload: CommentIn) -> tuple[int, CommentOut]:
    require_role(request.user, Role.LEARNER, Role.MENTOR)
    plan = selectors.plan_for_viewer(request.user, plan_id)
    comment = services.plan_comment_add(plan=plan, author=request.user, body=payload.body)
    return 201, CommentOut(
        author=comment.author.display_name,
        role=comment.author.role,
        body=comment.body,
        created_at=comment.created_at,
    )


@router.post("/plans/{plan_id}/items", response={201: ItemOut})
def plan_item_add(request: HttpRequest, plan_id: UUID, payload: ItemIn) -> tuple[int, ItemOut]:
    require_role(request.user, Role.LEARNER)
    plan = selectors.own_plan(request.user, plan_id)
    item = services.plan_item_add(plan=plan, learner=request.user, **payload.dict())
    return 201, _item_out(item)


@router.patch("/plan/items/{item_id}", response=ItemOut)
def plan_item_update(request: HttpRequest, item_id: UUID, payload: ItemIn) -> ItemOut:
    require_role(request.user, Role.LEARNER)
    item = selectors.own_item(request.user, item_id)
    item = services.plan_item_update(item=item, learner=request.user, **payload.dict())
    return _item_out(item)


@router.post("/plan/items/{item_id}/done", response=ItemOut)
def plan_item_done(request: HttpRequest, item_id: UUID, payload: DoneIn) -> ItemOut:
    require_role(request.user, Role.LEARNER)
    item = selectors.own_item(request.user, item_id)
    item = services.plan_item_done(item=item, learner=request.user, done=payload.done)
    return _item_out(item)


@router.delete("/plan/items/{item_id}", response={204: None})
def plan_item_delete(request: HttpRequest, item_id: UUID) -> tuple[int, None]:
    require_role(request.user, Role.LEARNER)
    item = selectors.own_item(request.user, item_id)
    services.plan_item_delete(item=item, learner=request.user)
    return 204, None


# --- progress ---------------------------------------------------------------------------------


def _progress_out(overview: selectors.Overview) -> ProgressOut:
    def totals(t: Any) -> TotalsOut:
        return TotalsOut(
            minutes=t.minutes,
            active_days=t.active_days,
            completions=t.completions,
            assessments=t.assessments,
            average_score=t.average_score,
        )

    return ProgressOut(
        week_start=overview.week_start,
        week=totals(overview.week),
        month=totals(overview.month),
        offerings=[
            {"key": o.key, "name": o.name, **totals(o.totals).dict()} for o in overview.offerings
        ],
        week_days=[{"day": d.isoformat(), "minutes": m} for d, m in overview.week_days],
        weeks=[{"week_start": d.isoformat(), "minutes": m} for d, m in overview.weeks],
        streak={
            "current_days": overview.streak.current_days,
            "best_days": overview.streak.best_days,
            "active_weeks_of_last_8": overview.streak.active_weeks_of_last_8,
            "rested_recently": overview.streak.rested_recently,
            "recent": [{"day": d.isoformat(), "active": a} for d, a in overview.streak.recent],
        },
        goals=[
            {"id": str(g.public_id), "title": g.title, "percent": p, "value": v}
            for g, p, v in overview.goals
        ],
    )


@router.get("/progress", response=ProgressOut)
def progress(request: HttpRequest) -> ProgressOut:
    require_role(request.user, Role.LEARNER)
    return _progress_out(selectors.progress_overview(request.user))


# --- portfolio --------------------------------------------------------------------------------


def _entry_out(e: Any) -> EntryOut:
    return EntryOut(
        id=e.public_id,
        kind=e.kind,
        title=e.title,
        detail=e.detail,
        occurred_on=e.occurred_on,
        evidence=e.evidence,
        verification=e.verification,
        included=e.included,
        reflection=e.reflection,
    )


@router.get("/portfolio", response=list[EntryOut])
def portfolio(request: HttpRequest) -> list[EntryOut]:
    require_role(request.user, Role.LEARNER)
    return [_entry_out(e) for e in selectors.portfolio_of(request.user)]


@router.post("/portfolio/sync", response=dict[str, int])
def portfolio_sync(request: HttpRequest) -> dict[str, int]:
    return {"created": services.portfolio_sync(learner=request.user)}


@router.patch("/portfolio/entries/{entry_id}", response=EntryOut)
def portfolio_entry(request: HttpRequest, entry_id: UUID, payload: EntryIn) -> EntryOut:
    require_role(request.user, Role.LEARNER)
    entry = selectors.own_entry(request.user, entry_id)
    entry = services.portfolio_entry_update(
        entry=entry, learner=request.user, included=payload.included, reflection=payload.reflection
    )
    return _entry_out(entry)


@router.get("/portfolio/shares", response=list[ShareOut])
def shares(request: HttpRequest) -> list[ShareOut]:
    require_role(request.user, Role.LEARNER)
    return [
        ShareOut(
            id=s.public_id,
            recipient=s.recipient,
            expires_at=s.expires_at,
            revoked=s.revoked_at is not None,
            open_count=s.open_count,
        )
        for s in selectors.shares_of(request.user)
    ]


@router.post("/portfolio/shares", response={201: ShareOut})
def share_create(request: HttpRequest, payload: ShareIn) -> tuple[int, ShareOut]:
    share, token = services.share_create(
        learner=request.user, recipient=payload.recipient, days=payload.days
    )
    return 201, ShareOut(
        id=share.public_id,
        recipient=share.recipient,
        expires_at=share.expires_at,
        revoked=False,
        open_count=0,
        url=request.build_absolute_uri(reverse("learning:shared", kwargs={"token": token})),
    )


@router.post("/portfolio/shares/{share_id}/revoke", response=ShareOut)
def share_revoke(request: HttpRequest, share_id: UUID) -> ShareOut:
    require_role(request.user, Role.LEARNER)
    share = PortfolioShare.objects.filter(public_id=share_id).first()
    if share is None:
        raise NotFound(_("공유 링크를 찾을 수 없습니다."))
    share = services.share_revoke(share=share, learner=request.user)
    return ShareOut(
        id=share.public_id,
        recipient=share.recipient,
        expires_at=share.expires_at,
        revoked=True,
        open_count=share.open_count,
    )


# --- mentors ----------------------------------------------------------------------------------


class MenteeOut(Schema):
    id: UUID
    name: str
    plan_id: UUID | None


@router.get("/mentor/mentees", response=list[MenteeOut])
def mentor_mentees(request: HttpRequest) -> list[MenteeOut]:
    """The mentor's mentees and their plan for this week (to read and comment on)."""
    require_role(request.user, Role.MENTOR)
    result = []
    for learner in sources.mentees_of(request.user):
        plan = selectors.current_plan(learner)
        result.append(
            MenteeOut(
                id=learner.public_id,
                name=learner.display_name,
                plan_id=plan.public_id if plan else None,
            )
        )
    return result


# --- guardians --------------------------------------------------------------------------------


@router.get("/guardian/children", response=list[ChildOut])
def guardian_children(request: HttpRequest) -> list[ChildOut]:
    require_role(request.user, Role.GUARDIAN)
    return [
        ChildOut(id=c.public_id, name=c.display_name) for c in selectors.children_for(request.user)
    ]


@router.get("/guardian/children/{child_id}/progress", response=ProgressOut)
def guardian_child_progress(request: HttpRequest, child_id: UUID) -> ProgressOut:
    require_role(request.user, Role.GUARDIAN)
    child = selectors.child_for_guardian(request.user, child_id)
    services.guardian_view_record(guardian=request.user, child=child, request=request)
    return _progress_out(selectors.progress_overview(child))
