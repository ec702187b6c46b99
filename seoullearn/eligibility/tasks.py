"""Background work of the eligibility app. Every task is idempotent: running it twice (the
sweeper may requeue a task whose worker died) changes nothing the second time."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from seoullearn.core.timeutil import now, today

logger = logging.getLogger(__name__)


@task()
def verify_application(application_id: str, round: int) -> str | None:
    """Run the verifiers on one submission of an application (queued by submit)."""
    from seoullearn.eligibility.services import application_verify

    return application_verify(application_id=application_id, round=round)


@task()
def run_bulk_approval(job_id: str) -> dict[str, int]:
    """Approve the automatically verified applications of a bulk approval job."""
    from seoullearn.eligibility.services import bulk_approval_run

    job = bulk_approval_run(job_id=job_id)
    return {"approved": job.approved, "skipped": job.skipped} if job else {}


@task()
def run_export(job_id: str) -> int:
    """Build a large CSV/XLSX export."""
    from seoullearn.eligibility.exports import export_run

    job = export_run(job_id=job_id)
    return job.total if job else 0


@task()
def purge_exports() -> int:
    """Delete export files older than a day."""
    from seoullearn.eligibility.exports import exports_purge

    return exports_purge()


# --- notifications -------------------------------------------------------------------------


def _contacts(user: Any) -> list[tuple[str, str]]:
    """(channel, recipient) pairs for a person, best channel first, enabled channels only."""
    enabled = settings.NOTIFICATION_CHANNELS
    found: list[tuple[str, str]] = []
    if getattr(user, "phone", "") and "sms_sandbox" in enabled:
        found.append(("sms_sandbox", user.phone))
    elif getattr(user, "email", "") and "email" in enabled:
        found.append(("email", user.email))
    elif "console" in enabled:
        found.append(("console", user.get_username()))
    return found


def _recipients(learner: Any) -> list[Any]:
    """The learner and, for a child under 14, the verified guardians."""
    from seoullearn.accounts import selectors as account_selectors

    people = [learner]
    if account_selectors.needs_guardian_consent(learner):
        people.extend(account_selectors.verified_guardians(learner))
    return people


def _send(learner: Any, *, purpose: str, subject: str, body: str) -> int:
    """Render in each recipient's language; ``subject``/``body`` are Korean source strings."""
    from seoullearn.core.services import message_send

    sent = 0
    for person in _recipients(learner):
        with translation.override(getattr(person, "preferred_language", "ko") or "ko"):
            text_subject = _(subject)
            text_body = _(body) % {
                "name": learner.display_name,
                "site": settings.SITE_URL,
            }
        for channel, recipient in _contacts(person):
            try:
                message_send(
                    channel=channel,
                    recipient=recipient,
                    subject=text_subject,
                    body=text_body,
                    purpose=purpose,
                )
                sent += 1
            except Exception:
                logger.exception("could not send %s to user %s", purpose, person.pk)
    return sent


