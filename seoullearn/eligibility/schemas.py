"""API schemas of the eligibility app (request and response bodies)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema

from seoullearn.eligibility import labels, rules
from seoullearn.eligibility.models import (
    Application,
    ApplicationEvent,
    BulkApproval,
    Evidence,
    Membership,
    VerificationRun,
)


class ReasonOut(Schema):
    code: str
    passed: bool | None
    message: str

    @staticmethod
    def of(reason: rules.Reason) -> ReasonOut:
        return ReasonOut(
            code=reason.code, passed=reason.passed, message=labels.reason_message(reason)
        )


class EvidenceOut(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    content_type: str
    size_bytes: int
    round: int
    uploaded_at: dt.datetime

    @staticmethod
    def of(evidence: Evidence) -> EvidenceOut:
        return EvidenceOut(
            id=evidence.public_id,
            kind=evidence.kind,
            kind_label=evidence.kind_label,
            content_type=evidence.content_type,
            size_bytes=evidence.size_bytes,
            round=evidence.round,
            uploaded_at=evidence.created_at,
        )


class EventOut(Schema):
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    reason: str

    @staticmethod
    def of(event: ApplicationEvent) -> EventOut:
        return EventOut(
            at=event.occurred_at,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
        )


class ApplicationOut(Schema):
    """The learner's own view of an application."""

    id: uuid.UUID
    programme: str
    kind: str
    status: str
    status_label: str
    step: int
    round: int
    applicant_name: str
    birth_date: dt.date | None
    school_level: str
    grade: int | None
    school_name: str
    district_code: str
    category: str
    household_size: int | None
    monthly_income_krw: int | None
    note: str
    submitted_at: dt.datetime | None
    info_request: str
    decided_at: dt.datetime | None
    decision_reason: str
    evidence: list[EvidenceOut]
    events: list[EventOut]

    @staticmethod
    def of(app: Application) -> ApplicationOut:
        return ApplicationOut(
            id=app.public_id,
            programme=app.programme.code,
            kind=app.kind,
            status=app.status,
            status_label=str(app.get_status_display()),
            step=app.step,
            round=app.round,
            applicant_name=app.applicant_name,
            birth_date=app.birth_date,
            school_level=app.school_level,
            grade=app.grade,
            school_name=app.school_name,
            district_code=app.district_code,
            category=app.category,
            household_size=app.household_size,
            monthly_income_krw=app.monthly_income_krw,
            note=app.applicant_note,
            submitted_at=app.submitted_at,
            info_request=app.info_request,
            decided_at=app.decided_at,
            decision_reason=app.decision_reason,
            evidence=[EvidenceOut.of(e) for e in app.evidence.all()],
            events=[EventOut.of(e) for e in app.events.all()],
        )


class ApplicationCreateIn(Schema):
    programme: str | None = Field(None, description="programme code; the current one if empty")


class ApplicationUpdateIn(Schema):
    """Draft fields; send those of one step or both. Step 1: applicant; step 2: household."""

    applicant_name: str | None = None
    birth_date: dt.date | None = None
    school_level: str | None = None
    grade: int | None = None
    school_name: str | None = None
    district_code: str | None = None
    category: str | None = None
    household_size: int | None = None
    monthly_income_krw: int | None = None
    note: str | None = None


class ReviewListItem(Schema):
    id: uuid.UUID
    status: str
    kind: str
    verification: str
    submitted_at: dt.datetime | None
    username: str
    name: str
    age: int | None
    school_level: str
    grade: int | None
    district_code: str
    category: str
    claimed_by: str | None

    @staticmethod
    def of(app: Application) -> ReviewListItem:
        return ReviewListItem(
            id=app.public_id,
            status=app.status,
            kind=app.kind,
            verification=app.verification,
            submitted_at=app.submitted_at,
            username=app.applicant.username,
            name=app.applicant_name or app.applicant.full_name,
            age=app.age(),
            school_level=app.school_level,
            grade=app.grade,
            district_code=app.district_code,
            category=app.category,
            claimed_by=app.claimed_by.username if app.claimed_by else None,
        )


