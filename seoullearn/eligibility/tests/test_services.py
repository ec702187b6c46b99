"""Services: the application journey, evidence, review decisions, memberships, policy."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.signals import Signal

from seoullearn.accounts.models import LearnerProfile
from seoullearn.accounts.tests.factories import GuardianFactory, LearnerFactory
from seoullearn.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from seoullearn.core.files import read_encrypted
from seoullearn.core.timeutil import today
from seoullearn.eligibility import rules, services, signals
from seoullearn.eligibility.models import (
    Application,
    ApplicationEvent,
    EligibilityPolicy,
    Evidence,
    Membership,
    MembershipEvent,
    category_index,
)
from seoullearn.eligibility.tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    birth_date_for_age,
    jpeg_bytes,
    png_bytes,
    sandbox_record,
    verified_guardian_consent,
)

pytestmark = pytest.mark.django_db


def upload(
    app: Application,
    data: bytes = PDF_BYTES,
    name: str = "doc.pdf",
    kind: str = "near_poor_certificate",
) -> Evidence:
    return services.evidence_add(
        application=app, actor=app.applicant, kind=kind, upload=io.BytesIO(data), filename=name
    )


def submitted(app: Any = None, **kwargs: Any) -> Application:
    app = app or ApplicationFactory(**kwargs)
    upload(app, kind=rules.default_policy([]).category(app.category).evidence[0])  # type: ignore[union-attr]
    return services.application_submit(application=app, actor=app.applicant)


def in_review(app: Any = None, **kwargs: Any) -> Application:
    app = submitted(app, **kwargs)
    services.application_verify(application_id=str(app.public_id), round=app.round)
    app.refresh_from_db()
    return app


# --- starting and filling in -----------------------------------------------------------------


def test_start_prefills_from_account_and_profile(learner: Any, programme: Any) -> None:
    LearnerProfile.objects.create(user=learner, school_level="high", grade=1, district_code="11680")
    app = services.application_start(applicant=learner, programme=programme)
    assert app.status == Application.Status.DRAFT
    assert app.kind == Application.Kind.NEW
    assert app.birth_date == learner.birth_date
    assert (app.school_level, app.grade, app.district_code) == ("high", 1, "11680")
    assert app.events.get().action == ApplicationEvent.Action.CREATE


def test_second_open_application_is_refused_with_a_clear_message(
    learner: Any, programme: Any
) -> None:
    first = services.application_start(applicant=learner, programme=programme)
    with pytest.raises(Conflict) as excinfo:
        services.application_start(applicant=learner, programme=programme)
    assert excinfo.value.code == "application_already_open"
    assert excinfo.value.details["application"] == str(first.public_id)
    assert "이미 진행 중인 신청서" in str(excinfo.value.message)


def test_only_learners_apply(operator: Any, programme: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.application_start(applicant=operator, programme=programme)


def test_member_cannot_apply_again_until_reverification_is_due(operator: Any) -> None:
    app = in_review(ApplicationFactory())
    services.application_decide(application=app, actor=operator, decision="approve", reason="ok")
    with pytest.raises(Conflict) as excinfo:
        services.application_start(applicant=app.applicant, programme=app.programme)
    assert excinfo.value.code == "already_member"
    membership = Membership.objects.get(user=app.applicant)
    Membership.objects.filter(pk=membership.pk).update(
        reverify_due_on=today() + dt.timedelta(days=5)
    )
    renewal = services.application_start(applicant=app.applicant, programme=app.programme)
    assert renewal.kind == Application.Kind.RENEWAL
    assert renewal.category == "near_poor"  # carried over from the approved application


def test_save_applicant_validates_every_field(learner: Any, programme: Any) -> None:
    app = services.application_start(applicant=learner, programme=programme)
    with pytest.raises(InvalidInput) as excinfo:
        services.application_save_applicant(
            application=app,
            actor=learner,
            applicant_name="",
            birth_date=None,
            school_level="middle",
            grade=7,
            school_name="900101-1234567 중학교",
            district_code="99999",
        )
    fields = excinfo.value.details["fields"]
    assert set(fields) == {"applicant_name", "grade", "school_name", "district_code"}


def test_birth_date_of_the_account_wins(programme: Any) -> None:
    learner = LearnerFactory(birth_date=birth_date_for_age(12))
    app = services.application_start(applicant=learner, programme=programme)
    saved = services.application_save_applicant(
        application=app,
        actor=learner,
        applicant_name="김서울",
        birth_date=dt.date(2000, 1, 1),  # tries to look older than 14
        school_level="elementary",
        grade=6,
        school_name="",
        district_code="11110",
    )
    assert saved.birth_date == learner.birth_date


def test_invalid_and_future_birth_dates(programme: Any) -> None:
    learner = LearnerFactory(birth_date=None)
    app = services.application_start(applicant=learner, programme=programme)
    for bad in (today() + dt.timedelta(days=1), dt.date(1900, 1, 1)):
        with pytest.raises(InvalidInput) as excinfo:
            services.application_save_applicant(
                application=app,
                actor=learner,
                applicant_name="김서울",
                birth_date=bad,
                school_level="adult",
                grade=None,
                school_name="",
                district_code="11110",
            )
        assert "birth_date" in excinfo.value.details["fields"]


def test_household_is_encrypted_and_category_indexed(learner: Any, programme: Any) -> None:
    from django.db import connection

    app = ApplicationFactory(
        applicant=learner, programme=programme, step=1, category="", household=None
    )
    services.application_save_household(
        application=app,
        actor=learner,
        category="single_parent",
        household_size=2,
        monthly_income_krw=1_500_000,
        note="엄마와 둘이 살아요",
    )
    app.refresh_from_db()
    assert (app.category, app.household_size, app.monthly_income_krw) == (
        "single_parent",
        2,
        1_500_000,
    )
    assert app.category_index == category_index("single_parent")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT category, household, applicant_note FROM eligibility_application WHERE id = %s",
            [app.pk],
        )
        raw = cursor.fetchone()
    assert all("single_parent" not in value and "1500000" not in value for value in raw)
    assert all(value.startswith("gAAAA") for value in raw)


def test_income_categories_need_household_and_income(learner: Any, programme: Any) -> None:
    app = ApplicationFactory(applicant=learner, programme=programme)
    with pytest.raises(InvalidInput) as excinfo:
        services.application_save_household(
            application=app,
            actor=learner,
            category="basic_livelihood",
            household_size=None,
            monthly_income_krw=None,
        )
    assert set(excinfo.value.details["fields"]) == {"household_size", "monthly_income_krw"}
    services.application_save_household(
        application=app,
        actor=learner,
        category="defector",
        household_size=None,
        monthly_income_krw=None,
    )


def test_rrn_in_note_is_refused(learner: Any, programme: Any) -> None:
    app = ApplicationFactory(applicant=learner, programme=programme)
    with pytest.raises(InvalidInput) as excinfo:
        services.application_save_household(
            application=app,
            actor=learner,
            category="defector",
            household_size=None,
            monthly_income_krw=None,
            note="제 번호는 0903154123456 입니다",
        )
    assert excinfo.value.details["fields"]["note"]


def test_someone_elses_application_is_not_found(
    learner: Any, other_learner: Any, programme: Any
) -> None:
    app = ApplicationFactory(applicant=other_learner, programme=programme)
    with pytest.raises(NotFound):
        services.application_save_household(
            application=app,
            actor=learner,
            category="defector",
            household_size=None,
            monthly_income_krw=None,
        )
    with pytest.raises(NotFound):
        services.application_submit(application=app, actor=learner)


# --- evidence ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF_BYTES, "수급자증명서.pdf", "application/pdf"),
        (png_bytes(), "scan.PNG", "image/png"),
        (jpeg_bytes(), "photo.jpeg", "image/jpeg"),
    ],
)
def test_evidence_is_sniffed_and_stored_encrypted(
    data: bytes, name: str, content_type: str
) -> None:
    from django.core.files.storage import default_storage

    app = ApplicationFactory()
    evidence = upload(app, data, name)
    assert evidence.content_type == content_type
    assert evidence.size_bytes == len(data)
    with default_storage.open(evidence.file, "rb") as handle:
        assert handle.read() != data  # encrypted at rest
    assert read_encrypted(evidence.file) == data
    assert evidence.original_name == name


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"MZ\x90\x00 this is an executable", "evidence.pdf", "file_type_not_allowed"),
        (b"<html><script>alert(1)</script></html>", "evidence.png", "file_type_not_allowed"),
        (b"PK\x03\x04 a word document", "evidence.docx", "file_type_not_allowed"),
        (png_bytes(), "evidence.pdf", "file_disguised"),
        (PDF_BYTES, "evidence.jpg", "file_disguised"),
        (PDF_BYTES, "evidence", "file_disguised"),
        (b"%PDF-1.4 truncated without an end", "evidence.pdf", "file_damaged"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "evidence.png", "file_damaged"),
        (b"", "empty.pdf", "file_empty"),
    ],
)
def test_bad_files_are_refused(data: bytes, name: str, code: str) -> None:
    app = ApplicationFactory()
    with pytest.raises(InvalidInput) as excinfo:
        upload(app, data, name)
    assert excinfo.value.code == code
    assert not Evidence.objects.exists()


def test_oversize_file_is_refused(settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 1000
    app = ApplicationFactory()
    big = PDF_BYTES[:-6] + b" " * 2000 + b"%%EOF\n"
    with pytest.raises(InvalidInput) as excinfo:
        upload(app, big)
    assert excinfo.value.code == "file_too_large"
    assert upload(app, PDF_BYTES).size_bytes == len(PDF_BYTES)


def test_rrn_in_file_name_is_not_kept() -> None:
    evidence = upload(ApplicationFactory(), name="홍길동_900101-1234567.pdf")
    assert evidence.original_name == "document.pdf"


def test_unknown_kind_and_too_many_files(monkeypatch: Any) -> None:
    app = ApplicationFactory()
    with pytest.raises(InvalidInput):
        upload(app, kind="selfie")
    monkeypatch.setattr(services, "MAX_EVIDENCE_FILES", 1)
    upload(app)
    with pytest.raises(RuleViolation):
        upload(app)


def test_evidence_can_be_removed_before_submission_only() -> None:
    draft: Any = ApplicationFactory()
    evidence = upload(draft)
    services.evidence_remove(evidence=evidence, actor=draft.applicant)
    assert not Evidence.objects.exists()
    app = submitted(ApplicationFactory())
    with pytest.raises(Conflict):
        services.evidence_add(
            application=app,
            actor=app.applicant,
            kind="other",
            upload=io.BytesIO(PDF_BYTES),
            filename="a.pdf",
        )


# --- submitting ----------------------------------------------------------------------------


def test_submit_queues_verification_and_updates_profile(learner: Any, programme: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    app = submitted(ApplicationFactory(applicant=learner, programme=programme))
    assert app.status == Application.Status.SUBMITTED
    assert app.round == 1
    assert app.submitted_at is not None
    assert DBTaskResult.objects.filter(task_path__endswith="verify_application").count() == 1
    profile = LearnerProfile.objects.get(user=learner)
    assert (profile.school_level, profile.grade, profile.district_code) == ("middle", 3, "11350")


def test_submit_needs_required_evidence() -> None:
    app = ApplicationFactory(
        category="multicultural", household={"size": 4, "monthly_income_krw": None}
    )
    upload(app, kind="family_relation_certificate")
    with pytest.raises(RuleViolation) as excinfo:
        services.application_submit(application=app, actor=app.applicant)
    assert excinfo.value.code == "evidence_missing"
    assert excinfo.value.details["missing"] == ["multicultural_family_proof"]


def test_submit_needs_steps_done() -> None:
    app = ApplicationFactory(step=1, category="")
    with pytest.raises(RuleViolation) as excinfo:
        services.application_submit(application=app, actor=app.applicant)
    assert excinfo.value.code == "application_incomplete"


def test_under_14_cannot_submit_without_guardian_consent() -> None:
    child = LearnerFactory(birth_date=birth_date_for_age(11))
    app = ApplicationFactory(applicant=child, school_level="elementary", grade=5)
    upload(app)
    with pytest.raises(RuleViolation) as excinfo:
        services.application_submit(application=app, actor=child)
    assert excinfo.value.code == "guardian_consent_required"
    verified_guardian_consent(child)
    assert services.application_submit(application=app, actor=child).status == "submitted"


def test_under_14_by_application_birth_date_also_needs_consent() -> None:
    child = LearnerFactory(birth_date=None)
    app = ApplicationFactory(applicant=child, birth_date=birth_date_for_age(10))
    upload(app)
    with pytest.raises(RuleViolation):
        services.application_submit(application=app, actor=child)


def test_submitted_application_cannot_be_edited() -> None:
    app = submitted()
    with pytest.raises(Conflict):
        services.application_save_household(
            application=app,
            actor=app.applicant,
            category="defector",
            household_size=None,
            monthly_income_krw=None,
        )
    with pytest.raises(Conflict):
        services.application_submit(application=app, actor=app.applicant)


def test_withdraw(learner: Any, programme: Any) -> None:
    app = submitted(ApplicationFactory(applicant=learner, programme=programme))
    services.application_withdraw(application=app, actor=learner, reason="")
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN
    with pytest.raises(Conflict):
        services.application_withdraw(application=app, actor=learner)
    # a new application may be opened after withdrawing
    assert services.application_start(applicant=learner, programme=programme).status == "draft"


# --- verification --------------------------------------------------------------------------


def test_verification_auto_verifies_with_registry_match() -> None:
    app = submitted()
    sandbox_record(app)
    verdict = services.application_verify(application_id=str(app.public_id), round=app.round)
    app.refresh_from_db()
    assert verdict == Application.Verification.AUTO_VERIFIED
    assert app.status == Application.Status.IN_REVIEW
    assert app.auto_verified
    runs = {r.verifier: r.outcome for r in app.verification_runs.all()}
    assert runs == {"rules": "verified", "sandbox_welfare_registry": "verified"}
    assert app.events.filter(action="verify", actor__isnull=True).exists()


def test_verification_without_registry_record_needs_review() -> None:
    app = submitted()
    assert services.application_verify(application_id=str(app.public_id), round=1) == "needs_review"


def test_verification_fails_on_income_over_limit() -> None:
    app = submitted(ApplicationFactory(household={"size": 1, "monthly_income_krw": 9_000_000}))
    sandbox_record(app)
    assert services.application_verify(application_id=str(app.public_id), round=1) == "failed"
    reasons = app.verification_runs.get(verifier="rules").reason_objects()
    assert any(r.code == "income_above_limit" for r in reasons)


def test_verification_is_idempotent() -> None:
    app = submitted()
    sandbox_record(app)
    assert (
        services.application_verify(application_id=str(app.public_id), round=1) == "auto_verified"
    )
    assert services.application_verify(application_id=str(app.public_id), round=1) is None
    assert services.application_verify(application_id=str(app.public_id), round=7) is None
    assert app.verification_runs.count() == 2
    assert app.events.filter(action="verify").count() == 1


# --- review decisions ----------------------------------------------------------------------


def test_approve_creates_membership_with_term(operator: Any) -> None:
    started: list[Membership] = []

    def receiver(sender: Any, membership: Membership, **kwargs: Any) -> None:
        started.append(membership)

    signals.membership_started.connect(receiver)
    try:
        app = in_review()
        services.application_decide(
            application=app, actor=operator, decision="approve", reason="서류 확인"
        )
    finally:
        signals.membership_started.disconnect(receiver)
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    assert app.decided_by == operator
    assert app.decision_reason == "서류 확인"
    membership = Membership.objects.get(user=app.applicant)
    assert started == [membership]
    assert membership.status == Membership.Status.ACTIVE
    assert membership.starts_on == today()
    assert membership.ends_on == rules.add_months(today(), 12) - dt.timedelta(days=1)
    assert membership.reverify_due_on == rules.add_months(today(), 6)
    assert (membership.category, membership.district_code) == ("near_poor", "11350")
    assert membership.events.get().action == MembershipEvent.Action.START
    event = app.events.get(action="approve")
    assert (event.actor, event.reason, event.from_status, event.to_status) == (
        operator,
        "서류 확인",
        "in_review",
        "approved",
    )
    assert (
        app.history.filter(status="approved", history_user__isnull=True).exists()
        or app.history.filter(status="approved").exists()
    )


@pytest.mark.parametrize("decision", ["approve", "reject", "request_info"])
def test_every_decision_needs_a_reason(operator: Any, decision: str) -> None:
    app = in_review()
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as excinfo:
            services.application_decide(
                application=app, actor=operator, decision=decision, reason=reason
            )
        assert excinfo.value.code == "reason_required"


def test_reason_with_rrn_is_refused(operator: Any) -> None:
    app = in_review()
    with pytest.raises(InvalidInput):
        services.application_decide(
            application=app,
            actor=operator,
            decision="reject",
            reason="주민번호 900101-1234567 불일치",
        )


def test_decision_on_a_decided_application_is_a_conflict(
    operator: Any, other_operator: Any
) -> None:
    app = in_review()
    services.application_decide(
        application=app, actor=operator, decision="reject", reason="소득 초과"
    )
    with pytest.raises(Conflict) as excinfo:
        services.application_decide(
            application=app, actor=other_operator, decision="approve", reason="ok"
        )
    assert excinfo.value.status_code == 409
    assert excinfo.value.code == "already_decided"
    assert not Membership.objects.exists()


def test_learners_cannot_decide(learner: Any) -> None:
    app = in_review()
    with pytest.raises(PermissionDenied):
        services.application_decide(application=app, actor=learner, decision="approve", reason="me")
    with pytest.raises(PermissionDenied):
        services.application_claim(application=app, actor=app.applicant)


def test_claim_keeps_other_reviewers_off(operator: Any, other_operator: Any) -> None:
    app = in_review()
    services.application_claim(application=app, actor=operator)
    with pytest.raises(Conflict) as excinfo:
        services.application_claim(application=app, actor=other_operator)
    assert excinfo.value.code == "claimed_by_other"
    with pytest.raises(Conflict):
        services.application_decide(
            application=app, actor=other_operator, decision="approve", reason="x"
        )
    with pytest.raises(Conflict):
        services.application_release(application=app, actor=other_operator)
    services.application_release(application=app, actor=operator)
    services.application_claim(application=app, actor=other_operator)
    services.application_decide(
        application=app, actor=other_operator, decision="approve", reason="ok"
    )


def test_stale_claim_lapses(operator: Any, other_operator: Any) -> None:
    app = in_review()
    services.application_claim(application=app, actor=operator)
    Application.objects.filter(pk=app.pk).update(
        claimed_at=app.updated_at - services.CLAIM_TTL - dt.timedelta(minutes=1)
    )
    services.application_claim(application=app, actor=other_operator)


def test_request_info_then_resubmit_runs_a_new_round(operator: Any) -> None:
    app = in_review()
    services.application_decide(
        application=app,
        actor=operator,
        decision="request_info",
        reason="최근 3개월 이내 발급 서류를 올려 주세요",
    )
    app.refresh_from_db()
    assert app.status == Application.Status.INFO_REQUESTED
    assert app.info_request.startswith("최근 3개월")
    assert app.decided_at is None
    with pytest.raises(RuleViolation) as excinfo:
        services.application_submit(application=app, actor=app.applicant)
    assert excinfo.value.code == "nothing_added"
    evidence = upload(app)
    assert evidence.round == 2
    app = services.application_submit(application=app, actor=app.applicant)
    assert (app.status, app.round) == ("submitted", 2)
    assert app.events.filter(action="resubmit").exists()
    with pytest.raises(Conflict):  # round-1 evidence cannot be removed any more
        services.evidence_remove(evidence=app.evidence.filter(round=1).first(), actor=app.applicant)  # type: ignore[arg-type]


def test_bulk_approve_only_auto_verified(operator: Any) -> None:
    verified = submitted()
    sandbox_record(verified)
    services.application_verify(application_id=str(verified.public_id), round=1)
    manual = in_review()
    decided = in_review()
    services.application_decide(application=decided, actor=operator, decision="reject", reason="x")
    Application.objects.filter(pk=decided.pk).update(verification="auto_verified")
    result = services.applications_bulk_approve(
        actor=operator,
        application_ids=[
            verified.public_id,
            manual.public_id,
            decided.public_id,
            "00000000-0000-0000-0000-000000000000",
        ],
        reason="자동 확인 일괄 승인",
    )
    assert result.approved == [str(verified.public_id)]
    assert set(result.skipped) == {
        str(manual.public_id),
        str(decided.public_id),
        "00000000-0000-0000-0000-000000000000",
    }
    assert Membership.objects.filter(user=verified.applicant, status="active").exists()
    with pytest.raises(InvalidInput):
        services.applications_bulk_approve(
            actor=operator, application_ids=[verified.public_id], reason=""
        )


# --- memberships ---------------------------------------------------------------------------


def approved_membership(operator: Any, **kwargs: Any) -> Membership:
    app = in_review(ApplicationFactory(**kwargs))
    services.application_decide(application=app, actor=operator, decision="approve", reason="ok")
    return Membership.objects.get(application=app)


def test_revoke_needs_reason_and_sends_membership_ended(operator: Any) -> None:
    membership = approved_membership(operator)
    ended: list[tuple[Membership, str]] = []

    def receiver(sender: Any, membership: Membership, reason: str, **kwargs: Any) -> None:
        ended.append((membership, reason))

    signals.membership_ended.connect(receiver)
    try:
        with pytest.raises(InvalidInput):
            services.membership_revoke(membership=membership, actor=operator, reason="")
        services.membership_revoke(membership=membership, actor=operator, reason="허위 서류")
    finally:
        signals.membership_ended.disconnect(receiver)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REVOKED
    assert (membership.end_reason, membership.ended_by) == ("허위 서류", operator)
    assert [(m.pk, r) for m, r in ended] == [(membership.pk, "허위 서류")]
    with pytest.raises(Conflict) as excinfo:
        services.membership_revoke(membership=membership, actor=operator, reason="again")
    assert excinfo.value.code == "invalid_transition"


def test_lifecycle_grace_then_expiry(operator: Any) -> None:
    membership = approved_membership(operator)
    due = membership.reverify_due_on
    assert due is not None
    assert services.membership_advance(membership=membership, on=due) is None  # due day itself
    assert (
        services.membership_advance(membership=membership, on=due + dt.timedelta(days=1)) == "grace"
    )
    membership.refresh_from_db()
    assert membership.grace_until == due + dt.timedelta(days=30)
    assert services.membership_advance(membership=membership, on=due + dt.timedelta(days=2)) is None
    assert (
        services.membership_advance(
            membership=membership, on=membership.grace_until + dt.timedelta(days=1)
        )
        == "expired"
    )  # type: ignore[operator]
    membership.refresh_from_db()
    assert membership.status == "expired"
    assert [e.action for e in membership.events.all()] == ["start", "grace", "expire"]


def test_term_end_expires(operator: Any) -> None:
    membership = approved_membership(operator)
    Membership.objects.filter(pk=membership.pk).update(reverify_due_on=None)
    membership.refresh_from_db()
    assert services.membership_advance(membership=membership, on=membership.ends_on) is None
    assert (
        services.membership_advance(
            membership=membership, on=membership.ends_on + dt.timedelta(days=1)
        )
        == "expired"
    )


def test_renewal_in_grace_returns_to_active(operator: Any) -> None:
    membership = approved_membership(operator)
    due: Any = membership.reverify_due_on
    services.membership_advance(membership=membership, on=due + dt.timedelta(days=1))
    renewal = services.application_start(applicant=membership.user, programme=membership.programme)
    assert renewal.kind == "renewal"
    assert (renewal.district_code, renewal.category) == ("11350", "near_poor")  # prefilled
    renewal = services.application_save_applicant(
        application=renewal,
        actor=membership.user,
        applicant_name=renewal.applicant_name,
        birth_date=renewal.birth_date,
        school_level=renewal.school_level,
        grade=renewal.grade,
        school_name=renewal.school_name,
        district_code=renewal.district_code,
    )
    renewal = services.application_save_household(
        application=renewal,
        actor=membership.user,
        category=renewal.category,
        household_size=renewal.household_size,
        monthly_income_krw=renewal.monthly_income_krw,
    )
    upload(renewal)
    renewal = services.application_submit(application=renewal, actor=membership.user)
    services.application_verify(application_id=str(renewal.public_id), round=1)
    renewal.refresh_from_db()
    services.application_decide(
        application=renewal, actor=operator, decision="approve", reason="재확인 완료"
    )
    membership.refresh_from_db()
    assert membership.status == "active"
    assert membership.grace_until is None
    assert membership.application == renewal
    assert membership.last_verified_on == today()
    assert Membership.objects.filter(user=membership.user).count() == 1


def test_remind_once_per_due_date(operator: Any) -> None:
    membership = approved_membership(operator)
    assert services.membership_remind(membership=membership) is True
    assert services.membership_remind(membership=membership) is False
    assert membership.events.filter(action="remind").count() == 1


def test_invalid_transition_refused(operator: Any) -> None:
    membership = approved_membership(operator)
    Membership.objects.filter(pk=membership.pk).update(status="expired")
    with pytest.raises(Conflict):
        services.membership_revoke(membership=membership, actor=operator, reason="late")


# --- policy --------------------------------------------------------------------------------


def test_policy_save_validates_and_keeps_history(operator: Any, programme: Any) -> None:
    from seoullearn.eligibility.selectors import policy_for

    data = policy_for(programme).as_dict()
    data["age_max"] = 21
    services.policy_save(programme=programme, data=data, actor=operator, reason="2026 변경")
    assert policy_for(programme).age_max == 21
    data["age_min"] = 30
    with pytest.raises(InvalidInput) as excinfo:
        services.policy_save(programme=programme, data=data, actor=operator, reason="bad")
    assert "age_max" in excinfo.value.details["fields"]
    row = EligibilityPolicy.objects.get(programme=programme)
    assert row.history.count() == 1
    assert row.updated_by == operator


def test_policy_save_refuses_learners(learner: Any, programme: Any) -> None:
    from seoullearn.eligibility.selectors import policy_for

    with pytest.raises(PermissionDenied):
        services.policy_save(
            programme=programme, data=policy_for(programme).as_dict(), actor=learner, reason="x"
        )


def test_membership_uses_programme_end_when_policy_says_so(operator: Any, programme: Any) -> None:
    from seoullearn.eligibility.selectors import policy_for

    data = policy_for(programme).as_dict() | {"term_kind": "programme_end", "term_months": None}
    services.policy_save(programme=programme, data=data, actor=operator, reason="사업 종료일까지")
    membership = approved_membership(operator, programme=programme)
    assert membership.ends_on == programme.ends_on


# --- consent withdrawn ---------------------------------------------------------------------


def test_consent_withdrawal_stops_a_child_membership(operator: Any) -> None:
    child: Any = LearnerFactory(birth_date=birth_date_for_age(12))
    guardian = GuardianFactory()
    verified_guardian_consent(child, guardian)
    membership = approved_membership(operator, applicant=child, school_level="elementary", grade=6)
    adult = LearnerFactory(birth_date=birth_date_for_age(17))
    assert services.consent_withdrawal_apply(learner=adult, reason="x") == {
        "applications": 0,
        "memberships": 0,
    }
    assert services.consent_withdrawal_apply(learner=child, reason="동의 철회") == {
        "applications": 0,
        "memberships": 0,
    }
    from seoullearn.accounts.models import ConsentRecord
    from seoullearn.core.timeutil import now

    ConsentRecord.objects.filter(subject=child).update(withdrawn_at=now(), withdrawn_by=guardian)
    draft = ApplicationFactory(applicant=child, programme=membership.programme, kind="renewal")
    assert services.consent_withdrawal_apply(learner=child, reason="동의 철회") == {
        "applications": 1,
        "memberships": 1,
    }
    membership.refresh_from_db()
    draft.refresh_from_db()
    assert (membership.status, draft.status) == ("revoked", "withdrawn")


def test_sensitive_consent_withdrawal_stops_applications_only(operator: Any) -> None:
    membership = approved_membership(operator)
    draft = ApplicationFactory(
        applicant=membership.user, programme=membership.programme, kind="renewal"
    )
    result = services.consent_withdrawal_apply(
        learner=membership.user, kind="sensitive", reason="철회"
    )
    assert result == {"applications": 1, "memberships": 0}
    membership.refresh_from_db()
    assert membership.status == "active"
    assert services.consent_withdrawal_apply(
        learner=membership.user, kind="learning_data", reason="x"
    ) == {
        "applications": 0,
        "memberships": 0,
    }
    assert services.consent_withdrawal_apply(
        learner=membership.user, kind="privacy", reason="탈퇴"
    ) == {
        "applications": 0,
        "memberships": 1,
    }
    draft.refresh_from_db()
    assert draft.status == "withdrawn"


def test_withdraw_reason_refuses_rrn(learner: Any, programme: Any) -> None:
    app = ApplicationFactory(applicant=learner, programme=programme)
    with pytest.raises(InvalidInput):
        services.application_withdraw(application=app, actor=learner, reason="900101-1234567")


def test_receiver_accepts_the_record_shape() -> None:
    from seoullearn.eligibility.receivers import on_consent_withdrawn

    signal = Signal()
    signal.connect(on_consent_withdrawn)
    child = LearnerFactory(birth_date=birth_date_for_age(9))
    app = ApplicationFactory(applicant=child)

    class Notice:
        kind = "guardian"

    class Record:
        subject = child
        notice = Notice()

    signal.send(sender=None, record=Record())
    app.refresh_from_db()
    assert app.status == "withdrawn"
