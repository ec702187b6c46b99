"""Writes of the mentoring app. Every function checks who may act and whether the transition
is allowed, records who and why, and is atomic."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts.models import User
from seoullearn.accounts.selectors import may_apply
from seoullearn.core.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from seoullearn.core.geo import SEOUL_DISTRICT_CODES
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility.selectors import active_membership
from seoullearn.mentoring import matching, selectors
from seoullearn.mentoring.models import (
    INTEREST_CHOICES,
    LANGUAGE_CHOICES,
    LEVEL_CHOICES,
    MAJOR_CHOICES,
    SLOT_CHOICES,
    SUBJECT_CHOICES,
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
)

logger = logging.getLogger(__name__)

SUBJECTS = {c for c, _label in SUBJECT_CHOICES}
LEVELS = {c for c, _label in LEVEL_CHOICES}
SLOTS = {c for c, _label in SLOT_CHOICES}
MAJORS = {c for c, _label in MAJOR_CHOICES}
INTERESTS = {c for c, _label in INTEREST_CHOICES}
LANGUAGES = {c for c, _label in LANGUAGE_CHOICES}
RUBRIC = ("motivation", "expertise", "communication", "availability", "commitment")
RUBRIC_MAX = 20


def _choices(field: str, values: Any, allowed: set[str], *, required: bool = True) -> list[str]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(_("목록 형식이 아닙니다."), details={"field": field})
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InvalidInput(
            _("알 수 없는 값이 있습니다."), details={"field": field, "unknown": unknown}
        )
    if required and not values:
        raise InvalidInput(_("하나 이상 선택해 주세요."), details={"field": field})
    return sorted(set(values))


# --------------------------------------------------------------------------------------------
# Recruitment and screening
# --------------------------------------------------------------------------------------------


@transaction.atomic
def mentor_application_submit(
    *, user: User, term: MentorTerm, data: dict[str, Any]
) -> MentorApplication:
    require_role(user, Role.MENTOR)
    if not term.applications_open:
        raise RuleViolation(_("이 기수는 모집 중이 아닙니다."), code="term_closed")
    if (
        MentorApplication.objects.filter(user=user, term=term)
        .exclude(status=MentorApplication.Status.WITHDRAWN)
        .exists()
    ):
        raise Conflict(_("이미 이 기수에 지원했습니다."), code="already_applied")
    mode = data.get("mode")
    if mode not in ("online", "offline", "both"):
        raise InvalidInput(_("활동 방식을 선택해 주세요."), details={"field": "mode"})
    districts = _choices(
        "districts", data.get("districts", []), set(SEOUL_DISTRICT_CODES), required=mode != "online"
    )
    year = data.get("year")
    if not isinstance(year, int) or not 1 <= year <= 6:
        raise InvalidInput(_("학년은 1~6 사이여야 합니다."), details={"field": "year"})
    motivation = str(data.get("motivation", "")).strip()
    if len(motivation) < 20:
        raise InvalidInput(_("지원 동기를 20자 이상 적어 주세요."), details={"field": "motivation"})
    major = str(data.get("major", "")).strip()
    if not major:
        raise InvalidInput(_("전공을 적어 주세요."), details={"field": "major"})
    if data.get("major_field") not in MAJORS:
        raise InvalidInput(_("전공 계열을 선택해 주세요."), details={"field": "major_field"})
    if data.get("grade_band") not in LEVELS:
        raise InvalidInput(_("희망 학년대를 선택해 주세요."), details={"field": "grade_band"})
    capacity = int(data.get("capacity") or term.group_capacity)
    if not 1 <= capacity <= term.group_capacity:
        raise InvalidInput(
            _("모둠 인원은 1명 이상, 기수 상한 이하여야 합니다."), details={"field": "capacity"}
        )
    previous = (
        MentorApplication.objects.filter(user=user)
        .exclude(term=term)
        .order_by("-term__starts_on")
        .first()
    )
    return MentorApplication.objects.create(
        user=user,
        term=term,
        university=data["university"],
        previous=previous,
        major=major,
        major_field=data["major_field"],
        year=year,
        grade_band=data["grade_band"],
        subjects=_choices("subjects", data.get("subjects"), SUBJECTS),
        school_levels=_choices("school_levels", data.get("school_levels"), LEVELS),
        availability=_choices("availability", data.get("availability"), SLOTS),
        mode=mode,
        districts=districts if mode != "online" else [],
        languages=_choices("languages", data.get("languages", []), LANGUAGES, required=False),
        interests=_choices("interests", data.get("interests", []), INTERESTS, required=False),
        gender=data.get("gender", "") if data.get("gender") in ("female", "male") else "",
        motivation=motivation,
        capacity=capacity,
    )


def _locked(application: MentorApplication) -> MentorApplication:
    return MentorApplication.objects.select_for_update().get(pk=application.pk)


@transaction.atomic
def mentor_application_withdraw(*, user: User, application: MentorApplication) -> MentorApplication:
    app = _locked(application)
    if app.user_id != user.pk:
        raise PermissionDenied(_("본인의 지원서만 철회할 수 있습니다."), code="wrong_owner")
    if app.status not in (app.Status.SUBMITTED, app.Status.RECOMMENDED):
        raise Conflict(_("이미 결정된 지원서는 철회할 수 없습니다."), code="already_decided")
    app.status = app.Status.WITHDRAWN
    app.save(update_fields=["status", "updated_at"])
    return app


@transaction.atomic
def mentor_application_recommend(
    *, coordinator: User, application: MentorApplication, recommend: bool, note: str
) -> MentorApplication:
    require_role(coordinator, Role.UNIVERSITY_COORDINATOR)
    app = _locked(application)
    if not selectors.coordinator_may_see(coordinator, app):
        raise PermissionDenied(_("소속 대학의 지원자만 추천할 수 있습니다."), code="wrong_owner")
    if app.status != app.Status.SUBMITTED:
        raise Conflict(_("추천 단계가 아닙니다."), code="wrong_state")
    if not note.strip():
        raise InvalidInput(_("추천 의견을 적어 주세요."), details={"field": "note"})
    app.status = app.Status.RECOMMENDED if recommend else app.Status.NOT_RECOMMENDED
    app.recommended_by = coordinator
    app.recommended_at = now()
    app.recommendation_note = note.strip()[:500]
    app.save()
    return app


@transaction.atomic
def mentor_application_review(
    *,
    operator: User,
    application: MentorApplication,
    scores: dict[str, int],
    interviewed_on: dt.date | None,
    interview_notes: str,
) -> MentorApplication:
    require_role(operator, Role.OPERATOR)
    app = _locked(application)
    if app.status != app.Status.RECOMMENDED:
        raise Conflict(_("대학 추천을 받은 지원서만 심사할 수 있습니다."), code="wrong_state")
    clean: dict[str, int] = {}
    for item in RUBRIC:
        value = scores.get(item)
        if not isinstance(value, int) or not 0 <= value <= RUBRIC_MAX:
            raise InvalidInput(
                _("심사 항목 점수는 0~20점입니다."), details={"field": f"scores.{item}"}
            )
        clean[item] = value
    if interviewed_on is not None and not interview_notes.strip():
        raise InvalidInput(_("면접 기록을 적어 주세요."), details={"field": "interview_notes"})
    app.review_scores = clean
    app.review_total = sum(clean.values())
    app.interviewed_on = interviewed_on
    app.interviewer = operator if interviewed_on else None
    app.interview_notes = interview_notes.strip()
    app.save()
    return app


@transaction.atomic
def mentor_application_checks(
    *,
    operator: User,
    application: MentorApplication,
    reference_status: str,
    reference_valid_until: dt.date | None,
    background_status: str,
    background_valid_until: dt.date | None,
) -> MentorApplication:
    require_role(operator, Role.OPERATOR)
    app = _locked(application)
    valid = {c for c, _label in MentorApplication.CheckStatus.choices}
    if reference_status not in valid or background_status not in valid:
        raise InvalidInput(_("확인 상태가 올바르지 않습니다."))
    for status, until, field in (
        (reference_status, reference_valid_until, "reference_valid_until"),
        (background_status, background_valid_until, "background_valid_until"),
    ):
        if status == "passed" and (until is None or until < today()):
            raise InvalidInput(
                _("적격 판정에는 오늘 이후의 유효기간이 필요합니다."), details={"field": field}
            )
    app.reference_status = reference_status
    app.reference_valid_until = reference_valid_until
    app.background_status = background_status
    app.background_valid_until = background_valid_until
    app.save()
    return app


@transaction.atomic
def mentor_application_decide(
    *, operator: User, application: MentorApplication, select: bool, reason: str
) -> MentorApplication:
    require_role(operator, Role.OPERATOR)
    app = _locked(application)
    if not reason.strip():
        raise InvalidInput(_("결정 사유를 적어 주세요."), details={"field": "reason"})
    if app.status not in (app.Status.RECOMMENDED, app.Status.NOT_RECOMMENDED):
        raise Conflict(_("결정할 수 있는 단계가 아닙니다."), code="wrong_state")
    if select:
        if app.status != app.Status.RECOMMENDED:
            raise RuleViolation(_("대학 추천이 필요합니다."), code="needs_recommendation")
        if app.review_total is None:
            raise RuleViolation(_("심사 점수가 필요합니다."), code="needs_review")
        if not selectors.checks_valid(app, on=today()):
            raise RuleViolation(
                _("추천서와 경력 조회가 유효해야 선발할 수 있습니다."), code="checks_invalid"
            )
    app.status = app.Status.SELECTED if select else app.Status.REJECTED
    app.decided_by = operator
    app.decided_at = now()
    app.decision_reason = reason.strip()[:500]
    app.save()
    return app


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


@transaction.atomic
def training_record_set(
    *,
    operator: User,
    module: TrainingModule,
    mentor: MentorApplication,
    attended: bool,
    completed: bool,
) -> TrainingRecord:
    require_role(operator, Role.OPERATOR)
    if mentor.term_id != module.term_id:
        raise InvalidInput(_("다른 기수의 교육입니다."))
    if mentor.status != MentorApplication.Status.SELECTED:
        raise RuleViolation(_("선발된 멘토만 교육 기록을 남길 수 있습니다."), code="not_selected")
    if completed and not attended:
        raise InvalidInput(_("출석하지 않은 교육은 이수할 수 없습니다."))
    record, _created = TrainingRecord.objects.update_or_create(
        module=module,
        mentor=mentor,
        defaults={
            "attended": attended,
            "completed_at": now() if completed else None,
            "recorded_by": operator,
        },
    )
    return record


# --------------------------------------------------------------------------------------------
# Mentee side
# --------------------------------------------------------------------------------------------


@transaction.atomic
def mentee_application_submit(
    *, user: User, term: MentorTerm, data: dict[str, Any]
) -> MenteeApplication:
    require_role(user, Role.LEARNER)
    if active_membership(user) is None:
        raise RuleViolation(_("서울런 회원만 멘토링을 신청할 수 있습니다."), code="not_member")
    if not may_apply(user):
        raise RuleViolation(
            _("만 14세 미만은 보호자 동의가 확인되어야 신청할 수 있습니다."),
            code="guardian_consent_required",
        )
    if MenteeApplication.objects.filter(
        user=user, term=term, status__in=["submitted", "matched"]
    ).exists():
        raise Conflict(_("이미 신청한 멘토링이 있습니다."), code="already_applied")
    mode = data.get("mode")
    if mode not in ("online", "offline", "either"):
        raise InvalidInput(_("희망 방식을 선택해 주세요."), details={"field": "mode"})
    profile = getattr(user, "learner_profile", None)
    district = getattr(profile, "district_code", "") or ""
    if mode != "online" and district not in SEOUL_DISTRICT_CODES:
        raise InvalidInput(
            _("오프라인 멘토링은 프로필에 거주 자치구가 있어야 합니다."),
            details={"field": "mode"},
        )
    level = data.get("school_level") or getattr(profile, "school_level", "")
    if level not in LEVELS:
        raise InvalidInput(_("학교급을 선택해 주세요."), details={"field": "school_level"})
    goals = str(data.get("goals", "")).strip()
    if len(goals) < 5:
        raise InvalidInput(_("멘토링 목표를 적어 주세요."), details={"field": "goals"})
    subjects = _choices("subjects", data.get("subjects"), SUBJECTS)
    if len(subjects) > 3:
        raise InvalidInput(_("과목은 3개까지 고를 수 있습니다."), details={"field": "subjects"})
    desired_major = data.get("desired_major", "") or ""
    if desired_major and desired_major not in MAJORS:
        raise InvalidInput(_("희망 전공이 올바르지 않습니다."), details={"field": "desired_major"})
    gender = data.get("mentor_gender", "") or ""
    if gender not in ("", "female", "male"):
        raise InvalidInput(
            _("희망 멘토 성별이 올바르지 않습니다."), details={"field": "mentor_gender"}
        )
    return MenteeApplication.objects.create(
        user=user,
        term=term,
        school_level=level,
        grade=int(data.get("grade") or getattr(profile, "grade", 0) or 0),
        subjects=subjects,
        goals=goals[:2000],
        desired_major=desired_major,
        interests=_choices("interests", data.get("interests", []), INTERESTS, required=False),
        mode=mode,
        availability=_choices("availability", data.get("availability"), SLOTS),
        district_code=district,
        mentor_gender=gender,
        languages=_choices("languages", data.get("languages", []), LANGUAGES, required=False),
    )


@transaction.atomic
def mentee_application_withdraw(*, user: User, application: MenteeApplication) -> MenteeApplication:
    app = MenteeApplication.objects.select_for_update().get(pk=application.pk)
    if app.user_id != user.pk:
        raise PermissionDenied(_("본인의 신청만 철회할 수 있습니다."), code="wrong_owner")
    if app.status != app.Status.SUBMITTED:
        raise Conflict(_("매칭 대기 중인 신청만 철회할 수 있습니다."), code="wrong_state")
    app.status = app.Status.WITHDRAWN
    app.save(update_fields=["status", "updated_at"])
    return app


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------


@transaction.atomic
def matching_run_start(
    *, operator: User, term: MentorTerm, fairness: bool = False, cohesion: bool = True
) -> MatchingRun:
    require_role(operator, Role.OPERATOR)
    if MatchingRun.objects.filter(
        term=term, status__in=[MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING]
    ).exists():
        raise Conflict(_("이미 실행 중인 매칭이 있습니다."), code="run_in_progress")
    run = MatchingRun.objects.create(
        term=term, fairness=fairness, cohesion=cohesion, created_by=operator
    )
    from seoullearn.mentoring.tasks import run_matching

    result = run_matching.enqueue(str(run.public_id))
    run.task_id = str(result.id)
    run.save(update_fields=["task_id"])
    return run


def matching_run_execute(*, run_public_id: str) -> MatchingRun:
    """The body of the matching task (idempotent: a finished run is left as it is)."""
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().get(public_id=run_public_id)
        if run.status not in (MatchingRun.Status.QUEUED, MatchingRun.Status.RUNNING):
            return run
        run.status = MatchingRun.Status.RUNNING
        run.progress = 0.01
        run.progress_label = "load"
        run.save(update_fields=["status", "progress", "progress_label", "updated_at"])
    try:
        learners, mentors, options, mentees, mentor_apps = selectors.matching_inputs(
            run.term, fairness=run.fairness, cohesion=run.cohesion
        )

        def progress(fraction: float, label: str) -> None:
            MatchingRun.objects.filter(pk=run.pk).update(progress=fraction, progress_label=label)

        result = matching.solve(learners, mentors, options, progress=progress)
    except Exception as exc:  # a failed run is recorded for the operator, then re-raised
        MatchingRun.objects.filter(pk=run.pk).update(
            status=MatchingRun.Status.FAILED, error=str(exc)
        )
        raise
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().get(pk=run.pk)
        run.proposals.all().delete()
        Proposal.objects.bulk_create(
            Proposal(
                run=run,
                mentee=mentees[p.learner],
                mentor=mentor_apps[p.mentor],
                score=p.score,
                components=p.components,
            )
            for p in result.proposals
        )
        run.stats = {
            **{k: v for k, v in result.stats.items() if isinstance(v, int | float | bool | str)},
            "total_score": result.total_score,
            "worst_score": result.worst_score,
            "matched": len(result.proposals),
            "unmatched": len(result.unmatched),
        }
        run.status = MatchingRun.Status.DONE
        run.progress = 1.0
        run.progress_label = "done"
        run.save()
    return run


def _capacity_left(mentor: MentorApplication, run: MatchingRun) -> int:
    active = Match.objects.filter(group__mentor=mentor, status=Match.Status.ACTIVE).count()
    proposed = run.proposals.filter(mentor=mentor).count()
    return mentor.capacity - active - proposed


@transaction.atomic
def proposal_adjust(
    *, operator: User, proposal: Proposal, mentor: MentorApplication, reason: str
) -> Proposal:
    """Move a proposed mentee to another mentor by hand (hard constraints still apply)."""
    require_role(operator, Role.OPERATOR)
    run = MatchingRun.objects.select_for_update().get(pk=proposal.run_id)
    if run.status != MatchingRun.Status.DONE:
        raise Conflict(_("검토 중인 매칭만 조정할 수 있습니다."), code="wrong_state")
    if not reason.strip():
        raise InvalidInput(_("조정 사유를 적어 주세요."), details={"field": "reason"})
    if mentor.term_id != run.term_id or not selectors.mentor_ready(mentor):
        raise RuleViolation(
            _("교육을 마친 선발 멘토만 배정할 수 있습니다."), code="mentor_not_ready"
        )
    if mentor.pk != proposal.mentor_id and _capacity_left(mentor, run) <= 0:
        raise RuleViolation(_("멘토의 모둠 정원이 찼습니다."), code="capacity")
    learner = selectors.learner_input(proposal.mentee)
    mentor_in = selectors.mentor_input(mentor)
    options = selectors.matching_options(run.term)
    reasons = matching.infeasibility_reasons(learner, mentor_in, options)
    if reasons:
        raise RuleViolation(
            _("필수 조건을 어깁니다."), code="hard_constraint", details={"reasons": reasons}
        )
    components = matching.explain_pair(learner, mentor_in, options)
    proposal.mentor = mentor
    proposal.components = components
    proposal.score = sum(components.values())
    proposal.adjusted_by = operator
    proposal.adjustment_reason = reason.strip()[:300]
    proposal.save()
    return proposal


@transaction.atomic
def proposal_remove(*, operator: User, proposal: Proposal) -> None:
    require_role(operator, Role.OPERATOR)
    run = MatchingRun.objects.select_for_update().get(pk=proposal.run_id)
    if run.status != MatchingRun.Status.DONE:
        raise Conflict(_("검토 중인 매칭만 조정할 수 있습니다."), code="wrong_state")
    proposal.delete()


@transaction.atomic
def matching_run_publish(*, operator: User, run: MatchingRun) -> MatchingRun:
    """Turn the reviewed proposals into groups and matches. Exactly one publish succeeds:
    the term and the run are locked and the run's state is checked under the lock."""
    require_role(operator, Role.OPERATOR)
    MentorTerm.objects.select_for_update().get(pk=run.term_id)
    locked = MatchingRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != MatchingRun.Status.DONE:
        raise Conflict(_("공개할 수 있는 매칭 결과가 아닙니다."), code="not_publishable")
    start = today()
    proposals = list(locked.proposals.select_related("mentor", "mentee"))
    for p in proposals:
        if p.mentee.status != MenteeApplication.Status.SUBMITTED:
            raise Conflict(
                _("그 사이에 상태가 바뀐 신청이 있습니다. 매칭을 다시 실행해 주세요."),
                code="stale_proposal",
            )
        if not selectors.mentor_ready(p.mentor):
            raise RuleViolation(_("교육을 마치지 않은 멘토가 있습니다."), code="mentor_not_ready")
    for mentor_id in {p.mentor_id for p in proposals}:
        mentor = next(p.mentor for p in proposals if p.mentor_id == mentor_id)
        mine = [p for p in proposals if p.mentor_id == mentor_id]
        group = MentoringGroup.objects.filter(
            mentor=mentor, status=MentoringGroup.Status.ACTIVE
        ).first()
        active = group.matches.filter(status=Match.Status.ACTIVE).count() if group else 0
        if active + len(mine) > mentor.capacity:
            raise RuleViolation(_("멘토의 모둠 정원을 넘습니다."), code="capacity")
        if group is None:
            common = set(mentor.availability)
            for p in mine:
                common &= set(p.mentee.availability)
            group = MentoringGroup.objects.create(
                term=locked.term,
                mentor=mentor,
                run=locked,
                schedule=sorted(common) or sorted(mentor.availability)[:1],
                mode=mentor.mode,
                started_on=start,
            )
        for p in mine:
            Match.objects.create(
                group=group,
                mentee=p.mentee,
                score=p.score,
                components=p.components,
                started_on=start,
            )
            p.mentee.status = MenteeApplication.Status.MATCHED
            p.mentee.save(update_fields=["status", "updated_at"])
    locked.status = MatchingRun.Status.PUBLISHED
    locked.published_by = operator
    locked.published_at = now()
    locked.save()
    return locked


