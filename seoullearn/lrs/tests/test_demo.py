from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import LearnerFactory
from seoullearn.catalog.models import Provider
from seoullearn.core.demo import DemoContext
from seoullearn.lrs import demo, selectors
from seoullearn.lrs.models import LRSClient, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_task_queue(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False


def test_demo_skips_without_members() -> None:
    demo.seed(DemoContext(size="small", seed=1, today=dt.date(2026, 3, 1)))
    assert Statement.objects.count() == 0
    assert LRSClient.objects.filter(is_platform=True).exists()


def test_demo_gives_members_months_of_records() -> None:
    providers = [
        Provider.objects.create(code=code, name_ko=name, name_en=code)
        for code, name in (("megastudy", "메가스터디"), ("milkt", "밀크T"))
    ]
    learners = [LearnerFactory() for _ in range(3)]
    ctx = DemoContext(size="small", seed=7, today=dt.date(2026, 3, 1))
    ctx.shared["providers"] = providers
    ctx.shared["members"] = learners
    demo.seed(ctx)
    assert LRSClient.objects.filter(provider__in=providers).count() == 2
    for learner in learners:
        summary = selectors.learner_activity_summary(learner)
        assert summary["statements"] > 0
        assert summary["active_days"] > 0
    # the platform's own statements come from the apps that hold the events (mentoring's demo
    # records its logged sessions), never made up here
    assert not Statement.objects.filter(client__is_platform=True).exists()
