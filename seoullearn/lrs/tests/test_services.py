"""Writes: the platform's own Statements, idempotence, canonical definitions, documents."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import LearnerFactory
from seoullearn.core.errors import InvalidInput
from seoullearn.lrs import selectors, services
from seoullearn.lrs.models import Activity, OutboxBatch, Statement

pytestmark = pytest.mark.django_db

LECTURE = "https://seoullearn.example/xapi/activities/lecture/1"


@pytest.fixture(autouse=True)
def _no_task_queue(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False


def record(user: Any, **extra: Any) -> uuid.UUID:
    return services.platform_statement_record(
        user=user,
        verb_id="http://adlnet.gov/expapi/verbs/attended",
        verb_display={"ko-KR": "참석함", "en-US": "attended"},
        activity_id=LECTURE,
        activity_type="http://adlnet.gov/expapi/activities/meeting",
        activity_name={"ko-KR": "특강: 뇌과학", "en-US": "Lecture: neuroscience"},
        **extra,
    )


def test_platform_statement_uses_the_pseudonym_and_the_platform_authority(settings: Any) -> None:
    learner = LearnerFactory()
    statement_id = record(
        learner,
        result={"duration": "PT1H30M", "completion": True},
        context_extensions={"https://seoullearn.example/xapi/extensions/mode": "online"},
        registration=uuid.uuid4(),
        timestamp=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
    )
    row = Statement.objects.get(statement_id=statement_id)
    payload = row.payload
    assert payload["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL.rstrip("/"), "name": str(learner.pseudonym)},
    }
    assert str(learner.email) not in str(payload)
    assert payload["authority"]["name"] == services.PLATFORM_CLIENT_NAME
    assert payload["timestamp"] == "2026-03-02T10:00:00.000Z"
    assert str(statement_id) in OutboxBatch.objects.latest("pk").statement_ids
    assert Activity.objects.get(activity_id=LECTURE).definition["name"]["ko-KR"] == "특강: 뇌과학"


def test_platform_statement_with_a_fixed_id_is_idempotent() -> None:
    learner = LearnerFactory()
    fixed = uuid.uuid4()
    first = record(learner, statement_id=fixed)
    second = record(learner, statement_id=fixed)
    assert first == second == fixed
    assert Statement.objects.filter(statement_id=fixed).count() == 1


def test_platform_statement_is_validated() -> None:
    learner = LearnerFactory()
    with pytest.raises(InvalidInput):
        record(learner, result={"duration": "ninety minutes"})


def test_pseudonym_maps_back_to_the_member() -> None:
    learner = LearnerFactory()
    assert selectors.user_for_pseudonym(learner.pseudonym) == learner
    assert selectors.user_for_pseudonym("not-a-uuid") is None
    actor = services.member_actor(learner)
    assert selectors.user_for_actor(actor) == learner
    assert (
        selectors.user_for_actor(
            {"account": {"homePage": "https://elsewhere.example", "name": str(learner.pseudonym)}}
        )
        is None
    )


def test_document_merge_and_preconditions() -> None:
    scope = services.DocumentScope(kind="activity_profile", activity_id=LECTURE)
    saved = services.document_save(
        scope=scope,
        document_id="p",
        content=b'{"a": 1}',
        content_type="application/json",
        merge=False,
        if_match=None,
        if_none_match="*",
        require_precondition=True,
        client=None,
    )
    merged = services.document_save(
        scope=scope,
        document_id="p",
        content=b'{"b": 2}',
        content_type="application/json",
        merge=True,
        if_match=f'"{saved.etag}"',
        if_none_match=None,
        require_precondition=False,
        client=None,
    )
    assert bytes(merged.content) in (b'{"a":1,"b":2}',)
    with pytest.raises(services.PreconditionFailed):
        services.document_save(
            scope=scope,
            document_id="p",
            content=b"{}",
            content_type="application/json",
            merge=False,
            if_match=f'"{saved.etag}"',
            if_none_match=None,
            require_precondition=True,
            client=None,
        )
