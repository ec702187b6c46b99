"""Writes of the eligibility app: applications, evidence, review decisions, memberships, policy.

Every state change goes through a function here that checks the transition, records who and
why (``ApplicationEvent`` / ``MembershipEvent`` plus django-simple-history), and is atomic.
Decisions lock the application row (``select_for_update``) so that two operators deciding at
once cannot both win.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from seoullearn.accounts import selectors as account_selectors
from seoullearn.accounts.models import LearnerProfile, SchoolLevel
from seoullearn.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from seoullearn.core.files import delete_encrypted, sniff_content_type, store_encrypted
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility import rules, selectors, signals
from seoullearn.eligibility.models import (
    Application,
    ApplicationEvent,
    BulkApproval,
    EligibilityPolicy,
    Evidence,
    Membership,
    MembershipEvent,
    VerificationRun,
    category_index,
)
from seoullearn.eligibility.validators import contains_rrn, reject_rrn
from seoullearn.programmes.models import Programme
from seoullearn.programmes.selectors import current_programme

logger = logging.getLogger(__name__)

# A claim keeps other reviewers off an application for this long (then it lapses by itself).
CLAIM_TTL = dt.timedelta(minutes=30)
MAX_EVIDENCE_FILES = 20
MAX_REASON_LENGTH = 2000
MAX_NOTE_LENGTH = 1000
ALLOWED_EXTENSIONS: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({".pdf"}),
    "image/jpeg": frozenset({".jpg", ".jpeg"}),
    "image/png": frozenset({".png"}),
}
GRADE_RANGES: dict[str, tuple[int, int]] = {
    SchoolLevel.ELEMENTARY: (1, 6),
    SchoolLevel.MIDDLE: (1, 3),
    SchoolLevel.HIGH: (1, 3),
}
DECISIONS = ("approve", "reject", "request_info")


def _label(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(actor.get_username())


def _event(
    application: Application,
    *,
    actor: Any,
    action: str,
    from_status: str,
    reason: str = "",
    notify: bool = False,
) -> ApplicationEvent:
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        actor_label=_label(actor),
        action=action,
        from_status=from_status,
        to_status=application.status,
        reason=reason,
    )
    if notify:
        from seoullearn.eligibility.tasks import notify_application_event

        notify_application_event.enqueue(event.pk)
    return event


def _history_reason(instance: Any, reason: str) -> None:
    instance._change_reason = reason[:100]


def _require_reason(reason: str | None, *, field_name: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(
            _("사유를 입력해 주세요."),
            code="reason_required",
            details={"field": field_name},
        )
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(
            _("사유는 %(n)s자 이내로 입력해 주세요.") % {"n": MAX_REASON_LENGTH},
            code="reason_too_long",
            details={"field": field_name},
        )
    _refuse_rrn(text, field_name)
    return text


def _refuse_rrn(text: str, field_name: str) -> None:
    try:
        reject_rrn(text)
    except ValidationError as exc:
        raise InvalidInput(
            exc.messages[0], code="rrn_not_allowed", details={"field": field_name}
        ) from exc


# --- applications: the learner's side ------------------------------------------------------


def _require_owner(application: Application, actor: Any) -> None:
    if application.applicant_id != getattr(actor, "pk", None):
        raise NotFound(_("신청서를 찾을 수 없습니다."))


def _require_editable(application: Application) -> None:
    if application.status not in Application.EDITABLE:
        raise Conflict(
            _("제출한 신청서는 고칠 수 없습니다. 보완 요청을 받았을 때만 고칠 수 있습니다."),
            code="application_not_editable",
            details={"status": application.status},
        )


def in_renewal_window(membership: Membership, policy: rules.Policy, on: dt.date) -> bool:
    if membership.status == Membership.Status.GRACE:
        return True
    due = membership.reverify_due_on
    return due is not None and on >= due - dt.timedelta(days=policy.reminder_days)


def application_start(*, applicant: Any, programme: Programme | None = None) -> Application:
    """Open a draft for the learner, or refuse when one is already open or they are a member
    who is not yet due for re-verification."""
    require_role(applicant, Role.LEARNER)
    programme = programme or current_programme()
    policy = selectors.policy_for(programme)
    existing = selectors.open_application(applicant, programme)
    if existing is not None:
        raise Conflict(
            _(
                "이미 진행 중인 신청서가 있습니다. "
                "새로 만들지 말고 그 신청서를 이어서 작성해 주세요."
            ),
            code="application_already_open",
            details={"application": str(existing.public_id), "status": existing.status},
        )
    membership = selectors.active_membership(applicant, programme)
    kind = Application.Kind.NEW
    if membership is not None:
        if not in_renewal_window(membership, policy, today()):
            raise Conflict(
                _("이미 서울런 회원입니다. 자격 재확인 시기가 되면 안내해 드립니다."),
                code="already_member",
                details={"membership": str(membership.public_id)},
            )
        kind = Application.Kind.RENEWAL

    profile = LearnerProfile.objects.filter(user=applicant).first()
    previous = (
        Application.objects.filter(applicant=applicant, status=Application.Status.APPROVED)
        .order_by("-decided_at")
        .first()
    )
    application = Application(
        applicant=applicant,
        programme=programme,
        kind=kind,
        birth_date=applicant.birth_date,
        applicant_name=applicant.full_name or "",
    )
    if profile is not None:
        application.school_level = profile.school_level
        application.grade = profile.grade
        application.school_name = profile.school_name
        application.district_code = profile.district_code
    if previous is not None:
        application.category = previous.category
        application.category_index = previous.category_index
        application.household = previous.household
    try:
        with transaction.atomic():
            application.save()
            _event(
                application, actor=applicant, action=ApplicationEvent.Action.CREATE, from_status=""
            )
    except IntegrityError as exc:  # a concurrent request opened one first
        raise Conflict(
            _(
                "이미 진행 중인 신청서가 있습니다. "
                "새로 만들지 말고 그 신청서를 이어서 작성해 주세요."
            ),
            code="application_already_open",
        ) from exc
    return application


@dataclass
class FieldErrors:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: Any) -> None:
        self.errors.setdefault(name, str(message))

    def raise_if_any(self) -> None:
        if self.errors:
            first = next(iter(self.errors.values()))
            raise InvalidInput(first, code="invalid_input", details={"fields": self.errors})


def application_save_applicant(
    *,
    application: Application,
    actor: Any,
    applicant_name: str,
    birth_date: dt.date | None,
    school_level: str,
    grade: int | None,
    school_name: str,
    district_code: str,
) -> Application:
    """Step 1: who applies, schooling and district of residence."""
    _require_owner(application, actor)
    _require_editable(application)
    errors = FieldErrors()
    name = (applicant_name or "").strip()
    if not name:
        errors.add("applicant_name", _("이름을 입력해 주세요."))
    elif len(name) > 100:
        errors.add("applicant_name", _("이름은 100자 이내로 입력해 주세요."))
    elif contains_rrn(name):
        errors.add("applicant_name", _("주민등록번호는 입력하지 마세요."))
    if actor.birth_date is not None:
        birth_date = actor.birth_date  # the account's birth date is authoritative
    if birth_date is None:
        errors.add("birth_date", _("생년월일을 입력해 주세요."))
    elif birth_date > today():
        errors.add("birth_date", _("생년월일이 오늘보다 늦을 수 없습니다."))
    elif rules.age_on(birth_date, today()) > 100:
        errors.add("birth_date", _("생년월일을 다시 확인해 주세요."))
    if school_level not in SchoolLevel.values:
        errors.add("school_level", _("학교급을 선택해 주세요."))
    else:
        bounds = GRADE_RANGES.get(school_level)
        if bounds is None:
            grade = None
        elif grade is None:
            errors.add("grade", _("학년을 입력해 주세요."))
        elif not bounds[0] <= grade <= bounds[1]:
            errors.add(
                "grade",
                _("학년은 %(low)s~%(high)s 사이로 입력해 주세요.")
                % {"low": bounds[0], "high": bounds[1]},
            )
    school_name = (school_name or "").strip()
    if len(school_name) > 100:
        errors.add("school_name", _("학교명은 100자 이내로 입력해 주세요."))
    elif contains_rrn(school_name):
        errors.add("school_name", _("주민등록번호는 입력하지 마세요."))
    if district_code not in selectors.known_district_codes(application.programme):
        errors.add("district_code", _("거주하는 자치구를 선택해 주세요."))
    errors.raise_if_any()

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_editable(locked)
        locked.applicant_name = name
        locked.birth_date = birth_date
        locked.school_level = school_level
        locked.grade = grade
        locked.school_name = school_name
        locked.district_code = district_code
        locked.step = max(locked.step, Application.Step.APPLICANT)
        _history_reason(locked, "applicant step saved")
        locked.save()
    return locked


def application_save_household(
    *,
    application: Application,
    actor: Any,
    category: str,
    household_size: int | None,
    monthly_income_krw: int | None,
    note: str = "",
) -> Application:
    """Step 2: the category applied under and, where income matters, the household."""
    _require_owner(application, actor)
    _require_editable(application)
    policy = selectors.policy_for(application.programme)
    errors = FieldErrors()
    rule = policy.category(category)
    if rule is None or not rule.enabled:
        errors.add("category", _("신청할 대상 유형을 선택해 주세요."))
    if household_size is not None and not 1 <= household_size <= rules.MAX_HOUSEHOLD_SIZE:
        errors.add(
            "household_size",
            _("가구원 수는 1~%(n)s명으로 입력해 주세요.") % {"n": rules.MAX_HOUSEHOLD_SIZE},
        )
    if monthly_income_krw is not None and not (
        0 <= monthly_income_krw <= rules.MAX_MONTHLY_INCOME_KRW
    ):
        errors.add("monthly_income_krw", _("월 소득은 0원 이상의 금액으로 입력해 주세요."))
    if rule is not None and rule.income_check:
        if household_size is None:
            errors.add("household_size", _("이 유형은 가구원 수가 필요합니다."))
        if monthly_income_krw is None:
            errors.add("monthly_income_krw", _("이 유형은 가구의 월 소득 신고가 필요합니다."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        errors.add("note", _("메모는 %(n)s자 이내로 입력해 주세요.") % {"n": MAX_NOTE_LENGTH})
    elif contains_rrn(note):
        errors.add("note", _("주민등록번호는 입력하지 마세요."))
    errors.raise_if_any()

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_editable(locked)
        locked.category = category
        locked.category_index = category_index(category)
        locked.household = {"size": household_size, "monthly_income_krw": monthly_income_krw}
        locked.applicant_note = note
        locked.step = max(locked.step, Application.Step.HOUSEHOLD)
        _history_reason(locked, "household step saved")
        locked.save()
    return locked


def _read_upload(upload: IO[bytes], limit: int) -> bytes:
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    data = upload.read(limit + 1)
    return bytes(data)


def _looks_complete(content_type: str, data: bytes) -> bool:
    """Cheap structural check beyond the magic number: a PDF ends with %%EOF, an image must
    decode. Catches truncated files and renamed fragments."""
    if content_type == "application/pdf":
        return b"%%EOF" in data[-2048:]
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:
        return False


def evidence_add(
    *,
    application: Application,
    actor: Any,
    kind: str,
    upload: IO[bytes],
    filename: str,
) -> Evidence:
    """Store an uploaded document encrypted. Only PDF, JPEG and PNG, recognised by content
    (not by name or declared type), up to ``EVIDENCE_MAX_BYTES``."""
    _require_owner(application, actor)
    _require_editable(application)
    if kind not in rules.EVIDENCE_KINDS:
        raise InvalidInput(
            _("서류 종류를 선택해 주세요."), code="invalid_input", details={"field": "kind"}
        )
    if application.evidence.count() >= MAX_EVIDENCE_FILES:
        raise RuleViolation(
            _("서류는 신청서 하나에 %(n)s개까지 올릴 수 있습니다.") % {"n": MAX_EVIDENCE_FILES},
            code="too_many_files",
        )
    limit = int(settings.EVIDENCE_MAX_BYTES)
    data = _read_upload(upload, limit)
    if len(data) > limit:
        raise InvalidInput(
            _("파일이 너무 큽니다. %(mb)sMB 이하로 올려 주세요.") % {"mb": f"{limit / 1048576:g}"},
            code="file_too_large",
            details={"field": "file", "max_bytes": limit},
        )
    if not data:
        raise InvalidInput(_("빈 파일입니다."), code="file_empty", details={"field": "file"})
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise InvalidInput(
            _("PDF, JPG, PNG 파일만 올릴 수 있습니다."),
            code="file_type_not_allowed",
            details={"field": "file"},
        )
    extension = PurePath(filename or "").suffix.lower()
    if extension not in ALLOWED_EXTENSIONS[content_type]:
        raise InvalidInput(
            _("파일 이름의 확장자와 실제 파일 형식이 다릅니다. 원본 파일을 올려 주세요."),
            code="file_disguised",
            details={"field": "file", "detected": content_type},
        )
    if not _looks_complete(content_type, data):
        raise InvalidInput(
            _("파일이 손상되었거나 완전하지 않습니다. 다시 저장해서 올려 주세요."),
            code="file_damaged",
            details={"field": "file"},
        )
    original = PurePath(filename).name[:200]
    if contains_rrn(original):
        original = f"document{extension}"
    name = store_encrypted(data, folder="evidence")
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            _require_editable(locked)
            evidence = Evidence.objects.create(
                application=locked,
                kind=kind,
                file=name,
                content_type=content_type,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                original_name=original,
                uploaded_by=actor,
                round=locked.round + 1,
            )
            if (
                locked.step < Application.Step.EVIDENCE
                and locked.step >= Application.Step.HOUSEHOLD
            ):
                locked.step = Application.Step.EVIDENCE
                locked.save(update_fields=["step", "updated_at"])
    except BaseException:
        delete_encrypted(name)
        raise
    return evidence


def evidence_remove(*, evidence: Evidence, actor: Any) -> None:
    application = evidence.application
    _require_owner(application, actor)
    _require_editable(application)
    if evidence.round <= application.round:
        raise Conflict(
            _("이미 제출한 서류는 지울 수 없습니다. 새 서류를 추가해 주세요."),
            code="evidence_already_submitted",
        )
    name = evidence.file
    with transaction.atomic():
        evidence.delete()
        transaction.on_commit(lambda: delete_encrypted(name))


def facts_of(application: Application) -> rules.Facts:
    return rules.Facts(
        birth_date=application.birth_date,
        district_code=application.district_code,
        category=application.category,
        household_size=application.household_size,
        monthly_income_krw=application.monthly_income_krw,
        evidence_kinds=frozenset(application.evidence.values_list("kind", flat=True)),
    )


def application_precheck(application: Application) -> rules.Decision:
    """What the rules say about the application as it stands (shown before submitting)."""
    policy = selectors.policy_for(application.programme)
    return rules.evaluate(policy, facts_of(application), on=today())


def guardian_consent_missing(application: Application) -> bool:
    """Under 14 (by the account or the application) without verified guardian consent."""
    applicant = application.applicant
    if not account_selectors.may_apply(applicant):
        return True
    under_14 = application.birth_date is not None and (
        rules.age_on(application.birth_date, today()) < account_selectors.GUARDIAN_CONSENT_AGE
    )
    return under_14 and not account_selectors.guardian_consent_verified(applicant)


def application_submit(*, application: Application, actor: Any) -> Application:
    """Submit (or resubmit after a request for more information) and queue verification."""
    _require_owner(application, actor)
    _require_editable(application)
    if application.step < Application.Step.HOUSEHOLD or not application.category:
        raise RuleViolation(
            _("신청자 정보와 대상 유형을 먼저 입력해 주세요."), code="application_incomplete"
        )
    if guardian_consent_missing(application):
        raise RuleViolation(
            _("만 14세 미만은 보호자 동의가 확인된 뒤에 신청서를 제출할 수 있습니다."),
            code="guardian_consent_required",
        )
    decision = application_precheck(application)
    evidence = decision.reason("evidence_missing")
    if evidence is not None:
        raise RuleViolation(
            evidence.message("en" if _english() else "ko"),
            code="evidence_missing",
            details={"missing": list(evidence.params.get("missing", []))},
        )
    if (
        application.status == Application.Status.INFO_REQUESTED
        and not application.evidence.filter(round__gt=application.round).exists()
        and not application.applicant_note
    ):
        raise RuleViolation(
            _("보완 요청에 맞는 서류를 추가하거나 메모를 남긴 뒤 다시 제출해 주세요."),
            code="nothing_added",
        )

    from seoullearn.eligibility.tasks import verify_application

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_editable(locked)
        previous = locked.status
        locked.status = Application.Status.SUBMITTED
        locked.round += 1
        locked.step = Application.Step.REVIEW
        locked.submitted_at = now()
        locked.verification = Application.Verification.PENDING
        locked.verified_at = None
        locked.claimed_by = None
        locked.claimed_at = None
        _history_reason(locked, "submitted")
        locked.save()
        action = (
            ApplicationEvent.Action.RESUBMIT
            if previous == Application.Status.INFO_REQUESTED
            else ApplicationEvent.Action.SUBMIT
        )
        _event(locked, actor=actor, action=action, from_status=previous, notify=True)
        LearnerProfile.objects.update_or_create(
            user=locked.applicant,
            defaults={
                "school_level": locked.school_level,
                "grade": locked.grade,
                "district_code": locked.district_code,
                "school_name": locked.school_name,
            },
        )
        verify_application.enqueue(str(locked.public_id), locked.round)
    return locked


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ko").startswith("en")


def application_withdraw(*, application: Application, actor: Any, reason: str = "") -> Application:
    _require_owner(application, actor)
    reason = (reason or "").strip()[:300]
    if reason:
        _refuse_rrn(reason, "reason")
    return _withdraw(application, actor=actor, reason=reason or str(_("신청자가 취소함")))


def _withdraw(application: Application, *, actor: Any, reason: str) -> Application:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in Application.OPEN:
            raise Conflict(_("이미 처리가 끝난 신청서입니다."), code="already_decided")
        previous = locked.status
        locked.status = Application.Status.WITHDRAWN
        locked.claimed_by = None
        locked.claimed_at = None
        _history_reason(locked, "withdrawn")
        locked.save()
        _event(
            locked,
            actor=actor,
            action=ApplicationEvent.Action.WITHDRAW,
            from_status=previous,
            reason=reason,
        )
    return locked


# --- verification (runs as a task) ---------------------------------------------------------


def application_verify(*, application_id: str, round: int) -> str | None:
    """Run every configured verifier on one submission. Idempotent: a submission that was
    already verified, resubmitted since, or decided is left alone (returns None)."""
    from seoullearn.eligibility.verifiers import (
        VerificationRequest,
        combine,
        configured_verifiers,
        safe_verify,
    )

    application = (
        Application.objects.select_related("programme", "applicant")
        .filter(public_id=application_id)
        .first()
    )
    if application is None or application.round != round:
        return None
    if application.status != Application.Status.SUBMITTED:
        return None
    policy = selectors.policy_for(application.programme)
    facts = facts_of(application)
    request = VerificationRequest(
        application_id=application.public_id,
        full_name=application.applicant_name or application.applicant.full_name,
        birth_date=application.birth_date,
        district_code=application.district_code,
        category=application.category,
        household_size=facts.household_size,
        monthly_income_krw=facts.monthly_income_krw,
        evidence_kinds=facts.evidence_kinds,
        policy=policy,
        on=today(),
    )
    done = {
        run.verifier: run
        for run in VerificationRun.objects.filter(application=application, round=round)
    }
    results = []
    for verifier in configured_verifiers():
        existing = done.get(verifier.name)
        if existing is not None:
            from seoullearn.eligibility.verifiers import VerificationResult

            results.append(
                VerificationResult(
                    existing.verifier, existing.outcome, tuple(existing.reason_objects())
                )
            )
            continue
        result = safe_verify(verifier, request)
        VerificationRun.objects.get_or_create(  # type: ignore[misc]
            application=application,
            round=round,
            verifier=result.verifier,
            defaults={
                "outcome": result.outcome,
                "reasons": [r.as_dict() for r in result.reasons],
            },
        )
        results.append(result)
    verdict = combine(results)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Application.Status.SUBMITTED or locked.round != round:
            return None
        locked.verification = verdict
        locked.verified_at = now()
        locked.status = Application.Status.IN_REVIEW
        _history_reason(locked, f"verified: {verdict}")
        locked.save()
        _event(
            locked,
            actor=None,
            action=ApplicationEvent.Action.VERIFY,
            from_status=Application.Status.SUBMITTED,
            reason=str(Application.Verification(verdict).label),
        )
    return verdict


# --- review: the operator's side -----------------------------------------------------------


def application_claim(*, application: Application, actor: Any) -> Application:
    """Take an application for review; nobody else may decide it while the claim is fresh."""
    require_role(actor, *selectors.REVIEWER_ROLES)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in Application.DECIDABLE:
            raise Conflict(
                _("심사할 수 있는 상태가 아닙니다."),
                code="not_reviewable",
                details={"status": locked.status},
            )
        if selectors.is_claimed_by_other(locked, actor, ttl=CLAIM_TTL):
            raise Conflict(
                _("다른 심사자(%(name)s)가 검토 중입니다.") % {"name": _label(locked.claimed_by)},
                code="claimed_by_other",
            )
        previous = locked.status
        locked.claimed_by = actor
        locked.claimed_at = now()
        _history_reason(locked, "claimed")
        locked.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        _event(locked, actor=actor, action=ApplicationEvent.Action.CLAIM, from_status=previous)
    return locked


def application_release(*, application: Application, actor: Any) -> Application:
    require_role(actor, *selectors.REVIEWER_ROLES)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.claimed_by_id != actor.pk:
            raise Conflict(_("내가 맡은 신청서가 아닙니다."), code="not_claimed_by_you")
        locked.claimed_by = None
        locked.claimed_at = None
        locked.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        _event(
            locked, actor=actor, action=ApplicationEvent.Action.RELEASE, from_status=locked.status
        )
    return locked


def application_decide(
    *, application: Application, actor: Any, decision: str, reason: str
) -> Application:
    """Approve, reject or ask for more information, with a reason. Exactly one decision wins:
    the row is locked and a decided application refuses further decisions (409)."""
    require_role(actor, *selectors.REVIEWER_ROLES)
    if decision not in DECISIONS:
        raise InvalidInput(
            _("결정을 선택해 주세요."), code="invalid_input", details={"field": "decision"}
        )
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("programme", "applicant")
            .get(pk=application.pk)
        )
        if locked.status not in Application.DECIDABLE:
            raise Conflict(
                _("이미 처리된 신청서입니다 (현재 상태: %(status)s).")
                % {"status": locked.get_status_display()},
                code="already_decided",
                details={"status": locked.status},
            )
        if selectors.is_claimed_by_other(locked, actor, ttl=CLAIM_TTL):
            raise Conflict(
                _("다른 심사자(%(name)s)가 검토 중입니다.") % {"name": _label(locked.claimed_by)},
                code="claimed_by_other",
            )
        previous = locked.status
        if decision == "approve":
            locked.status = Application.Status.APPROVED
            action = ApplicationEvent.Action.APPROVE
        elif decision == "reject":
            locked.status = Application.Status.REJECTED
            action = ApplicationEvent.Action.REJECT
        else:
            locked.status = Application.Status.INFO_REQUESTED
            locked.info_request = reason
            action = ApplicationEvent.Action.REQUEST_INFO
        if decision != "request_info":
            locked.decided_at = now()
            locked.decided_by = actor
            locked.decision_reason = reason
        locked.claimed_by = None
        locked.claimed_at = None
        _history_reason(locked, action)
        locked.save()
        _event(locked, actor=actor, action=action, from_status=previous, reason=reason, notify=True)
        if decision == "approve":
            _grant_membership(locked, actor=actor, reason=reason)
    return locked


@dataclass
class BulkResult:
    approved: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def applications_bulk_approve(
    *, actor: Any, application_ids: Iterable[Any], reason: str
) -> BulkResult:
    """Approve many automatically verified applications; anything else is skipped with why."""
    require_role(actor, *selectors.REVIEWER_ROLES)
    reason = _require_reason(reason)
    result = BulkResult()
    for public_id in dict.fromkeys(str(i) for i in application_ids):
        application = Application.objects.filter(public_id=public_id).first()
        if application is None:
            result.skipped[public_id] = str(_("찾을 수 없습니다."))
            continue
        if not application.auto_verified:
            result.skipped[public_id] = str(_("자동 확인된 신청서가 아닙니다."))
            continue
        try:
            application_decide(
                application=application, actor=actor, decision="approve", reason=reason
            )
        except (Conflict, RuleViolation) as exc:
            result.skipped[public_id] = str(exc.message)
            continue
        result.approved.append(public_id)
    return result


def _bulk_candidates(job: BulkApproval) -> Any:
    filters = selectors.ReviewFilters.from_query(job.filters)
    return (
        selectors.review_queue(job.requested_by, filters)
        .filter(
            status=Application.Status.IN_REVIEW, verification=Application.Verification.AUTO_VERIFIED
        )
        .order_by("submitted_at", "id")
    )


def bulk_approval_start(
    *, actor: Any, filters: selectors.ReviewFilters, reason: str
) -> BulkApproval:
    """Approve, in the background, every automatically verified application in review that
    matches the queue's filters. Returns the job whose progress the operator follows."""
    require_role(actor, *selectors.REVIEWER_ROLES)
    reason = _require_reason(reason)
    if filters.errors:
        raise InvalidInput(
            next(iter(filters.errors.values())),
            code="invalid_filter",
            details={"fields": filters.errors},
        )
    from seoullearn.eligibility.tasks import run_bulk_approval

    with transaction.atomic():
        job = BulkApproval(requested_by=actor, reason=reason, filters=filters.as_query())
        total = _bulk_candidates(job).count()
        if total == 0:
            raise InvalidInput(
                _("조건에 맞는 자동 확인 신청서가 없습니다."), code="nothing_to_approve"
            )
        job.total = total
        job.save()
        run_bulk_approval.enqueue(str(job.public_id))
    return job


