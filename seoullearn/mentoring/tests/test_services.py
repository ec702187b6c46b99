# mypy: disable-error-code="misc,return-value,assignment,type-var,var-annotated"
"""Services: screening, training gate, mentee applications, matching task, publish, activity,
check-ins, awards, closure and events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import LearnerProfileFactory, MentorFactory
from seoullearn.core.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from seoullearn.core.timeutil import today
from seoullearn.mentoring import selectors, services
from seoullearn.mentoring.models import (
    Award,
    Match,
    MatchingRun,
    MenteeApplication,
    MentorApplication,
    Session,
    TrainingModule,
)
from seoullearn.mentoring.tests.factories import (
    MenteeApplicationFactory,
    MentorApplicationFactory,
    UniversityFactory,
    make_coordinator,
    make_member,
    make_ready_mentor,
)

pytestmark = pytest.mark.django_db

APPLY = {
    "major": "컴퓨터공학",
    "major_field": "computing",
    "year": 2,
    "grade_band": "high",
    "subjects": ["math", "coding"],
    "school_levels": ["high"],
    "availability": ["mon-ev", "sat-am"],
    "mode": "both",
    "districts": ["11350"],
    "motivation": "코딩과 수학을 좋아하는 학생을 만나 함께 성장하고 싶습니다.",
}


def test_screening_flow_from_application_to_selection(term: Any, operator: Any) -> None:
    univ = UniversityFactory()
    coordinator = make_coordinator(univ)
    user = MentorFactory()
    app = services.mentor_application_submit(
        user=user, term=term, data={**APPLY, "university": univ}
    )
    assert app.status == MentorApplication.Status.SUBMITTED
    with pytest.raises(Conflict):  # no recommendation yet
        services.mentor_application_decide(
            operator=operator, application=app, select=True, reason="x"
        )
    services.mentor_application_recommend(
        coordinator=coordinator, application=app, recommend=True, note="성실함"
    )
    with pytest.raises(Conflict):  # recommendation is a one-time step
        services.mentor_application_recommend(
            coordinator=coordinator, application=app, recommend=True, note="x"
        )
    with pytest.raises(InvalidInput):
        services.mentor_application_review(
            operator=operator,
            application=app,
            scores={"motivation": 30},
            interviewed_on=None,
            interview_notes="",
        )
    services.mentor_application_review(
        operator=operator,
        application=app,
        scores=dict.fromkeys(services.RUBRIC, 16),
        interviewed_on=today(),
        interview_notes="명확한 설명",
    )
    with pytest.raises(RuleViolation):  # background check missing
        services.mentor_application_decide(
            operator=operator, application=app, select=True, reason="우수"
        )
    services.mentor_application_checks(
        operator=operator,
        application=app,
        reference_status="passed",
        reference_valid_until=today() + dt.timedelta(days=300),
        background_status="passed",
        background_valid_until=today() + dt.timedelta(days=300),
    )
    with pytest.raises(InvalidInput):
        services.mentor_application_decide(
            operator=operator, application=app, select=True, reason=" "
        )
    app = services.mentor_application_decide(
        operator=operator, application=app, select=True, reason="우수"
    )
    assert app.status == "selected" and app.review_total == 80
    assert app.history.count() >= 4
    # Re-application next term links the previous one.
    from seoullearn.mentoring.tests.factories import TermFactory

    nxt = TermFactory(name="다음 기수")
    again = services.mentor_application_submit(
        user=user, term=nxt, data={**APPLY, "university": univ}
    )
    assert again.previous == app


def test_bad_mentor_applications_are_refused(term: Any) -> None:
    univ = UniversityFactory()
    user = MentorFactory()
    for bad in (
        {"subjects": ["alchemy"]},
        {"year": 9},
        {"motivation": "짧음"},
        {"mode": "both", "districts": []},
        {"availability": []},
        {"capacity": 9},
    ):
        with pytest.raises(InvalidInput):
            services.mentor_application_submit(
                user=user, term=term, data={**APPLY, "university": univ, **bad}
            )
    with pytest.raises(PermissionDenied):
        services.mentor_application_submit(
            user=make_member(), term=term, data={**APPLY, "university": univ}
        )
    services.mentor_application_submit(user=user, term=term, data={**APPLY, "university": univ})
    with pytest.raises(Conflict):
        services.mentor_application_submit(user=user, term=term, data={**APPLY, "university": univ})


def test_coordinator_of_another_university_cannot_recommend(term: Any) -> None:
    app = MentorApplicationFactory(term=term)
    other = make_coordinator(UniversityFactory())
    with pytest.raises(PermissionDenied):
        services.mentor_application_recommend(
            coordinator=other, application=app, recommend=True, note="x"
        )
    assert list(selectors.applications_for_coordinator(other)) == []


def test_nobody_is_matched_before_pre_training_and_orientation(term: Any, operator: Any) -> None:
    mentor = make_ready_mentor(term=term)
    assert selectors.mentor_ready(mentor)
    late = TrainingModule.objects.create(
        term=term, kind="orientation", title="2차 OT", held_on=today()
    )
    assert not selectors.mentor_ready(mentor)
    assert mentor not in selectors.ready_mentors(term)
    with pytest.raises(InvalidInput):
        services.training_record_set(
            operator=operator, module=late, mentor=mentor, attended=False, completed=True
        )
    services.training_record_set(
        operator=operator, module=late, mentor=mentor, attended=True, completed=True
    )
    assert selectors.ready_mentors(term) == [mentor]


def test_mentee_application_needs_membership_and_guardian_consent(term: Any) -> None:
    data = {
        "subjects": ["math"],
        "goals": "수학 공부",
        "mode": "offline",
        "availability": ["mon-ev"],
    }
    outsider = LearnerProfileFactory().user
    with pytest.raises(RuleViolation):
        services.mentee_application_submit(user=outsider, term=term, data=data)
    child = make_member(birth_date=today().replace(year=today().year - 11))
    with pytest.raises(RuleViolation) as info:
        services.mentee_application_submit(user=child, term=term, data=data)
    assert info.value.code == "guardian_consent_required"
    member = make_member()
    with pytest.raises(InvalidInput):
        services.mentee_application_submit(user=member, term=term, data={**data, "subjects": []})
    app = services.mentee_application_submit(user=member, term=term, data=data)
    assert app.district_code == "11350" and app.school_level == "middle"
    with pytest.raises(Conflict):
        services.mentee_application_submit(user=member, term=term, data=data)


def _run(term: Any, operator: Any, run_tasks: Any) -> MatchingRun:
    run = services.matching_run_start(operator=operator, term=term)
    run_tasks()
    run.refresh_from_db()
    return run


@pytest.mark.django_db(transaction=True)
def test_matching_task_publish_and_session(term: Any, operator: Any, run_tasks: Any) -> None:
    mentor = make_ready_mentor(term=term, capacity=2)
    unready = MentorApplicationFactory(term=term, status="selected")
    mentees = [MenteeApplicationFactory(term=term) for _ in range(3)]
    run = _run(term, operator, run_tasks)
    assert run.status == "done" and run.progress == 1.0
    assert run.proposals.count() == 2
    assert not run.proposals.filter(mentor=unready).exists()
    proposal = run.proposals.first()
    assert sum(proposal.components.values()) == proposal.score
    # A manual adjustment to a mentor breaking hard constraints is refused.
    offline = make_ready_mentor(term=term, mode="offline", districts=["11680"])
    with pytest.raises(RuleViolation):
        services.proposal_adjust(
            operator=operator, proposal=proposal, mentor=offline, reason="가까움"
        )
    run = services.matching_run_publish(operator=operator, run=run)
    assert run.status == "published"
    with pytest.raises(Conflict):
        services.matching_run_publish(operator=operator, run=run)
    group = mentor.groups.get()
    assert group.matches.count() == 2 and set(group.schedule) <= {"mon-ev", "wed-ev"}
    assert MenteeApplication.objects.filter(status="submitted").count() == 1
    # The mentor plans and logs a session; a mentee gives feedback.
    session = services.session_plan(
        mentor_user=mentor.user,
        group=group,
        date=today(),
        duration_minutes=90,
        mode="online",
        topic="일차함수",
        online_link="https://meet.example/1",
    )
    matches = list(group.matches.all())
    with pytest.raises(PermissionDenied):
        services.session_log(
            mentor_user=unready.user, session=session, notes="남의 모둠 기록 시도", attended={}
        )
    session = services.session_log(
        mentor_user=mentor.user,
        session=session,
        notes="일차함수 그래프를 함께 그렸다.",
        attended={str(matches[0].public_id): True},
    )
    assert session.status == Session.Status.LOGGED
    assert session.attendance.filter(attended=True).count() == 1
    services.session_feedback(mentee_user=matches[0].mentee.user, session=session, rating=5)
    with pytest.raises(InvalidInput):
        services.session_feedback(mentee_user=matches[1].mentee.user, session=session, rating=9)
    with pytest.raises(PermissionDenied):
        services.session_feedback(mentee_user=mentees[-1].user, session=session, rating=4)
    rows = selectors.monthly_hours(term, today())
    assert rows[0]["amount_krw"] == 90 * term.hourly_rate_krw // 60
    statements = selectors.session_statements(session)
    assert [s["verb_id"].rsplit("/", 1)[1] for s in statements] == ["mentored", "attended"]


@pytest.mark.django_db(transaction=True)
def test_check_ins_health_and_closure_with_rematch(
    term: Any, operator: Any, run_tasks: Any
) -> None:
    mentor = make_ready_mentor(term=term)
    MenteeApplicationFactory(term=term)
    services.matching_run_publish(operator=operator, run=_run(term, operator, run_tasks))
    group = mentor.groups.get()
    assert selectors.check_in_due_list(term)[0]["required"] == 1
    services.check_in_record(
        staff=operator, group=group, held_on=today(), notes="첫 통화", health="on_track"
    )
    later = today() + dt.timedelta(days=40)
    assert selectors.group_health(group, later) == "inactive"
    with pytest.raises(InvalidInput):
        services.check_in_record(
            staff=operator, group=group, held_on=later, notes="x", health="on_track"
        )
    match = group.matches.get()
    with pytest.raises(RuleViolation):
        services.match_end(
            actor=operator, match=match, ending="planned", reason_code="term_end", rematch=True
        )
    services.match_end(
        actor=operator, match=match, ending="unplanned", reason_code="schedule", rematch=True
    )
    fresh = MenteeApplication.objects.get(status="submitted")
    assert list(fresh.excluded_mentors.all()) == [mentor]
    group.refresh_from_db()
    assert group.status == "ended"
    answers = {"rating": 4, "went_well": "", "could_be_better": "", "would_recommend": True}
    survey = services.exit_survey_submit(user=match.mentee.user, match=match, **answers)
    assert survey.respondent == "mentee"
    with pytest.raises(Conflict):
        services.exit_survey_submit(user=match.mentee.user, match=match, **{**answers, "rating": 2})
    # The next run never pairs the mentee with the excluded mentor.
    run = _run(term, operator, run_tasks)
    assert run.proposals.count() == 0


@pytest.mark.django_db(transaction=True)
def test_membership_end_ends_matches(term: Any, operator: Any, run_tasks: Any) -> None:
    from seoullearn.eligibility.signals import membership_ended

    make_ready_mentor(term=term)
    app = MenteeApplicationFactory(term=term)
    services.matching_run_publish(operator=operator, run=_run(term, operator, run_tasks))
    membership = app.user.memberships.get()
    membership_ended.send(sender=type(membership), membership=membership, reason="expired")
    match = Match.objects.get()
    assert match.status == "ended" and match.ending == "unplanned"
    assert (match.end_reason_code, match.end_reason) == ("membership_ended", "expired")
    assert not match.rematch_requested


@pytest.mark.django_db(transaction=True)
def test_awards_ranked_reviewed_and_published(term: Any, operator: Any, run_tasks: Any) -> None:
    mentors = [make_ready_mentor(term=term, capacity=1) for _ in range(3)]
    for _ in mentors:
        MenteeApplicationFactory(term=term)
    services.matching_run_publish(operator=operator, run=_run(term, operator, run_tasks))
    for n, mentor in enumerate(mentors):
        group = mentor.groups.get()
        for k in range(n + 1):
            s = services.session_plan(
                mentor_user=mentor.user,
                group=group,
                date=today(),
                duration_minutes=60,
                mode="offline",
                place="도서관",
                topic=f"주제 {k}",
            )
            services.session_log(
                mentor_user=mentor.user,
                session=s,
                notes="x" * 120,
                attended={str(group.matches.get().public_id): True},
            )
    start = today().replace(day=1)
    awards = services.awards_propose(
        operator=operator, term=term, kind="monthly_team", period_start=start, period_end=today()
    )
    assert [a.mentor for a in awards] == mentors[::-1]
    assert awards[0].components["sessions"] == 0.75
    services.award_exclude(operator=operator, award=awards[0], reason="민원 조사 중")
    assert (
        services.awards_publish(
            operator=operator, term=term, kind="monthly_team", period_start=start
        )
        == 2
    )
    published = list(Award.objects.filter(status="published").order_by("rank"))
    assert [a.mentor for a in published] == [mentors[1], mentors[0]]
    from seoullearn.mentoring.certificates import certificate_pdf

    pdf = certificate_pdf(published[0])
    assert pdf.startswith(b"%PDF")


def test_event_registration_capacity(term: Any) -> None:
    from seoullearn.mentoring.models import Event

    event = Event.objects.create(
        term=term,
        kind="guest_talk",
        title="뇌과학",
        speaker="김박사",
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
        place="시청",
        capacity=1,
    )
    services.event_register(user=make_member(), event=event)
    with pytest.raises(RuleViolation):
        services.event_register(user=make_member(), event=event)