# --------------------------------------------------------------------------------------------
# Activity
# --------------------------------------------------------------------------------------------


def _own_group(user: User, group: MentoringGroup) -> None:
    require_role(user, Role.MENTOR)
    if group.mentor.user_id != user.pk:
        raise PermissionDenied(_("본인 모둠만 다룰 수 있습니다."), code="wrong_owner")
    if group.status != MentoringGroup.Status.ACTIVE:
        raise Conflict(_("종료된 모둠입니다."), code="group_ended")


@transaction.atomic
def session_plan(
    *,
    mentor_user: User,
    group: MentoringGroup,
    date: dt.date,
    duration_minutes: int,
    mode: str,
    topic: str,
    online_link: str = "",
    place: str = "",
    start_time: dt.time | None = None,
) -> Session:
    """Plan a session of the mentor's group; without a start time it starts at the group's
    regular slot of that weekday."""
    _own_group(mentor_user, group)
    if not 15 <= duration_minutes <= 240:
        raise InvalidInput(_("활동 시간은 15~240분입니다."), details={"field": "duration_minutes"})
    if mode == "online" and not online_link.startswith("https://"):
        raise InvalidInput(
            _("온라인 활동에는 https 링크가 필요합니다."), details={"field": "online_link"}
        )
    if mode == "offline" and not place.strip():
        raise InvalidInput(_("오프라인 활동에는 장소가 필요합니다."), details={"field": "place"})
    if mode not in ("online", "offline"):
        raise InvalidInput(_("방식을 선택해 주세요."), details={"field": "mode"})
    if not topic.strip():
        raise InvalidInput(_("주제를 적어 주세요."), details={"field": "topic"})
    if date < group.started_on:
        raise InvalidInput(_("모둠 시작일 이전입니다."), details={"field": "date"})
    return Session.objects.create(
        group=group,
        date=date,
        start_time=start_time or selectors.default_start_time(group, date),
        duration_minutes=duration_minutes,
        mode=mode,
        online_link=online_link if mode == "online" else "",
        place=place.strip() if mode == "offline" else "",
        topic=topic.strip()[:200],
    )