def bulk_approval_run(*, job_id: str, chunk: int = 200) -> BulkApproval | None:
    """Work through a bulk approval. Each decision commits together with the job's counters,
    so a run interrupted by a dead worker and run again by the sweeper continues correctly."""
    job = BulkApproval.objects.select_related("requested_by").filter(public_id=job_id).first()
    if job is None or job.status == BulkApproval.Status.DONE:
        return job
    BulkApproval.objects.filter(pk=job.pk, started_at__isnull=True).update(started_at=now())
    BulkApproval.objects.filter(pk=job.pk).update(status=BulkApproval.Status.RUNNING)
    ids = list(_bulk_candidates(job).values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        for application in Application.objects.filter(pk__in=ids[start : start + chunk]):
            with transaction.atomic():
                try:
                    application_decide(
                        application=application,
                        actor=job.requested_by,
                        decision="approve",
                        reason=job.reason,
                    )
                except (Conflict, RuleViolation) as exc:
                    locked = BulkApproval.objects.select_for_update().get(pk=job.pk)
                    locked.skipped += 1
                    if len(locked.skipped_detail) < 200:
                        locked.skipped_detail[str(application.public_id)] = str(exc.message)
                    locked.save(update_fields=["skipped", "skipped_detail", "updated_at"])
                else:
                    BulkApproval.objects.filter(pk=job.pk).update(approved=models.F("approved") + 1)
    with transaction.atomic():
        locked = BulkApproval.objects.select_for_update().get(pk=job.pk)
        # Applications decided elsewhere meanwhile are no longer candidates: count them skipped.
        locked.skipped = max(locked.skipped, locked.total - locked.approved)
        locked.status = BulkApproval.Status.DONE
        locked.finished_at = now()
        locked.save()
    return locked


# --- memberships ---------------------------------------------------------------------------

_MEMBERSHIP_MOVES: dict[str, frozenset[str]] = {
    Membership.Status.ACTIVE: frozenset(
        {
            Membership.Status.ACTIVE,
            Membership.Status.GRACE,
            Membership.Status.EXPIRED,
            Membership.Status.REVOKED,
        }
    ),
    Membership.Status.GRACE: frozenset(
        {Membership.Status.ACTIVE, Membership.Status.EXPIRED, Membership.Status.REVOKED}
    ),
    Membership.Status.EXPIRED: frozenset(),
    Membership.Status.REVOKED: frozenset(),
}


def _membership_event(
    membership: Membership,
    *,
    actor: Any,
    action: str,
    from_status: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
    notify: bool = False,
) -> MembershipEvent:
    event = MembershipEvent.objects.create(
        membership=membership,
        actor=actor,
        actor_label=_label(actor),
        action=action,
        from_status=from_status,
        to_status=membership.status,
        reason=reason,
        details=details or {},
    )
    if notify:
        from seoullearn.eligibility.tasks import notify_membership_event

        notify_membership_event.enqueue(event.pk)
    return event


def _grant_membership(application: Application, *, actor: Any, reason: str) -> Membership:
    if application.kind == Application.Kind.RENEWAL:
        current = selectors.active_membership(application.applicant, application.programme)
        if current is not None:
            return membership_renew(
                membership=current, application=application, actor=actor, reason=reason
            )
    return membership_start(application=application, actor=actor, reason=reason)


def membership_start(*, application: Application, actor: Any, reason: str) -> Membership:
    """Create the membership an approval grants, with its term and re-verification date."""
    policy = selectors.policy_for(application.programme)
    starts_on = today()
    ends_on, due = policy.membership_dates(starts_on, application.programme.ends_on)
    if ends_on < starts_on:
        raise RuleViolation(
            _("사업 기간이 끝나 회원 자격을 시작할 수 없습니다."), code="programme_ended"
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=application.applicant,
                programme=application.programme,
                status=Membership.Status.ACTIVE,
                starts_on=starts_on,
                ends_on=ends_on,
                application=application,
                category=application.category,
                category_index=application.category_index,
                district_code=application.district_code,
                school_level=application.school_level,
                reverify_due_on=due,
                last_verified_on=starts_on,
            )
    except IntegrityError as exc:
        raise Conflict(_("이미 이용 중인 회원 자격이 있습니다."), code="already_member") from exc
    _membership_event(
        membership,
        actor=actor,
        action=MembershipEvent.Action.START,
        from_status="",
        reason=reason,
        details={
            "ends_on": ends_on.isoformat(),
            "reverify_due_on": due.isoformat() if due else None,
        },
    )
    signals.membership_started.send(sender=Membership, membership=membership)
    return membership


def _move(
    membership: Membership,
    *,
    to: str,
    action: str,
    actor: Any,
    reason: str,
    notify: bool,
    **changes: Any,
) -> Membership:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if to not in _MEMBERSHIP_MOVES[locked.status]:
            raise Conflict(
                _("회원 자격을 %(from)s에서 %(to)s(으)로 바꿀 수 없습니다.")
                % {
                    "from": locked.get_status_display(),
                    "to": Membership.Status(to).label,
                },
                code="invalid_transition",
                details={"from": locked.status, "to": to},
            )
        previous = locked.status
        locked.status = to
        for name, value in changes.items():
            setattr(locked, name, value)
        if to in (Membership.Status.EXPIRED, Membership.Status.REVOKED):
            locked.ended_at = now()
            locked.end_reason = reason[:300]
            locked.ended_by = actor
        _history_reason(locked, action)
        locked.save()
        _membership_event(
            locked, actor=actor, action=action, from_status=previous, reason=reason, notify=notify
        )
        if to in (Membership.Status.EXPIRED, Membership.Status.REVOKED):
            signals.membership_ended.send(sender=Membership, membership=locked, reason=reason)
    return locked


def membership_renew(
    *, membership: Membership, application: Application, actor: Any, reason: str
) -> Membership:
    """Re-verification approved: back to active with the next re-verification date."""
    policy = selectors.policy_for(membership.programme)
    on = today()
    return _move(
        membership,
        to=Membership.Status.ACTIVE,
        action=MembershipEvent.Action.RENEW,
        actor=actor,
        reason=reason,
        notify=False,
        grace_until=None,
        reverify_due_on=policy.next_reverification(on, membership.ends_on),
        reminder_sent_for=None,
        last_verified_on=on,
        application=application,
        category=application.category,
        category_index=application.category_index,
        district_code=application.district_code,
        school_level=application.school_level,
    )


def membership_revoke(*, membership: Membership, actor: Any, reason: str) -> Membership:
    require_role(actor, *selectors.REVIEWER_ROLES)
    reason = _require_reason(reason)
    return _move(
        membership,
        to=Membership.Status.REVOKED,
        action=MembershipEvent.Action.REVOKE,
        actor=actor,
        reason=reason,
        notify=True,
    )


def membership_remind(*, membership: Membership) -> bool:
    """Send the re-verification reminder once per due date. Returns whether one was sent."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        due = locked.reverify_due_on
        if locked.status != Membership.Status.ACTIVE or due is None:
            return False
        if locked.reminder_sent_for == due:
            return False
        locked.reminder_sent_for = due
        locked.save(update_fields=["reminder_sent_for", "updated_at"])
        _membership_event(
            locked,
            actor=None,
            action=MembershipEvent.Action.REMIND,
            from_status=locked.status,
            details={"due": due.isoformat()},
            notify=True,
        )
    return True


def membership_advance(*, membership: Membership, on: dt.date) -> str | None:
    """Move a membership along its lifecycle on a given day: term over -> expired;
    re-verification overdue -> grace; grace over -> expired. Idempotent."""
    policy = selectors.policy_for(membership.programme)
    if membership.status not in Membership.CURRENT:
        return None
    if membership.ends_on < on:
        _move(
            membership,
            to=Membership.Status.EXPIRED,
            action=MembershipEvent.Action.EXPIRE,
            actor=None,
            reason=str(_("회원 기간이 끝났습니다.")),
            notify=True,
        )
        return Membership.Status.EXPIRED
    if membership.status == Membership.Status.GRACE:
        if membership.grace_until is not None and membership.grace_until < on:
            _move(
                membership,
                to=Membership.Status.EXPIRED,
                action=MembershipEvent.Action.EXPIRE,
                actor=None,
                reason=str(_("유예 기간 안에 자격 재확인을 마치지 않았습니다.")),
                notify=True,
            )
            return Membership.Status.EXPIRED
        return None
    due = membership.reverify_due_on
    if due is not None and due < on:
        grace_until = due + dt.timedelta(days=policy.grace_days)
        if grace_until < on:
            _move(
                membership,
                to=Membership.Status.EXPIRED,
                action=MembershipEvent.Action.EXPIRE,
                actor=None,
                reason=str(_("자격 재확인 기한과 유예 기간이 지났습니다.")),
                notify=True,
            )
            return Membership.Status.EXPIRED
        _move(
            membership,
            to=Membership.Status.GRACE,
            action=MembershipEvent.Action.GRACE,
            actor=None,
            reason=str(_("자격 재확인 기한이 지나 유예 기간이 시작되었습니다.")),
            notify=True,
            grace_until=grace_until,
        )
        return Membership.Status.GRACE
    return None


# --- policy --------------------------------------------------------------------------------


def policy_save(
    *, programme: Programme, data: dict[str, Any], actor: Any, reason: str
) -> EligibilityPolicy:
    """Validate and store a programme's policy; the history keeps every version."""
    require_role(actor, *selectors.REVIEWER_ROLES)
    reason = _require_reason(reason)
    try:
        policy = rules.Policy.from_dict(
            data, known_districts=selectors.known_district_codes(programme)
        )
    except rules.PolicyError as exc:
        problems = {p.field: p.message_en if _english() else p.message_ko for p in exc.problems}
        raise InvalidInput(
            next(iter(problems.values())), code="invalid_policy", details={"fields": problems}
        ) from exc
    with transaction.atomic():
        row = EligibilityPolicy.objects.select_for_update().filter(programme=programme).first()
        if row is None:
            row = EligibilityPolicy(programme=programme)
        row.data = policy.as_dict()
        row.updated_by = actor
        row.change_reason = reason[:300]
        _history_reason(row, reason)
        row.save()
    return row


# --- consent withdrawn ---------------------------------------------------------------------


# What a withdrawn consent stops here, by notice kind (see accounts.signals):
# guardian  - a child without guardian consent: open applications and the membership end;
# privacy / terms - the person stops using the platform: the same;
# sensitive - welfare data is no longer processed: open applications end (no new checks);
#             the membership runs on until its re-verification, which cannot happen.
STOP_EVERYTHING = frozenset({"guardian", "privacy", "terms"})
STOP_APPLICATIONS = frozenset({"sensitive"})


def consent_withdrawal_apply(
    *, learner: Any, reason: str, kind: str = "guardian"
) -> dict[str, int]:
    """Stop what a withdrawn consent no longer allows (see the table above). A guardian
    consent only matters when the learner may no longer apply (another guardian's consent
    may still stand)."""
    if kind not in STOP_EVERYTHING | STOP_APPLICATIONS:
        return {"applications": 0, "memberships": 0}
    if kind == "guardian" and account_selectors.may_apply(learner):
        return {"applications": 0, "memberships": 0}
    withdrawn = revoked = 0
    for application in Application.objects.filter(applicant=learner, status__in=Application.OPEN):
        try:
            _withdraw(application, actor=None, reason=reason)
            withdrawn += 1
        except Conflict:
            continue
    if kind in STOP_EVERYTHING:
        for membership in Membership.objects.filter(user=learner, status__in=Membership.CURRENT):
            try:
                _move(
                    membership,
                    to=Membership.Status.REVOKED,
                    action=MembershipEvent.Action.REVOKE,
                    actor=None,
                    reason=reason,
                    notify=True,
                )
                revoked += 1
            except Conflict:
                continue
    return {"applications": withdrawn, "memberships": revoked}


def ensure_operator(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.role in selectors.REVIEWER_ROLES):
        raise PermissionDenied(_("이 작업을 할 권한이 없습니다."), code="wrong_role")
