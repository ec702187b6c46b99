"""Eligibility API: the learner's own application and membership, the operator's review.

Learner endpoints only ever reach the caller's own objects (anyone else's is "not found");
operator endpoints need the operator role (403 otherwise). Every operator read of personal
data is written to the access log, like the pages.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import urlencode
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from seoullearn.core.errors import InvalidInput, NotFound
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.eligibility import selectors, services
from seoullearn.eligibility.models import BulkApproval, Membership
from seoullearn.eligibility.schemas import (
    ApplicationCreateIn,
    ApplicationOut,
    ApplicationUpdateIn,
    BulkApproveAllIn,
    BulkApproveIn,
    BulkApproveOut,
    BulkJobOut,
    DecisionIn,
    EvidenceOut,
    MembershipOut,
    OperatorMembershipOut,
    PolicyIn,
    PolicyOut,
    ReasonIn,
    ReviewDetailOut,
    ReviewListItem,
)
from seoullearn.eligibility.views import serve_evidence
from seoullearn.programmes.models import Programme
from seoullearn.programmes.selectors import current_programme

router = Router(tags=["eligibility"])

MAX_LIMIT = 200


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _user(request: HttpRequest) -> Any:
    return request.user


def _learner(request: HttpRequest) -> Any:
    user = _user(request)
    require_role(user, Role.LEARNER)
    return user


def _operator(request: HttpRequest) -> Any:
    user = _user(request)
    require_role(user, Role.OPERATOR)
    return user


def _programme(code: str | None = None) -> Programme:
    if code:
        programme = Programme.objects.select_related("jurisdiction").filter(code=code).first()
        if programme is None:
            raise NotFound("programme not found", code="no_programme")
        return programme
    return current_programme()


def _page(limit: int, offset: int) -> tuple[int, int]:
    if limit < 1 or limit > MAX_LIMIT or offset < 0:
        raise InvalidInput(
            f"limit must be 1-{MAX_LIMIT} and offset 0 or more",
            code="invalid_pagination",
        )
    return limit, offset


# --- learner: own applications -------------------------------------------------------------


@router.get("/applications/mine", response={200: list[ApplicationOut], **ERRORS})
def my_applications(request: HttpRequest) -> list[ApplicationOut]:
    """The caller's applications, newest first."""
    user = _learner(request)
    return [ApplicationOut.of(a) for a in selectors.applications_of(user)[:50]]


@router.post("/applications", response={201: ApplicationOut, **ERRORS})
def create_application(request: HttpRequest, payload: ApplicationCreateIn) -> Status:
    """Open a draft. 409 when an application is already open (its id is in ``details``)."""
    user = _learner(request)
    application = services.application_start(
        applicant=user, programme=_programme(payload.programme)
    )
    return Status(201, ApplicationOut.of(application))