@transaction.atomic
def session_log(
    *, mentor_user: User, session: Session, notes: str, attended: dict[str, bool]
) -> Session:
    """Log a held session: notes and attendance per mentee (keys: match public ids)."""
    locked = Session.objects.select_for_update().select_related("group__mentor").get(pk=session.pk)
    _own_group(mentor_user, locked.group)
    if locked.status != Session.Status.PLANNED:
        raise Conflict(_("이미 기록된 활동입니다."), code="already_logged")
    if locked.date > today():
        raise InvalidInput(_("아직 열리지 않은 활동입니다."), details={"field": "date"})
    if len(notes.strip()) < 10:
        raise InvalidInput(_("활동 기록을 10자 이상 적어 주세요."), details={"field": "notes"})
    matches = {str(m.public_id): m for m in locked.group.matches.filter(status=Match.Status.ACTIVE)}
    unknown = set(attended) - set(matches)
    if unknown:
        raise InvalidInput(_("모둠에 없는 멘티입니다."), details={"unknown": sorted(unknown)})
    for key, match in matches.items():
        Attendance.objects.update_or_create(
            session=locked, match=match, defaults={"attended": bool(attended.get(key, False))}
        )
    locked.notes = notes.strip()
    locked.status = Session.Status.LOGGED
    locked.logged_at = now()
    locked.save()
    session_statements_record(session=locked)
    return locked


