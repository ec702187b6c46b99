from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from seoullearn.activities import demo as activities_demo
from seoullearn.activities.models import ConsultingBooking, SpecialLecture
from seoullearn.activities.tests.factories import member
from seoullearn.core.demo import DemoContext
from seoullearn.core.timeutil import today
from seoullearn.learning import demo as learning_demo
from seoullearn.learning.models import LearningPlan, PortfolioEntry

pytestmark = pytest.mark.django_db


def test_demo_without_programme_or_members_does_nothing():
    ctx = DemoContext(size="small", seed=1, today=today())
    activities_demo.seed(ctx)
    learning_demo.seed(ctx)
    assert not SpecialLecture.objects.exists() and not LearningPlan.objects.exists()


def test_demo_fills_every_page(client):
    members = [
        member(level=level, grade=grade)
        for level, grade in [("middle", 1), ("middle", 3), ("high", 2), ("high", 3)] * 3
    ]
    ctx = DemoContext(size="small", seed=2022, today=today())
    ctx.shared["members"] = members
    activities_demo.seed(ctx)
    learning_demo.seed(ctx)
    assert SpecialLecture.objects.count() == 6
    assert SpecialLecture.objects.filter(starts_at__date__lt=today()).exists()
    assert SpecialLecture.objects.filter(starts_at__date__gt=today()).exists()
    assert ConsultingBooking.objects.filter(status="completed").exists()
    assert LearningPlan.objects.filter(week_start__lt=today() - dt.timedelta(days=7)).exists()
    assert PortfolioEntry.objects.filter(included=True).exists()
    learner_login = next(login for login in ctx.logins if login.role == "learner")
    learner = next(m for m in members if m.username == learner_login.username)
    client.force_login(learner)
    for name in ("learning:home", "learning:plan", "learning:progress", "learning:portfolio"):
        assert client.get(reverse(name)).status_code == 200
    progress = client.get(reverse("learning:progress")).content.decode()
    assert "sl-chart" in progress
