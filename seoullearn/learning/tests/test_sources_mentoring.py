"""The workspace reads mentoring: sessions in the weekly plan, mentoring in the portfolio, and
only the learner's own mentor may read the learner's plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from seoullearn.accounts.tests.factories import MentorFactory
from seoullearn.core.timeutil import today
from seoullearn.learning import selectors, services, sources
from seoullearn.learning.models import PortfolioEntry
from seoullearn.learning.tests.factories import learner_with_profile
from seoullearn.mentoring import services as mentoring_services
from seoullearn.mentoring.tests.factories import (
    MenteeApplicationFactory,
    TermFactory,
    make_group,
    make_ready_mentor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentored():
    """A learner with a profile in an active mentoring group."""
    learner = learner_with_profile()
    term = TermFactory()
    mentor = make_ready_mentor(term=term)
    group = make_group(mentor, [MenteeApplicationFactory(term=term, user=learner)])
    return learner, group


def _session(group, day, topic, start_time=None):
    return mentoring_services.session_plan(
        mentor_user=group.mentor.user,
        group=group,
        date=day,
        duration_minutes=60,
        mode="online",
        topic=topic,
        online_link="https://meet.example/room",
        start_time=start_time,
    )


def test_plan_includes_the_mentoring_session(client, mentored):
    learner, group = mentored
    session = _session(group, today(), "이차방정식 풀이", dt.time(23, 0))
    plan = services.plan_generate(learner=learner)
    [item] = plan.items.filter(kind="mentoring")
    assert item.fixed and item.day == today() and item.minutes == 60
    assert item.ref == str(session.public_id)
    assert "이차방정식 풀이" in item.title
    client.force_login(learner)
    page = client.get(reverse("learning:plan")).content.decode()
    assert "이차방정식 풀이" in page


def test_portfolio_offers_the_mentoring_achievement(client, mentored):
    learner, group = mentored
    session = _session(group, today() - dt.timedelta(days=2), "자기소개서 구성")
    match = group.matches.get()
    mentoring_services.session_log(
        mentor_user=group.mentor.user,
        session=session,
        notes="자기소개서의 구성과 사례 고르는 법을 함께 정리했다.",
        attended={str(match.public_id): True},
    )
    client.force_login(learner)
    client.post(reverse("learning:portfolio_sync"))
    entry = PortfolioEntry.objects.get(learner=learner, kind=PortfolioEntry.Kind.MENTORING)
    assert entry.source_key == f"mentoring-match:{match.public_id}"
    assert entry.occurred_on == session.date
    assert entry.verification == PortfolioEntry.Verification.VERIFIED
    assert "자기소개서 구성" in entry.detail
    assert entry.title in client.get(reverse("learning:portfolio")).content.decode()
    # syncing again updates the same entry
    services.portfolio_sync(learner=learner)
    assert PortfolioEntry.objects.filter(learner=learner, kind="mentoring").count() == 1


def test_only_the_learners_own_mentor_reads_the_plan(client, mentored):
    learner, group = mentored
    plan = services.plan_generate(learner=learner)
    url = reverse("learning:plan_detail", args=[plan.public_id])
    own = group.mentor.user
    other_mentor = make_ready_mentor(term=group.term).user
    stranger = MentorFactory()
    assert sources.is_mentor_of(own, learner)
    assert not sources.is_mentor_of(other_mentor, learner)
    assert [m.pk for m in sources.mentees_of(own)] == [learner.pk]

    client.force_login(own)
    assert client.get(url).status_code == 200
    assert learner.display_name in client.get(reverse("learning:mentor_home")).content.decode()
    for outsider in (other_mentor, stranger):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert learner.display_name not in (
            client.get(reverse("learning:mentor_home")).content.decode()
        )
    # when the match ends, the mentor loses access
    mentoring_services.match_end(
        actor=None, match=group.matches.get(), ending="planned", reason="기수 종료"
    )
    assert not selectors.may_read_plan(own, plan)
    client.force_login(own)
    assert client.get(url).status_code == 403
