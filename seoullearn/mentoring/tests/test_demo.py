"""The mentoring demo data: every page lived-in for its demo login, and deterministic."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from seoullearn.accounts import demo as accounts_demo
from seoullearn.core.demo import DemoContext
from seoullearn.core.timeutil import today
from seoullearn.eligibility import demo as eligibility_demo
from seoullearn.learning.models import LearningPlan, PortfolioEntry
from seoullearn.mentoring import demo, selectors
from seoullearn.mentoring.models import (
    Award,
    CheckIn,
    Event,
    ExitSurvey,
    Match,
    MatchingRun,
    MenteeApplication,
    MentorApplication,
    MentoringGroup,
    Session,
    TrainingRecord,
)
from seoullearn.programmes import demo as programmes_demo

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode() if response.get("Content-Type", "").startswith("text") else ""


def test_seed_demo_small_fills_every_mentoring_page() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--size", "small", "--seed", "2022", stdout=out)
    printed = out.getvalue()
    assert "  mentoring: " in printed
    for login in ("mentor", "mentor_applicant", "coordinator"):
        assert f" {login} " in printed

    # the pipeline has every state; training, matching, activity, awards, closure and events
    term = selectors.current_term()
    assert term is not None
    states = set(MentorApplication.objects.filter(term=term).values_list("status", flat=True))
    assert states == set(MentorApplication.Status.values)
    assert TrainingRecord.objects.filter(module__kind="monthly", completed_at__isnull=True).exists()
    runs = Counter(MatchingRun.objects.values_list("status", flat=True))
    assert runs == {"published": 1, "done": 1}
    assert MentoringGroup.objects.filter(status="active").count() >= 10
    assert Session.objects.filter(status="logged").exists()
    assert Session.objects.filter(status="planned", date__gte=today()).exists()
    assert CheckIn.objects.exists() and selectors.check_in_due_list(term)
    assert Award.objects.filter(status="published").exists()
    assert Award.objects.filter(status="proposed").exists()
    assert Match.objects.filter(status="ended", ending="planned").exists()
    assert ExitSurvey.objects.filter(respondent="mentor").exists()
    assert MenteeApplication.objects.filter(status="submitted").exists()
    assert Event.objects.filter(starts_at__date__gt=today()).exists()

    # the demo mentor: a group with the demo learner, a session to log, stipends
    mentor = _client("mentor")
    group = MentoringGroup.objects.get(mentor__user__username="mentor", status="active")
    learner = get_user_model().objects.get(username="learner_member")
    assert selectors.is_mentor_of(group.mentor.user, learner)
    home = _ok(mentor, reverse("mentoring:mentor_home"))
    assert group.mentor.university.name in home
    page = _ok(mentor, reverse("mentoring:mentor_group"))
    assert learner.display_name in page
    to_log = group.sessions.filter(status="planned", date__lte=today()).first()
    assert to_log is not None
    _ok(mentor, reverse("mentoring:session_log", args=[to_log.public_id]))
    assert "원" in _ok(mentor, reverse("mentoring:mentor_stipends"))
    for name in ("mentor_training", "events"):
        _ok(mentor, reverse(f"mentoring:{name}"))
    # applied already: the form sends the mentor to the application's status
    assert mentor.get(reverse("mentoring:mentor_apply")).status_code == 302
    assert learner.display_name in _ok(mentor, reverse("learning:mentor_home"))
    plan = LearningPlan.objects.filter(learner=learner).order_by("-week_start").first()
    assert plan is not None
    _ok(mentor, reverse("learning:plan_detail", args=[plan.public_id]))
    assert group.sessions.filter(lrs_recorded=True).exists()

    # the demo learner: the mentor, sessions to rate, mentoring in the plan and portfolio
    member = _client("learner_member")
    page = _ok(member, reverse("mentoring:mentee_home"))
    assert group.mentor.user.display_name in page
    rated = group.sessions.filter(status="logged").order_by("-date").first()
    assert rated is not None
    _ok(member, reverse("mentoring:mentee_feedback", args=[rated.public_id]))
    _ok(member, reverse("mentoring:events"))
    assert member.get(reverse("mentoring:mentee_apply")).status_code == 302
    assert LearningPlan.objects.filter(learner=learner, items__kind="mentoring").exists()
    entry = PortfolioEntry.objects.get(learner=learner, kind="mentoring")
    assert entry.title in _ok(member, reverse("learning:portfolio"))

    # the coordinator: their university's applicants, one still to recommend
    coordinator = _client("coordinator")
    page = _ok(coordinator, reverse("mentoring:coordinator_home"))
    waiting = MentorApplication.objects.filter(
        university__coordinators__user__username="coordinator", status="submitted"
    ).first()
    assert waiting is not None and waiting.user.display_name in page
    _ok(coordinator, reverse("mentoring:coordinator_recommend", args=[waiting.public_id]))

    # the operator's pages
    operator = _client("operator")
    for name in ("pipeline", "training", "runs", "check_ins", "awards"):
        _ok(operator, reverse(f"mentoring_ops:{name}"))
    applicant = MentorApplication.objects.get(user__username="mentor_applicant")
    assert applicant.status == "recommended"
    _ok(operator, reverse("mentoring_ops:application", args=[applicant.public_id]))
    for run in MatchingRun.objects.all():
        assert run.proposals.exists()
        _ok(operator, reverse("mentoring_ops:run", args=[run.public_id]))
    award = Award.objects.filter(status="published").first()
    assert award is not None
    response = operator.get(reverse("mentoring:award_certificate", args=[award.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def _run(seed: int) -> list[Any]:
    ctx = DemoContext(size="small", seed=seed, today=today())
    programmes_demo.seed(ctx)
    accounts_demo.seed(ctx)
    eligibility_demo.seed(ctx)
    demo.seed(ctx)
    return [
        sorted(
            MentorApplication.objects.values_list(
                "public_id", "user__username", "user__full_name", "status", "university__code"
            )
        ),
        sorted(MenteeApplication.objects.values_list("public_id", "user__username", "status")),
        sorted(Match.objects.values_list("public_id", "group__mentor__user__username", "score")),
        sorted(Session.objects.values_list("public_id", "date", "start_time", "status", "topic")),
        sorted(
            Award.objects.values_list("public_id", "period_start", "rank", "mentor__user__username")
        ),
        sorted(ExitSurvey.objects.values_list("public_id", "respondent", "satisfaction")),
    ]


def test_mentoring_demo_is_deterministic() -> None:
    with transaction.atomic():
        first = _run(5)
        transaction.set_rollback(True)
    with transaction.atomic():
        second = _run(5)
        transaction.set_rollback(True)
    third = _run(6)
    assert first == second
    assert first != third
    assert all(first)


def test_demo_without_programme_or_operators_does_nothing() -> None:
    demo.seed(DemoContext(size="small", seed=1, today=today()))
    assert not MentorApplication.objects.exists()
