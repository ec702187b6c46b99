"""What the learner workspace reads from mentoring: the mentor relation, the learner's sessions
and the mentoring achievements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.core.timeutil import SEOUL, today
from seoullearn.mentoring import selectors, services
from seoullearn.mentoring.models import Match, Session
from seoullearn.mentoring.tests.factories import (
    MenteeApplicationFactory,
    make_group,
    make_ready_mentor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(term: Any) -> Any:
    mentor = make_ready_mentor(term=term)
    return make_group(mentor, [MenteeApplicationFactory(term=term) for _ in range(2)])


def _learners(group: Any) -> list[Any]:
    return [m.mentee.user for m in group.matches.order_by("pk")]


def _plan(group: Any, day: dt.date, topic: str = "일차함수", **kw: Any) -> Session:
    return services.session_plan(
        mentor_user=group.mentor.user,
        group=group,
        date=day,
        duration_minutes=kw.pop("minutes", 90),
        mode="online",
        topic=topic,
        online_link="https://meet.example/1",
        **kw,
    )


def _log(group: Any, session: Session, present: list[Any]) -> Session:
    return services.session_log(
        mentor_user=group.mentor.user,
        session=session,
        notes="개념을 정리하고 문제를 함께 풀었다.",
        attended={str(m.public_id): m.mentee.user in present for m in group.matches.all()},
    )


def test_mentor_relation_follows_active_matches(group: Any, term: Any) -> None:
    first, second = _learners(group)
    mentor = group.mentor.user
    other_mentor = make_ready_mentor(term=term).user
    outsider = MenteeApplicationFactory(term=term).user
    assert selectors.is_mentor_of(mentor, first) and selectors.is_mentor_of(mentor, second)
    assert not selectors.is_mentor_of(other_mentor, first)
    assert not selectors.is_mentor_of(mentor, outsider)
    assert not selectors.is_mentor_of(first, second)  # a learner is nobody's mentor
    assert list(selectors.mentees_of(mentor)) == sorted(
        [first, second], key=lambda u: (u.full_name, u.pk)
    )
    assert not selectors.mentees_of(other_mentor).exists()
    assert not selectors.mentees_of(first).exists()

    match = group.matches.get(mentee__user=first)
    services.match_end(actor=None, match=match, ending=Match.Ending.PLANNED, reason_code="term_end")
    assert not selectors.is_mentor_of(mentor, first)
    assert list(selectors.mentees_of(mentor)) == [second]


def test_an_unselected_mentor_has_no_mentees(group: Any) -> None:
    group.mentor.status = "ended"
    group.mentor.save()
    assert not selectors.is_mentor_of(group.mentor.user, _learners(group)[0])
    assert not selectors.mentees_of(group.mentor.user).exists()


def test_default_start_time_comes_from_the_regular_slot(group: Any) -> None:
    monday = today() - dt.timedelta(days=today().weekday())
    assert selectors.default_start_time(group, monday) == dt.time(19)  # mon-ev
    assert selectors.default_start_time(group, monday + dt.timedelta(days=5)) == dt.time(10)
    # a day without a regular slot: the earliest regular slot's time
    assert selectors.default_start_time(group, monday + dt.timedelta(days=1)) == dt.time(10)
    group.schedule = []
    assert selectors.default_start_time(group, monday) == dt.time(19)


def test_sessions_for_learner(group: Any, term: Any) -> None:
    first, second = _learners(group)
    day = today()
    held = _log(group, _plan(group, day - dt.timedelta(days=3), "지난 활동"), present=[second])
    planned = _plan(group, day + dt.timedelta(days=2), "다음 활동", start_time=dt.time(17, 30))
    _plan(group, day + dt.timedelta(days=40), "먼 활동")
    cancelled = _plan(group, day + dt.timedelta(days=1), "취소된 활동")
    Session.objects.filter(pk=cancelled.pk).update(status=Session.Status.CANCELLED)
    other = make_group(make_ready_mentor(term=term), [MenteeApplicationFactory(term=term)])
    _plan(other, day + dt.timedelta(days=2), "다른 모둠")

    since = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(), tzinfo=SEOUL)
    until = dt.datetime.combine(day + dt.timedelta(days=7), dt.time(), tzinfo=SEOUL)
    found = selectors.sessions_for_learner(first, since=since, until=until)
    # held sessions count for the learners recorded in them, present or not
    assert [s.public_id for s in found] == [held.public_id, planned.public_id]
    upcoming = found[1]
    assert upcoming.starts_at == dt.datetime.combine(planned.date, dt.time(17, 30), tzinfo=SEOUL)
    assert upcoming.starts_at.tzinfo is not None
    assert upcoming.duration_minutes == 90
    assert "다음 활동" in upcoming.title and group.mentor.user.display_name in upcoming.title
    # the range is half-open and exact to the minute
    just_before = selectors.sessions_for_learner(first, since=since, until=upcoming.starts_at)
    assert [s.public_id for s in just_before] == [held.public_id]
    # after the match ends, planned sessions leave the learner's plan; held ones stay
    services.match_end(
        actor=None,
        match=group.matches.get(mentee__user=first),
        ending=Match.Ending.UNPLANNED,
        reason_code="mentee_left",
        reason="이사",
    )
    after = selectors.sessions_for_learner(first, since=since, until=until)
    assert [s.public_id for s in after] == [held.public_id]


def test_achievements_for_learner(group: Any) -> None:
    first, second = _learners(group)
    day = today()
    assert selectors.achievements_for_learner(first) == []
    _log(group, _plan(group, day - dt.timedelta(days=9), "방정식", minutes=60), present=[first])
    _log(group, _plan(group, day - dt.timedelta(days=2), "함수", minutes=90), present=[first])
    _log(group, _plan(group, day - dt.timedelta(days=1), "도형"), present=[second])
    _plan(group, day + dt.timedelta(days=3), "예정")

    [entry] = selectors.achievements_for_learner(first)
    match = group.matches.get(mentee__user=first)
    assert entry["kind"] == "mentoring"
    assert entry["source_key"] == f"mentoring-match:{match.public_id}"
    assert entry["occurred_on"] == day - dt.timedelta(days=2)
    assert "2회" in entry["title"] and group.mentor.user.display_name in entry["title"]
    assert "2.5" in entry["detail"] and "방정식, 함수" in entry["detail"]
    assert "도형" not in entry["detail"] and "예정" not in entry["detail"]
    assert entry["evidence"]
    # stable: the same key on every read
    assert selectors.achievements_for_learner(first)[0]["source_key"] == entry["source_key"]
    [other] = selectors.achievements_for_learner(second)
    assert "1회" in other["title"] and other["source_key"] != entry["source_key"]
    # a planned ending is shown as completed mentoring
    services.match_end(
        actor=None, match=match, ending=Match.Ending.PLANNED, reason_code="goals_met"
    )
    assert "수료" in selectors.achievements_for_learner(first)[0]["title"]


def test_check_in_due_list_costs_the_same_queries_for_many_groups(
    term: Any, django_assert_max_num_queries: Any
) -> None:
    """The due list reads check-ins and the last session of all groups at once (it once asked
    per group, about 1.3 s on the full demo), and agrees with the per-group health."""
    from seoullearn.accounts.tests.factories import OperatorFactory
    from seoullearn.mentoring.models import CheckIn

    operator: Any = OperatorFactory()
    started = today() - dt.timedelta(days=70)
    groups = []
    for index in range(6):
        mentor = make_ready_mentor(term=term)
        group = make_group(mentor, [MenteeApplicationFactory(term=term)], started_on=started)
        groups.append(group)
        # the first group is checked on schedule and active; the others fall behind variously
        offsets = (5, 20, 40, 65) if index == 0 else (5, 20, 40)[: index % 4]
        for offset in offsets:
            CheckIn.objects.create(
                group=group,
                staff=operator,
                held_on=started + dt.timedelta(days=offset),
                notes="통화",
                health="on_track",
            )
        if index != 5:
            Session.objects.create(
                group=group,
                date=today() - dt.timedelta(days=3 + 12 * (index % 3)),
                mode="online",
                topic="복습",
                status=Session.Status.LOGGED,
            )
    with django_assert_max_num_queries(4):
        rows = selectors.check_in_due_list(term)
    by_group = {row["group"].pk: row for row in rows}
    assert selectors.group_health(groups[0]) == "on_track" and groups[0].pk not in by_group
    assert len(rows) == 5
    for group in groups[1:]:
        row = by_group[group.pk]
        assert row["health"] == selectors.group_health(group)
        assert (row["required"], row["done"]) == selectors.check_ins_required(group, today())
    assert {row["health"] for row in rows} == {"needs_check_in", "inactive"}


def test_award_ranking_reads_all_groups_at_once(
    term: Any, django_assert_max_num_queries: Any
) -> None:
    """The transparent award score, per group, in four queries whatever the number of groups
    (the full demo's 1,247 groups once cost two queries each)."""
    groups = []
    for index in range(5):
        group = make_group(
            make_ready_mentor(term=term),
            [MenteeApplicationFactory(term=term) for _ in range(2)],
            started_on=today() - dt.timedelta(days=50),
        )
        groups.append(group)
        for week in range(index + 1):
            session = _plan(group, today() - dt.timedelta(days=7 * week + 1))
            _log(group, session, [m.mentee.user for m in group.matches.all()][: 1 + week % 2])
            Session.objects.filter(pk=session.pk).update(notes="가" * (100 if week % 2 else 20))
    rated = groups[4].sessions.first()
    assert rated is not None
    for attendance in rated.attendance.filter(attended=True):
        attendance.feedback = 5
        attendance.save()
    start, end = today() - dt.timedelta(days=40), today()
    with django_assert_max_num_queries(4):
        ranking = selectors.award_ranking(term, start, end)
    top = ranking[0]
    assert top["group"].pk == groups[4].pk
    # the score's parts, computed by hand from the group's sessions
    sessions = list(groups[4].sessions.filter(status="logged"))
    present = sum(s.attendance.filter(attended=True).count() for s in sessions)
    expected = {
        "sessions": min(len(sessions) / 4, 1.0),
        "attendance": present / (2 * len(sessions)),
        "feedback": 1.0,
        "log_quality": sum(len(s.notes) >= 100 for s in sessions) / len(sessions),
    }
    assert top["components"] == {k: round(v, 3) for k, v in expected.items()}
    assert top["sessions"] == 5 and len(ranking) == 5
