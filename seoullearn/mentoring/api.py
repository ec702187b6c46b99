"""Mentoring API: a mentee's matches, a mentor's group and session log, matching runs."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from seoullearn.core.errors import PermissionDenied
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.mentoring import selectors, services
from seoullearn.mentoring.models import MatchingRun, Session
from seoullearn.mentoring.schemas import (
    FeedbackIn,
    GroupOut,
    MatchOut,
    MenteeOut,
    RunOut,
    SessionLogIn,
    SessionOut,
)

router = Router(tags=["mentoring"])


@router.get("/me/matches", response=list[MatchOut])
def my_matches(request: HttpRequest) -> list[MatchOut]:
    require_role(request.user, Role.LEARNER)
    return [
        MatchOut(
            id=m.public_id,
            mentor_name=m.group.mentor.user.display_name,
            university=m.group.mentor.university.name,
            schedule=m.group.schedule,
            status=m.status,
            score=m.score,
            components=m.components,
        )
        for m in selectors.mentee_matches(request.user)
    ]


@router.get("/mentor/group", response={200: GroupOut, 404: dict})
def my_group(request: HttpRequest) -> object:
    require_role(request.user, Role.MENTOR)
    group = selectors.mentor_groups(request.user).filter(status="active").first()
    if group is None:
        return 404, {"code": "not_found", "message": "no active group", "details": {}}
    mentees = []
    for m in group.matches.filter(status="active").select_related("mentee__user"):
        access_log_record(
            actor=request.user, subject=m.mentee.user, action="view",
            purpose="mentor views own mentees (API)", request=request, obj=m,
        )  # fmt: skip
        mentees.append(
            MenteeOut(
                match_id=m.public_id,
                name=m.mentee.user.display_name,
                school_level=m.mentee.school_level,
                grade=m.mentee.grade,
                subjects=m.mentee.subjects,
            )
        )
    return GroupOut(
        id=group.public_id,
        started_on=group.started_on,
        schedule=group.schedule,
        health=selectors.group_health(group),
        mentees=mentees,
    )


@router.post("/sessions/{session_id}/log", response=SessionOut)
def log_session(request: HttpRequest, session_id: UUID, payload: SessionLogIn) -> SessionOut:
    require_role(request.user, Role.MENTOR)
    session = get_object_or_404(
        Session.objects.select_related("group__mentor"), public_id=session_id
    )
    if session.group.mentor.user_id != request.user.pk:
        raise PermissionDenied("not your group", code="wrong_owner")
    session = services.session_log(
        mentor_user=request.user,  # type: ignore[arg-type]
        session=session,
        notes=payload.notes,
        attended=payload.attended,
    )
    return SessionOut(
        id=session.public_id, date=session.date, topic=session.topic, status=session.status
    )


@router.post("/sessions/{session_id}/feedback", response=SessionOut)
def feedback(request: HttpRequest, session_id: UUID, payload: FeedbackIn) -> SessionOut:
    require_role(request.user, Role.LEARNER)
    session = get_object_or_404(Session, public_id=session_id)
    services.session_feedback(
        mentee_user=request.user,  # type: ignore[arg-type]
        session=session,
        rating=payload.rating,
        comment=payload.comment,
    )
    return SessionOut(
        id=session.public_id, date=session.date, topic=session.topic, status=session.status
    )


@router.get("/runs/{run_id}", response=RunOut)
def run_status(request: HttpRequest, run_id: UUID) -> RunOut:
    require_role(request.user, Role.OPERATOR)
    run = get_object_or_404(MatchingRun, public_id=run_id)
    return RunOut(
        id=run.public_id,
        status=run.status,
        progress=run.progress,
        progress_label=run.progress_label,
        stats=run.stats,
    )


@router.post("/runs/{run_id}/publish", response=RunOut)
def run_publish(request: HttpRequest, run_id: UUID) -> RunOut:
    require_role(request.user, Role.OPERATOR)
    run = get_object_or_404(MatchingRun, public_id=run_id)
    run = services.matching_run_publish(operator=request.user, run=run)  # type: ignore[arg-type]
    return RunOut(
        id=run.public_id,
        status=run.status,
        progress=run.progress,
        progress_label=run.progress_label,
        stats=run.stats,
    )