MESSAGES: dict[str, tuple[str, str]] = {
    "submit": (
        gettext_noop("[서울런] 신청서가 접수되었습니다"),
        gettext_noop(
            "%(name)s님의 서울런 신청서가 접수되었습니다. "
            "진행 상황은 %(site)s/membership/ 에서 볼 수 있습니다."
        ),
    ),
    "resubmit": (
        gettext_noop("[서울런] 보완한 신청서가 접수되었습니다"),
        gettext_noop(
            "%(name)s님이 보완한 서울런 신청서가 접수되었습니다. "
            "진행 상황은 %(site)s/membership/ 에서 볼 수 있습니다."
        ),
    ),
    "approve": (
        gettext_noop("[서울런] 회원 자격이 승인되었습니다"),
        gettext_noop(
            "%(name)s님의 서울런 신청이 승인되었습니다. "
            "%(site)s/membership/ 에서 회원 기간과 이용 방법을 확인하세요."
        ),
    ),
    "reject": (
        gettext_noop("[서울런] 신청 결과를 알려 드립니다"),
        gettext_noop(
            "%(name)s님의 서울런 신청이 반려되었습니다. "
            "사유는 %(site)s/membership/ 에서 확인할 수 있습니다."
        ),
    ),
    "request_info": (
        gettext_noop("[서울런] 서류 보완이 필요합니다"),
        gettext_noop(
            "%(name)s님의 서울런 신청서에 보완이 필요합니다. "
            "%(site)s/membership/ 에서 요청 내용을 확인하고 서류를 추가해 주세요."
        ),
    ),
    "remind": (
        gettext_noop("[서울런] 자격 재확인 시기가 되었습니다"),
        gettext_noop(
            "%(name)s님의 서울런 회원 자격 재확인 기한이 다가왔습니다. "
            "%(site)s/membership/ 에서 재확인 신청을 해 주세요."
        ),
    ),
    "grace": (
        gettext_noop("[서울런] 자격 재확인 유예 기간입니다"),
        gettext_noop(
            "%(name)s님의 자격 재확인 기한이 지나 유예 기간이 시작되었습니다. "
            "유예 기간 안에 %(site)s/membership/ 에서 재확인 신청을 해 주세요."
        ),
    ),
    "expire": (
        gettext_noop("[서울런] 회원 자격이 만료되었습니다"),
        gettext_noop(
            "%(name)s님의 서울런 회원 자격이 만료되었습니다. "
            "다시 이용하려면 %(site)s/membership/ 에서 새로 신청해 주세요."
        ),
    ),
    "revoke": (
        gettext_noop("[서울런] 회원 자격이 취소되었습니다"),
        gettext_noop(
            "%(name)s님의 서울런 회원 자격이 취소되었습니다. "
            "사유는 %(site)s/membership/ 에서 확인할 수 있습니다."
        ),
    ),
}


def _mark_notified(model: Any, pk: int) -> bool:
    """Claim the right to notify for one event (exactly once, even if the task runs twice)."""
    with transaction.atomic():
        return bool(model.objects.filter(pk=pk, notified_at__isnull=True).update(notified_at=now()))


@task()
def notify_application_event(event_id: int) -> int:
    from seoullearn.eligibility.models import ApplicationEvent

    event = (
        ApplicationEvent.objects.select_related("application__applicant")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.action not in MESSAGES:
        return 0
    if not _mark_notified(ApplicationEvent, event.pk):
        return 0
    subject, body = MESSAGES[event.action]
    return _send(
        event.application.applicant,
        purpose=f"eligibility.{event.action}",
        subject=subject,
        body=body,
    )


@task()
def notify_membership_event(event_id: int) -> int:
    from seoullearn.eligibility.models import MembershipEvent

    event = MembershipEvent.objects.select_related("membership__user").filter(pk=event_id).first()
    if event is None or event.action not in MESSAGES:
        return 0
    if not _mark_notified(MembershipEvent, event.pk):
        return 0
    subject, body = MESSAGES[event.action]
    return _send(
        event.membership.user, purpose=f"membership.{event.action}", subject=subject, body=body
    )


# --- periodic jobs (registered in apps.py) -------------------------------------------------


@task()
def send_reverification_reminders() -> int:
    """Remind members whose re-verification falls within the programme's lead time."""
    from seoullearn.eligibility import selectors, services
    from seoullearn.programmes.models import Programme

    sent = 0
    day = today()
    for programme in Programme.objects.filter(memberships__status="active").distinct():
        policy = selectors.policy_for(programme)
        due = selectors.reverification_due(day, policy.reminder_days).filter(programme=programme)
        for membership in due.iterator():
            if services.membership_remind(membership=membership):
                sent += 1
    return sent


@task()
def advance_memberships() -> dict[str, int]:
    """Start grace periods and expire memberships whose dates have passed."""
    from django.db.models import Q

    from seoullearn.eligibility import services
    from seoullearn.eligibility.models import Membership

    day = today()
    counts: dict[str, int] = {}
    candidates = Membership.objects.filter(status__in=Membership.CURRENT).filter(
        Q(ends_on__lt=day)
        | Q(status=Membership.Status.ACTIVE, reverify_due_on__lt=day)
        | Q(status=Membership.Status.GRACE, grace_until__lt=day)
    )
    for membership in candidates.select_related("programme").iterator():
        moved = services.membership_advance(membership=membership, on=day)
        if moved:
            counts[moved] = counts.get(moved, 0) + 1
    return counts