def session_statements_record(*, session: Session) -> int:
    """Record the logged session as xAPI statements in the platform's learning record store:
    one "mentored" statement for the mentor and one "attended" per present mentee. Returns the
    number of statements recorded (0 while no record store is installed)."""
    try:
        lrs_services = importlib.import_module("seoullearn.lrs.services")
    except ModuleNotFoundError:
        return 0
    record = getattr(lrs_services, "platform_statement_record", None)
    if record is None:
        return 0
    statements = selectors.session_statements(session)
    for statement in statements:
        record(**statement)
    Session.objects.filter(pk=session.pk).update(lrs_recorded=True)
    return len(statements)


@transaction.atomic
def session_feedback(
    *, mentee_user: User, session: Session, rating: int, comment: str = ""
) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update()
        .filter(session=session, match__mentee__user=mentee_user)
        .first()
    )
    if attendance is None:
        raise PermissionDenied(_("참여한 활동에만 의견을 남길 수 있습니다."), code="wrong_owner")
    if session.status != Session.Status.LOGGED:
        raise Conflict(_("기록된 활동에만 의견을 남길 수 있습니다."), code="wrong_state")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("만족도는 1~5입니다."), details={"field": "rating"})
    if not attendance.attended:
        raise RuleViolation(_("출석한 활동에만 의견을 남길 수 있습니다."), code="not_attended")
    attendance.feedback = rating
    attendance.feedback_comment = comment.strip()[:500]
    attendance.save()
    return attendance


