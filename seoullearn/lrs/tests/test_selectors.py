"""Reads for the platform's apps: a member's Statements and activity summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import LearnerFactory
from seoullearn.lrs import selectors, services

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"


@pytest.fixture(autouse=True)
def _no_task_queue(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False


def record(
    user: Any, verb: str, activity: str, when: dt.datetime, result: dict[str, Any] | None = None
) -> None:
    services.platform_statement_record(
        user=user,
        verb_id=verb,
        verb_display={"en-US": verb.rsplit("/", 1)[-1]},
        activity_id=activity,
        activity_type="http://adlnet.gov/expapi/activities/lesson",
        activity_name={"ko-KR": "수업"},
        result=result,
        timestamp=when,
    )


def test_statements_for_user_and_summary() -> None:
    learner, other = LearnerFactory(), LearnerFactory()
    day1 = dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC)  # 23:00 in Seoul
    day2 = dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)  # 01:00 next day in Seoul
    record(learner, LAUNCHED, "https://p.example/a", day1)
    record(
        learner, COMPLETED, "https://p.example/a", day1, {"duration": "PT30M", "completion": True}
    )
    record(
        learner, PASSED, "https://p.example/b", day2, {"duration": "PT1H", "score": {"scaled": 0.8}}
    )
    record(other, COMPLETED, "https://p.example/a", day1, {"duration": "PT5H"})

    mine = selectors.statements_for_user(learner)
    assert len(mine) == 3
    assert all(s["actor"]["account"]["name"] == str(learner.pseudonym) for s in mine)
    assert len(selectors.statements_for_user(learner, verbs=[COMPLETED, PASSED])) == 2

    summary = selectors.learner_activity_summary(learner)
    assert summary["statements"] == 3
    assert summary["seconds"] == 90 * 60
    assert summary["completions"] == 2
    assert summary["mean_scaled_score"] == 0.8
    assert summary["active_days"] == 2  # Seoul dates, not UTC
    assert summary["last_activity_at"] == day2


def test_since_is_exclusive_on_stored_time() -> None:
    learner = LearnerFactory()
    record(learner, LAUNCHED, "https://p.example/a", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    latest = selectors.statements_for_user(learner)[0]
    from seoullearn.lrs.xapi import parse_timestamp

    assert selectors.statements_for_user(learner, since=parse_timestamp(latest["stored"])) == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("PT1H30M", 5400), ("PT59.5S", 59.5), ("P1D", 86400), ("P1W", 604800), ("bogus", 0)],
)
def test_duration_seconds(value: str, seconds: float) -> None:
    assert selectors.duration_seconds(value) == seconds


def test_accept_language_picks_one_language() -> None:
    languages = selectors.parse_accept_language("en;q=0.5, ko-KR, *;q=0.1")
    assert languages[0] == "ko-kr"
    assert selectors._pick_language({"en-US": "a", "ko-KR": "b"}, languages) == {"ko-KR": "b"}
    assert selectors._pick_language({"fr": "c"}, languages) == {"fr": "c"}
