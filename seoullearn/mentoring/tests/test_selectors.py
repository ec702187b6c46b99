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
    services.match_end(actor=None, match=match, ending=Match.Ending.PLANNED, reason="학기 종료")
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
    services.match_end(actor=None, match=match, ending=Match.Ending.PLANNED, reason="목표 달성")
    assert "수료" in selectors.achievements_for_learner(first)[0]["title"]