class VerificationRunOut(Schema):
    verifier: str
    round: int
    outcome: str
    checked_at: dt.datetime
    reasons: list[ReasonOut]

    @staticmethod
    def of(run: VerificationRun) -> VerificationRunOut:
        return VerificationRunOut(
            verifier=run.verifier,
            round=run.round,
            outcome=run.outcome,
            checked_at=run.checked_at,
            reasons=[ReasonOut.of(r) for r in run.reason_objects()],
        )


class ReviewEventOut(EventOut):
    actor: str

    @staticmethod
    def of(event: ApplicationEvent) -> ReviewEventOut:
        return ReviewEventOut(
            at=event.occurred_at,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            actor=event.actor_label,
        )


class ReviewDetailOut(ReviewListItem):
    birth_date: dt.date | None
    school_name: str
    household_size: int | None
    monthly_income_krw: int | None
    note: str
    round: int
    info_request: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    evidence: list[EvidenceOut]
    verification_runs: list[VerificationRunOut]
    events: list[ReviewEventOut]

    @staticmethod
    def of(app: Application) -> ReviewDetailOut:  # type: ignore[override]
        base = ReviewListItem.of(app).dict()
        return ReviewDetailOut(
            **base,
            birth_date=app.birth_date,
            school_name=app.school_name,
            household_size=app.household_size,
            monthly_income_krw=app.monthly_income_krw,
            note=app.applicant_note,
            round=app.round,
            info_request=app.info_request,
            decided_by=app.decided_by.username if app.decided_by else None,
            decided_at=app.decided_at,
            decision_reason=app.decision_reason,
            evidence=[EvidenceOut.of(e) for e in app.evidence.all()],
            verification_runs=[VerificationRunOut.of(r) for r in app.verification_runs.all()],
            events=[ReviewEventOut.of(e) for e in app.events.all()],
        )


class DecisionIn(Schema):
    decision: Literal["approve", "reject", "request_info"]
    reason: str = Field(..., min_length=1, max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class BulkApproveIn(Schema):
    applications: list[uuid.UUID] = Field(..., min_length=1, max_length=500)
    reason: str = Field(..., min_length=1, max_length=2000)


class BulkApproveOut(Schema):
    approved: list[uuid.UUID]
    skipped: dict[str, str]


class MembershipOut(Schema):
    id: uuid.UUID
    programme: str
    status: str
    status_label: str
    starts_on: dt.date
    ends_on: dt.date
    reverify_due_on: dt.date | None
    grace_until: dt.date | None
    category: str
    district_code: str
    end_reason: str

    @staticmethod
    def of(m: Membership) -> MembershipOut:
        return MembershipOut(
            id=m.public_id,
            programme=m.programme.code,
            status=m.status,
            status_label=str(m.get_status_display()),
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            reverify_due_on=m.reverify_due_on,
            grace_until=m.grace_until,
            category=m.category,
            district_code=m.district_code,
            end_reason=m.end_reason,
        )


class OperatorMembershipOut(MembershipOut):
    username: str
    name: str

    @staticmethod
    def of(m: Membership) -> OperatorMembershipOut:  # type: ignore[override]
        return OperatorMembershipOut(
            **MembershipOut.of(m).dict(), username=m.user.username, name=m.user.full_name
        )


class PolicyOut(Schema):
    programme: str
    policy: dict[str, Any]


class PolicyIn(Schema):
    policy: dict[str, Any]
    reason: str = Field(..., min_length=1, max_length=300)


class BulkApproveAllIn(Schema):
    """Approve every automatically verified application matching these queue filters."""

    reason: str = Field(..., min_length=1, max_length=2000)
    category: str = ""
    district: str = ""
    school_level: str = ""
    kind: str = ""
    age_min: int | None = None
    age_max: int | None = None
    submitted_from: str = ""
    submitted_to: str = ""
    q: str = ""


class BulkJobOut(Schema):
    id: uuid.UUID
    status: str
    total: int
    approved: int
    skipped: int
    percent: int
    skipped_detail: dict[str, str]
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def of(job: BulkApproval) -> BulkJobOut:
        return BulkJobOut(
            id=job.public_id,
            status=job.status,
            total=job.total,
            approved=job.approved,
            skipped=job.skipped,
            percent=job.percent,
            skipped_detail=job.skipped_detail,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
