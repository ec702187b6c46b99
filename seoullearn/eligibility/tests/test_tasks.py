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


def _verified(programme: Any, **kwargs: Any) -> Application:
    app = submit(ApplicationFactory(programme=programme, **kwargs))
    sandbox_record(app)
    services.application_verify(application_id=str(app.public_id), round=1)
    app.refresh_from_db()
    return app


def test_bulk_approval_job_runs_in_the_worker_with_progress(
    operator: Any, programme: Any, run_tasks: Any
) -> None:
    from seoullearn.eligibility.models import BulkApproval
    from seoullearn.eligibility.selectors import ReviewFilters

    nowon = [_verified(programme) for _ in range(3)]
    gangnam = _verified(programme, district_code="11680")
    manual = submit(ApplicationFactory(programme=programme))
    services.application_verify(application_id=str(manual.public_id), round=1)
    job = services.bulk_approval_start(
        actor=operator, filters=ReviewFilters.from_query({"district": "11350"}), reason="일괄 승인"
    )
    assert (job.status, job.total, job.percent) == ("queued", 3, 0)
    services.application_decide(application=nowon[0], actor=operator, decision="reject", reason="x")
    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.approved, job.skipped, job.percent) == ("done", 2, 1, 100)
    assert Membership.objects.filter(application__in=nowon[1:]).count() == 2
    assert not Membership.objects.filter(application__in=[gangnam, manual]).exists()
    # Run again (as after a requeue): nothing changes.
    tasks.run_bulk_approval.enqueue(str(job.public_id))
    run_tasks()
    job.refresh_from_db()
    assert (job.approved, job.skipped) == (2, 1)
    assert BulkApproval.objects.count() == 1


def test_bulk_approval_interrupted_and_resumed(operator: Any, programme: Any) -> None:
    from seoullearn.eligibility.models import BulkApproval
    from seoullearn.eligibility.selectors import ReviewFilters

    apps = [_verified(programme) for _ in range(4)]
    job = services.bulk_approval_start(actor=operator, filters=ReviewFilters(), reason="일괄")
    # A worker died after two decisions (each committed with its counter).
    for app in apps[:2]:
        services.application_decide(
            application=app, actor=operator, decision="approve", reason="일괄"
        )
    BulkApproval.objects.filter(pk=job.pk).update(status="running", approved=2)
    services.bulk_approval_run(job_id=str(job.public_id))
    job.refresh_from_db()
    assert (job.status, job.approved, job.skipped) == ("done", 4, 0)
    assert Membership.objects.count() == 4


def test_bulk_approval_needs_candidates_and_a_reason(
    operator: Any, programme: Any, learner: Any
) -> None:
    from seoullearn.core.errors import InvalidInput, PermissionDenied
    from seoullearn.eligibility.selectors import ReviewFilters

    with pytest.raises(InvalidInput) as excinfo:
        services.bulk_approval_start(actor=operator, filters=ReviewFilters(), reason="일괄")
    assert excinfo.value.code == "nothing_to_approve"
    _verified(programme)
    with pytest.raises(InvalidInput):
        services.bulk_approval_start(actor=operator, filters=ReviewFilters(), reason=" ")
    with pytest.raises(PermissionDenied):
        services.bulk_approval_start(actor=learner, filters=ReviewFilters(), reason="x")
