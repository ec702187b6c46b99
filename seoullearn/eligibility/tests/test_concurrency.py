"""Races with real threads on PostgreSQL: exactly one of two operators deciding the same
application wins; two drafts opened at once leave one; two claims leave one claimant."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from seoullearn.core.errors import Conflict
from seoullearn.eligibility import services
from seoullearn.eligibility.models import Application, ApplicationEvent, Membership
from seoullearn.eligibility.tests.factories import PDF_BYTES, ApplicationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Start the calls in threads at the same moment; collect results and errors."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            value = call()
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def in_review() -> Application:
    app: Any = ApplicationFactory()
    services.evidence_add(
        application=app,
        actor=app.applicant,
        kind="near_poor_certificate",
        upload=io.BytesIO(PDF_BYTES),
        filename="a.pdf",
    )
    services.application_submit(application=app, actor=app.applicant)
    services.application_verify(application_id=str(app.public_id), round=1)
    app.refresh_from_db()
    return app  # type: ignore[no-any-return]


def decide(app: Application, actor: Any, decision: str, reason: str) -> Callable[[], Any]:
    return lambda: services.application_decide(
        application=app, actor=actor, decision=decision, reason=reason
    )


def test_two_operators_deciding_at_once_exactly_one_wins(
    operator: Any, other_operator: Any
) -> None:
    for _ in range(3):  # repeat: a race that passes once by luck should not pass thrice
        app = in_review()
        results, errors = race(
            decide(app, operator, "approve", "승인"),
            decide(app, other_operator, "reject", "반려"),
        )
        assert len(results) == 1, errors
        assert len(errors) == 1 and isinstance(errors[0], Conflict)
        assert errors[0].code == "already_decided"
        app.refresh_from_db()
        winner = results[0]
        assert app.status == winner.status
        decisions = ApplicationEvent.objects.filter(
            application=app, action__in=["approve", "reject"]
        )
        assert decisions.count() == 1
        assert Membership.objects.filter(application=app).count() == (
            1 if app.status == "approved" else 0
        )


def test_two_claims_at_once_leave_one_claimant(operator: Any, other_operator: Any) -> None:
    app = in_review()
    results, errors = race(
        lambda: services.application_claim(application=app, actor=operator),
        lambda: services.application_claim(application=app, actor=other_operator),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict)
    app.refresh_from_db()
    assert app.claimed_by == results[0].claimed_by


def test_two_drafts_opened_at_once_leave_one(learner: Any, programme: Any) -> None:
    results, errors = race(
        lambda: services.application_start(applicant=learner, programme=programme),
        lambda: services.application_start(applicant=learner, programme=programme),
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert Application.objects.filter(applicant=learner).count() == 1