@transaction.atomic
def check_in_record(
    *,
    staff: User,
    group: MentoringGroup,
    held_on: dt.date,
    notes: str,
    health: str,
    channel: str = "phone",
) -> CheckIn:
    require_role(staff, Role.OPERATOR)
    if health not in CheckIn.Health.values:
        raise InvalidInput(_("판단을 선택해 주세요."), details={"field": "health"})
    if not notes.strip():
        raise InvalidInput(_("점검 내용을 적어 주세요."), details={"field": "notes"})
    if held_on > today():
        raise InvalidInput(_("미래 날짜로 기록할 수 없습니다."), details={"field": "held_on"})
    return CheckIn.objects.create(
        group=group,
        staff=staff,
        held_on=held_on,
        notes=notes.strip(),
        health=health,
        channel=channel,
    )


# --------------------------------------------------------------------------------------------
# Closure
# --------------------------------------------------------------------------------------------


@transaction.atomic
def match_end(
    *, actor: User | None, match: Match, ending: str, reason: str, rematch: bool = False
) -> Match:
    """End a match. Rematching policy: an unplanned ending may put the mentee back in the
    queue (a new application with the same wishes, the previous mentor excluded); a planned
    ending closes the application."""
    if actor is not None:
        require_role(actor, Role.OPERATOR)
    locked = Match.objects.select_for_update().select_related("mentee", "group").get(pk=match.pk)
    if locked.status != Match.Status.ACTIVE:
        raise Conflict(_("이미 종료된 매칭입니다."), code="already_ended")
    if ending not in Match.Ending.values:
        raise InvalidInput(_("종료 구분을 선택해 주세요."), details={"field": "ending"})
    if not reason.strip():
        raise InvalidInput(_("종료 사유를 적어 주세요."), details={"field": "reason"})
    if rematch and ending != Match.Ending.UNPLANNED:
        raise RuleViolation(_("재매칭은 중도 종료에만 적용됩니다."), code="rematch_policy")
    locked.status = Match.Status.ENDED
    locked.ended_on = today()
    locked.ending = ending
    locked.end_reason = reason.strip()[:300]
    locked.rematch_requested = rematch
    locked.save()
    old = locked.mentee
    old.status = MenteeApplication.Status.CLOSED
    old.save(update_fields=["status", "updated_at"])
    if rematch:
        fresh = MenteeApplication.objects.create(
            user=old.user,
            term=old.term,
            school_level=old.school_level,
            grade=old.grade,
            subjects=old.subjects,
            goals=old.goals,
            desired_major=old.desired_major,
            interests=old.interests,
            mode=old.mode,
            availability=old.availability,
            district_code=old.district_code,
            mentor_gender=old.mentor_gender,
            languages=old.languages,
        )
        fresh.excluded_mentors.set([*old.excluded_mentors.all(), locked.group.mentor])
    group = locked.group
    if not group.matches.filter(status=Match.Status.ACTIVE).exists():
        group.status = MentoringGroup.Status.ENDED
        group.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def exit_survey_submit(
    *,
    user: User,
    match: Match,
    satisfaction: int,
    goals_met: int,
    would_recommend: bool,
    comment: str,
) -> ExitSurvey:
    match = Match.objects.select_related("mentee", "group__mentor").get(pk=match.pk)
    if match.mentee.user_id == user.pk:
        respondent = ExitSurvey.Respondent.MENTEE
    elif match.group.mentor.user_id == user.pk:
        respondent = ExitSurvey.Respondent.MENTOR
    else:
        raise PermissionDenied(_("본인의 매칭에만 응답할 수 있습니다."), code="wrong_owner")
    if match.status != Match.Status.ENDED:
        raise Conflict(_("종료된 매칭에만 응답할 수 있습니다."), code="wrong_state")
    for field, value in (("satisfaction", satisfaction), ("goals_met", goals_met)):
        if not 1 <= value <= 5:
            raise InvalidInput(_("1~5 중에서 골라 주세요."), details={"field": field})
    if ExitSurvey.objects.filter(match=match, respondent=respondent).exists():
        raise Conflict(_("이미 응답했습니다."), code="already_answered")
    return ExitSurvey.objects.create(
        match=match,
        respondent=respondent,
        satisfaction=satisfaction,
        goals_met=goals_met,
        would_recommend=would_recommend,
        comment=comment.strip()[:2000],
    )


