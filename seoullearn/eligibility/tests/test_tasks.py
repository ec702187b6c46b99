"""Eligibility tasks run by the real database worker: verification after submission,
notifications, re-verification reminders and the membership lifecycle; all idempotent."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from seoullearn.accounts.tests.factories import LearnerFactory
from seoullearn.core.models import OutboundMessage, ScheduledJobRun
from seoullearn.core.scheduler import jobs, run_due_jobs
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility import services, tasks
from seoullearn.eligibility.models import Application, ApplicationEvent, Membership, MembershipEvent
from seoullearn.eligibility.tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    birth_date_for_age,
    sandbox_record,
    verified_guardian_consent,
)

pytestmark = pytest.mark.django_db


def submit(app: Any) -> Application:
    services.evidence_add(
        application=app,
        actor=app.applicant,
        kind="near_poor_certificate",
        upload=io.BytesIO(PDF_BYTES),
        filename="a.pdf",
    )
    return services.application_submit(application=app, actor=app.applicant)


def member(operator: Any, **kwargs: Any) -> Membership:
    app = submit(ApplicationFactory(**kwargs))
    services.application_verify(application_id=str(app.public_id), round=app.round)
    app.refresh_from_db()
    services.application_decide(application=app, actor=operator, decision="approve", reason="ok")
    return Membership.objects.get(application=app)


def test_submission_is_verified_by_the_worker(run_tasks: Any) -> None:
    app = submit(ApplicationFactory())
    sandbox_record(app)
    run_tasks()
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW
    assert app.verification == Application.Verification.AUTO_VERIFIED
    results = DBTaskResult.objects.filter(task_path__endswith="verify_application")
    assert [r.status for r in results] == ["SUCCESSFUL"]
    assert results.get().return_value == "auto_verified"


def test_verification_task_run_twice_changes_nothing(run_tasks: Any) -> None:
    app = submit(ApplicationFactory())
    run_tasks()
    tasks.verify_application.enqueue(str(app.public_id), 1)  # as if the sweeper requeued it
    run_tasks()
    app.refresh_from_db()
    assert app.verification_runs.count() == 2
    assert app.events.filter(action="verify").count() == 1
    assert (
        DBTaskResult.objects.filter(
            status="SUCCESSFUL", task_path__endswith="verify_application"
        ).count()
        == 2
    )


def test_learner_is_notified_once_per_event(operator: Any, run_tasks: Any) -> None:
    learner = LearnerFactory(email="learner@example.org")
    app = submit(ApplicationFactory(applicant=learner))
    run_tasks()
    app.refresh_from_db()
    services.application_decide(application=app, actor=operator, decision="approve", reason="ok")
    run_tasks()
    purposes = sorted(OutboundMessage.objects.values_list("purpose", flat=True))
    assert purposes == ["eligibility.approve", "eligibility.submit"]
    approve = OutboundMessage.objects.get(purpose="eligibility.approve")
    assert approve.channel == "email" and approve.recipient == "learner@example.org"
    assert "승인" in approve.subject
    event = app.events.get(action="approve")
    tasks.notify_application_event.enqueue(event.pk)
    run_tasks()
    assert OutboundMessage.objects.filter(purpose="eligibility.approve").count() == 1


def test_guardians_of_children_are_notified_in_their_language(
    operator: Any, run_tasks: Any
) -> None:
    from seoullearn.accounts.tests.factories import GuardianFactory

    child = LearnerFactory(birth_date=birth_date_for_age(10), phone="010-1111-2222")
    guardian = GuardianFactory(email="parent@example.org", preferred_language="en")
    verified_guardian_consent(child, guardian)
    submit(ApplicationFactory(applicant=child, school_level="elementary", grade=4))
    run_tasks()
    messages = {
        m.recipient: m for m in OutboundMessage.objects.filter(purpose="eligibility.submit")
    }
    assert set(messages) == {"010-1111-2222", "parent@example.org"}
    assert messages["010-1111-2222"].channel == "sms_sandbox"
    assert messages["parent@example.org"].channel == "email"
    assert messages["parent@example.org"].subject == "[Seoul Learn] Application received"
    assert messages["010-1111-2222"].subject == "[서울런] 신청서가 접수되었습니다"


def test_reminders_are_sent_once_within_lead_time(operator: Any, run_tasks: Any) -> None:
    due_soon = member(operator)
    later = member(operator)
    Membership.objects.filter(pk=due_soon.pk).update(
        reverify_due_on=today() + dt.timedelta(days=10)
    )
    Membership.objects.filter(pk=later.pk).update(reverify_due_on=today() + dt.timedelta(days=90))
    assert tasks.send_reverification_reminders.call() == 1
    assert tasks.send_reverification_reminders.call() == 0
    run_tasks()
    assert OutboundMessage.objects.filter(purpose="membership.remind").count() == 1
    assert MembershipEvent.objects.filter(action="remind").count() == 1


def test_advance_memberships_moves_each_once(operator: Any) -> None:
    overdue = member(operator)
    expired_term = member(operator)
    fine = member(operator)
    Membership.objects.filter(pk=overdue.pk).update(reverify_due_on=today() - dt.timedelta(days=3))
    Membership.objects.filter(pk=expired_term.pk).update(ends_on=today() - dt.timedelta(days=1))
    ended: list[Any] = []

    from seoullearn.eligibility.signals import membership_ended

    def receiver(sender: Any, membership: Membership, reason: str, **kwargs: Any) -> None:
        ended.append(membership.pk)

    membership_ended.connect(receiver)
    try:
        assert tasks.advance_memberships.call() == {"grace": 1, "expired": 1}
        assert tasks.advance_memberships.call() == {}
    finally:
        membership_ended.disconnect(receiver)
    statuses = dict(Membership.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: "grace", expired_term.pk: "expired", fine.pk: "active"}
    assert ended == [expired_term.pk]
    overdue.refresh_from_db()
    assert overdue.grace_until == today() - dt.timedelta(days=3) + dt.timedelta(days=30)


def test_jobs_are_registered_with_the_scheduler() -> None:
    names = {job.name: job for job in jobs()}
    assert names["eligibility.send_reverification_reminders"].every == dt.timedelta(days=1)
    assert names["eligibility.advance_memberships"].every == dt.timedelta(hours=1)


def test_scheduled_jobs_run_end_to_end(operator: Any, run_tasks: Any) -> None:
    membership = member(operator)
    Membership.objects.filter(pk=membership.pk).update(
        reverify_due_on=today() - dt.timedelta(days=1)
    )
    at = now()
    enqueued = run_due_jobs(at)
    assert "eligibility.advance_memberships" in enqueued
    assert run_due_jobs(at) == []  # once per slot
    run_tasks()
    membership.refresh_from_db()
    assert membership.status == "grace"
    assert ScheduledJobRun.objects.filter(job="eligibility.advance_memberships").count() == 1
    assert OutboundMessage.objects.filter(purpose="membership.grace").count() == 1


def test_notify_tasks_ignore_missing_events() -> None:
    assert tasks.notify_application_event.call(999_999) == 0
    assert tasks.notify_membership_event.call(999_999) == 0
    assert ApplicationEvent.objects.count() == 0