@router.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS})
def get_application(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    user = _learner(request)
    return ApplicationOut.of(selectors.application_for_owner(user, application_id))


@router.patch("/applications/{application_id}", response={200: ApplicationOut, **ERRORS})
def update_application(
    request: HttpRequest, application_id: uuid.UUID, payload: ApplicationUpdateIn
) -> ApplicationOut:
    """Save draft fields: applicant fields (step 1) and/or category and household (step 2)."""
    user = _learner(request)
    application = selectors.application_for_owner(user, application_id)
    data = payload.dict(exclude_unset=True)
    step1 = {
        "applicant_name",
        "birth_date",
        "school_level",
        "grade",
        "school_name",
        "district_code",
    }
    step2 = {"category", "household_size", "monthly_income_krw", "note"}
    if not data:
        raise InvalidInput("nothing to update", code="empty_update")
    if step1 & data.keys():
        application = services.application_save_applicant(
            application=application,
            actor=user,
            applicant_name=data.get("applicant_name", application.applicant_name),
            birth_date=data.get("birth_date", application.birth_date),
            school_level=data.get("school_level", application.school_level),
            grade=data.get("grade", application.grade),
            school_name=data.get("school_name", application.school_name) or "",
            district_code=data.get("district_code", application.district_code),
        )
    if step2 & data.keys():
        application = services.application_save_household(
            application=application,
            actor=user,
            category=data.get("category", application.category),
            household_size=data.get("household_size", application.household_size),
            monthly_income_krw=data.get("monthly_income_krw", application.monthly_income_krw),
            note=data.get("note", application.applicant_note) or "",
        )
    return ApplicationOut.of(application)


@router.post("/applications/{application_id}/evidence", response={201: EvidenceOut, **ERRORS})
def upload_evidence(
    request: HttpRequest,
    application_id: uuid.UUID,
    kind: Form[str],
    file: File[UploadedFile],
) -> Status:
    """Upload a document (multipart): PDF, JPEG or PNG, recognised by content, at most
    ``EVIDENCE_MAX_BYTES``."""
    user = _learner(request)
    application = selectors.application_for_owner(user, application_id)
    if file.size and file.size > settings.EVIDENCE_MAX_BYTES:
        # Refuse before reading the body into memory.
        raise InvalidInput(
            "file too large",
            code="file_too_large",
            details={"max_bytes": settings.EVIDENCE_MAX_BYTES},
        )
    evidence = services.evidence_add(
        application=application, actor=user, kind=kind, upload=file, filename=file.name or ""
    )
    return Status(201, EvidenceOut.of(evidence))


@router.delete(
    "/applications/{application_id}/evidence/{evidence_id}", response={204: None, **ERRORS}
)
def delete_evidence(
    request: HttpRequest, application_id: uuid.UUID, evidence_id: uuid.UUID
) -> Status:
    user = _learner(request)
    application = selectors.application_for_owner(user, application_id)
    evidence = application.evidence.filter(public_id=evidence_id).first()
    if evidence is None:
        raise NotFound("evidence not found")
    services.evidence_remove(evidence=evidence, actor=user)
    return Status(204, None)


@router.post("/applications/{application_id}/submit", response={200: ApplicationOut, **ERRORS})
def submit_application(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    """Submit (or resubmit after a request for information); verification runs in the
    background. 422 ``guardian_consent_required`` for a child under 14 without consent."""
    user = _learner(request)
    application = selectors.application_for_owner(user, application_id)
    return ApplicationOut.of(services.application_submit(application=application, actor=user))


@router.post("/applications/{application_id}/withdraw", response={200: ApplicationOut, **ERRORS})
def withdraw_application(
    request: HttpRequest, application_id: uuid.UUID, payload: ReasonIn
) -> ApplicationOut:
    user = _learner(request)
    application = selectors.application_for_owner(user, application_id)
    return ApplicationOut.of(
        services.application_withdraw(application=application, actor=user, reason=payload.reason)
    )


@router.get("/evidence/{evidence_id}", response={200: None, **ERRORS})
def download_evidence(request: HttpRequest, evidence_id: uuid.UUID) -> HttpResponse:
    """The document itself, for its owner or an operator (logged)."""
    evidence = selectors.evidence_for_viewer(_user(request), evidence_id)
    return serve_evidence(request, evidence, inline=False, purpose="API 증빙 내려받기")


# --- learner: memberships ------------------------------------------------------------------


@router.get("/memberships/mine", response={200: list[MembershipOut], **ERRORS})
def my_memberships(request: HttpRequest) -> list[MembershipOut]:
    user = _learner(request)
    return [MembershipOut.of(m) for m in selectors.memberships_of(user)]


# --- operator: review ----------------------------------------------------------------------


class ReviewPage(Schema):
    count: int
    items: list[ReviewListItem]


class ReviewQuery(Schema):
    status: str = ""
    category: str = ""
    district: str = ""
    school_level: str = ""
    verification: str = ""
    kind: str = ""
    age_min: int | None = None
    age_max: int | None = None
    submitted_from: str = ""
    submitted_to: str = ""
    q: str = ""
    programme: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/review/applications", response={200: ReviewPage, **ERRORS})
def review_list(request: HttpRequest, query: Query[ReviewQuery]) -> ReviewPage:
    """Submitted applications, oldest first, with the same filters as the review page."""
    user = _operator(request)
    limit, offset = _page(query.limit, query.offset)
    filters = selectors.ReviewFilters.from_query(query.dict())
    if filters.errors:
        raise InvalidInput(
            next(iter(filters.errors.values())),
            code="invalid_filter",
            details={"fields": filters.errors},
        )
    programme = _programme(query.programme) if query.programme else None
    qs = selectors.review_queue(user, filters, programme=programme)
    access_log_record(
        actor=user,
        subject=None,
        action="search",
        purpose="API 자격 심사 목록 조회",
        request=request,
        detail=urlencode(filters.as_query()),
    )
    return ReviewPage(
        count=qs.count(), items=[ReviewListItem.of(a) for a in qs[offset : offset + limit]]
    )


@router.get("/review/applications/{application_id}", response={200: ReviewDetailOut, **ERRORS})
def review_detail(request: HttpRequest, application_id: uuid.UUID) -> ReviewDetailOut:
    user = _operator(request)
    application = selectors.application_for_reviewer(user, application_id)
    access_log_record(
        actor=user,
        subject=application.applicant,
        action="view",
        purpose="API 자격 심사",
        request=request,
        obj=application,
    )
    return ReviewDetailOut.of(application)


@router.post(
    "/review/applications/{application_id}/claim", response={200: ReviewListItem, **ERRORS}
)
def review_claim(request: HttpRequest, application_id: uuid.UUID) -> ReviewListItem:
    """Take the application for review (409 when another reviewer holds it)."""
    user = _operator(request)
    application = selectors.application_for_reviewer(user, application_id)
    return ReviewListItem.of(services.application_claim(application=application, actor=user))


@router.post(
    "/review/applications/{application_id}/release", response={200: ReviewListItem, **ERRORS}
)
def review_release(request: HttpRequest, application_id: uuid.UUID) -> ReviewListItem:
    user = _operator(request)
    application = selectors.application_for_reviewer(user, application_id)
    return ReviewListItem.of(services.application_release(application=application, actor=user))


@router.post(
    "/review/applications/{application_id}/decision", response={200: ReviewDetailOut, **ERRORS}
)
def review_decide(
    request: HttpRequest, application_id: uuid.UUID, payload: DecisionIn
) -> ReviewDetailOut:
    """Approve, reject or request more information, with a reason. 409 when the application
    was already decided or another reviewer holds it."""
    user = _operator(request)
    application = selectors.application_for_reviewer(user, application_id)
    decided = services.application_decide(
        application=application, actor=user, decision=payload.decision, reason=payload.reason
    )
    return ReviewDetailOut.of(decided)


@router.post("/review/bulk-approve", response={200: BulkApproveOut, **ERRORS})
def review_bulk_approve(request: HttpRequest, payload: BulkApproveIn) -> BulkApproveOut:
    """Approve automatically verified applications; the others are listed as skipped."""
    user = _operator(request)
    result = services.applications_bulk_approve(
        actor=user, application_ids=payload.applications, reason=payload.reason
    )
    return BulkApproveOut(approved=[uuid.UUID(i) for i in result.approved], skipped=result.skipped)


@router.post("/review/bulk-approve-all", response={202: BulkJobOut, **ERRORS})
def review_bulk_approve_all(request: HttpRequest, payload: BulkApproveAllIn) -> Status:
    """Start a background job approving every automatically verified application in review
    that matches the filters; follow it with ``GET /review/bulk-jobs/{id}``."""
    user = _operator(request)
    data = payload.dict()
    reason = data.pop("reason")
    filters = selectors.ReviewFilters.from_query({k: v for k, v in data.items() if v is not None})
    job = services.bulk_approval_start(actor=user, filters=filters, reason=reason)
    return Status(202, BulkJobOut.of(job))


@router.get("/review/bulk-jobs/{job_id}", response={200: BulkJobOut, **ERRORS})
def review_bulk_job(request: HttpRequest, job_id: uuid.UUID) -> BulkJobOut:
    _operator(request)
    job = BulkApproval.objects.filter(public_id=job_id).first()
    if job is None:
        raise NotFound("job not found")
    return BulkJobOut.of(job)


# --- operator: memberships -----------------------------------------------------------------


class MembershipPage(Schema):
    count: int
    items: list[OperatorMembershipOut]


class MembershipQuery(Schema):
    q: str = ""
    district: str = ""
    category: str = ""
    status: str = ""
    programme: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/review/memberships", response={200: MembershipPage, **ERRORS})
def membership_list(request: HttpRequest, query: Query[MembershipQuery]) -> MembershipPage:
    user = _operator(request)
    limit, offset = _page(query.limit, query.offset)
    filters = selectors.MemberFilters.from_query(query.dict())
    if filters.errors:
        raise InvalidInput(
            next(iter(filters.errors.values())),
            code="invalid_filter",
            details={"fields": filters.errors},
        )
    programme = _programme(query.programme) if query.programme else None
    qs = selectors.member_search(user, filters, programme=programme)
    access_log_record(
        actor=user,
        subject=None,
        action="search",
        purpose="API 회원 검색",
        request=request,
        detail=urlencode(filters.as_query()),
    )
    return MembershipPage(
        count=qs.count(), items=[OperatorMembershipOut.of(m) for m in qs[offset : offset + limit]]
    )


@router.post(
    "/review/memberships/{membership_id}/revoke", response={200: OperatorMembershipOut, **ERRORS}
)
def membership_revoke(
    request: HttpRequest, membership_id: uuid.UUID, payload: ReasonIn
) -> OperatorMembershipOut:
    user = _operator(request)
    membership = selectors.membership_for_operator(user, membership_id)
    revoked = services.membership_revoke(membership=membership, actor=user, reason=payload.reason)
    return OperatorMembershipOut.of(
        Membership.objects.select_related("user", "programme").get(pk=revoked.pk)
    )


# --- policy --------------------------------------------------------------------------------


@router.get("/policy", response={200: PolicyOut, **ERRORS}, auth=None)
def get_policy(request: HttpRequest, programme: str = "") -> PolicyOut:
    """The eligibility policy of the current (or named) programme. Public."""
    prog = _programme(programme or None)
    return PolicyOut(programme=prog.code, policy=selectors.policy_for(prog).as_dict())


@router.put("/policy", response={200: PolicyOut, **ERRORS})
def put_policy(request: HttpRequest, payload: PolicyIn, programme: str = "") -> PolicyOut:
    """Replace the policy (operators). 400 ``invalid_policy`` lists every problem."""
    user = _operator(request)
    prog = _programme(programme or None)
    row = services.policy_save(
        programme=prog, data=payload.policy, actor=user, reason=payload.reason
    )
    return PolicyOut(programme=prog.code, policy=row.data)