def matches_end_for_member(*, user: Any, reason: str) -> int:
    """End the active matches of a learner whose membership ended (no rematch)."""
    count = 0
    for match in Match.objects.filter(mentee__user=user, status=Match.Status.ACTIVE):
        match_end(actor=None, match=match, ending=Match.Ending.UNPLANNED, reason=reason)
        count += 1
    MenteeApplication.objects.filter(user=user, status="submitted").update(status="closed")
    return count


# --------------------------------------------------------------------------------------------
# Awards
# --------------------------------------------------------------------------------------------

AWARD_LIMITS = {
    Award.Kind.MONTHLY_TEAM: 200,
    Award.Kind.HALF_YEAR_TEAM: 10,
    Award.Kind.HONORARY_MENTOR: 10,
}


@transaction.atomic
def awards_propose(
    *, operator: User, term: MentorTerm, kind: str, period_start: dt.date, period_end: dt.date
) -> list[Award]:
    """Rank teams (or mentors) by the transparent activity score and store the top ones as
    proposals for operators to review (replacing earlier proposals of the same period)."""
    require_role(operator, Role.OPERATOR)
    if kind not in AWARD_LIMITS:
        raise InvalidInput(_("시상 구분이 올바르지 않습니다."), details={"field": "kind"})
    if period_end < period_start:
        raise InvalidInput(_("기간이 올바르지 않습니다."), details={"field": "period_end"})
    if Award.objects.filter(
        term=term, kind=kind, period_start=period_start, status=Award.Status.PUBLISHED
    ).exists():
        raise Conflict(_("이미 발표된 기간입니다."), code="already_published")
    Award.objects.filter(term=term, kind=kind, period_start=period_start).delete()
    ranking = selectors.award_ranking(term, period_start, period_end)
    limit = AWARD_LIMITS[Award.Kind(kind)]
    awards: list[Award] = []
    seen_mentors: set[int] = set()
    for row in ranking:
        if row["mentor"].pk in seen_mentors:
            continue
        seen_mentors.add(row["mentor"].pk)
        awards.append(
            Award(
                term=term,
                kind=kind,
                period_start=period_start,
                period_end=period_end,
                group=row["group"] if kind != Award.Kind.HONORARY_MENTOR else None,
                mentor=row["mentor"],
                rank=len(awards) + 1,
                score=row["score"],
                components=row["components"],
            )
        )
        if len(awards) >= limit:
            break
    return Award.objects.bulk_create(awards)


@transaction.atomic
def award_exclude(*, operator: User, award: Award, reason: str) -> Award:
    require_role(operator, Role.OPERATOR)
    if award.status != Award.Status.PROPOSED:
        raise Conflict(_("발표된 시상은 바꿀 수 없습니다."), code="already_published")
    if not reason.strip():
        raise InvalidInput(_("제외 사유를 적어 주세요."), details={"field": "reason"})
    award.excluded = True
    award.exclusion_reason = reason.strip()[:300]
    award.save()
    return award


@transaction.atomic
def awards_publish(*, operator: User, term: MentorTerm, kind: str, period_start: dt.date) -> int:
    require_role(operator, Role.OPERATOR)
    qs = Award.objects.select_for_update().filter(
        term=term, kind=kind, period_start=period_start, status=Award.Status.PROPOSED
    )
    if not qs.exists():
        raise Conflict(_("발표할 시상 후보가 없습니다."), code="nothing_to_publish")
    kept = [a for a in qs.order_by("rank") if not a.excluded]
    for rank, award in enumerate(kept, start=1):
        award.rank = rank
        award.status = Award.Status.PUBLISHED
        award.published_by = operator
        award.published_at = now()
        award.save()
    qs.filter(excluded=True).delete()
    return len(kept)


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


@transaction.atomic
def event_register(*, user: User, event: Event) -> EventRegistration:
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.starts_at <= now():
        raise Conflict(_("이미 시작한 행사입니다."), code="event_started")
    if user.role not in (Role.MENTOR, Role.LEARNER):
        raise PermissionDenied(_("멘토와 멘티만 신청할 수 있습니다."), code="wrong_role")
    if EventRegistration.objects.filter(event=locked, user=user).exists():
        raise Conflict(_("이미 신청했습니다."), code="already_registered")
    if locked.registrations.count() >= locked.capacity:
        raise RuleViolation(_("정원이 찼습니다."), code="event_full")
    return EventRegistration.objects.create(event=locked, user=user)


@transaction.atomic
def event_attendance_set(
    *, operator: User, registration: EventRegistration, attended: bool
) -> EventRegistration:
    require_role(operator, Role.OPERATOR)
    registration.attended = attended
    registration.save(update_fields=["attended", "updated_at"])
    return registration
