from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from seoullearn.accounts.tests.factories import LearnerFactory, OperatorFactory
from seoullearn.activities import selectors, services
from seoullearn.activities.models import (
    CareerApplication,
    ConsultantSlot,
    ConsultingBooking,
    LectureRegistration,
)
from seoullearn.activities.tests.factories import (
    ApplicationFactory,
    BookingFactory,
    CohortFactory,
    ConsultantFactory,
    LectureFactory,
    ServiceFactory,
    SlotFactory,
    member,
)
from seoullearn.core.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from seoullearn.core.timeutil import now, today

pytestmark = pytest.mark.django_db


def _past_booking(learner, service, hours_ago=2):
    slot = SlotFactory(track=service.track)
    ConsultantSlot.objects.filter(pk=slot.pk).update(
        starts_at=now() - dt.timedelta(hours=hours_ago),
        ends_at=now() - dt.timedelta(hours=hours_ago) + dt.timedelta(minutes=50),
    )
    slot.refresh_from_db()
    return BookingFactory(slot=slot, service=service, learner=learner)


# --- school years and eligibility -------------------------------------------------------------


def test_school_year_counts_from_elementary_one():
    assert selectors.school_year(member(level="middle", grade=1)) == 7
    assert selectors.school_year(member(level="high", grade=2)) == 11
    assert selectors.school_year(member(level="high", grade=3)) == 12
    assert selectors.school_year(member(level="adult", grade=None)) == 13
    teenager = member(level="out_of_school", grade=None)
    teenager.birth_date = today().replace(year=today().year - 15) - dt.timedelta(days=200)
    assert selectors.school_year(teenager) in (8, 9)
    teenager.birth_date = today().replace(year=today().year - 20)
    assert selectors.school_year(teenager) == 13
    assert selectors.school_year(LearnerFactory()) is None


def test_seed_quota_study_strategy_four_in_depth_sessions():
    learner = member(level="middle", grade=1)
    service = ServiceFactory(quota_per_learner=4)
    for _i in range(4):
        services.consulting_book(learner=learner, slot=SlotFactory(), service=service)
    with pytest.raises(RuleViolation) as exc:
        services.consulting_book(learner=learner, slot=SlotFactory(), service=service)
    assert exc.value.code == "quota_exhausted"
    assert selectors.quota_used(learner, service) == 4


def test_quota_is_data_driven_per_service():
    learner = member(level="high", grade=3)
    early = ServiceFactory(
        code="admissions-early", track="admissions", grade_min=12, grade_max=13, quota_per_learner=1
    )
    slot = SlotFactory(track="admissions")
    services.consulting_book(learner=learner, slot=slot, service=early)
    with pytest.raises(RuleViolation):
        services.consulting_book(
            learner=learner, slot=SlotFactory(track="admissions"), service=early
        )


def test_grade_band_is_enforced():
    service = ServiceFactory(grade_min=7, grade_max=11)
    with pytest.raises(RuleViolation) as exc:
        services.consulting_book(
            learner=member(level="high", grade=3), slot=SlotFactory(), service=service
        )
    assert exc.value.code == "grade_band"
    with pytest.raises(RuleViolation):
        services.consulting_book(
            learner=member(level="elementary", grade=6), slot=SlotFactory(), service=service
        )


def test_only_members_book():
    learner = LearnerFactory()
    with pytest.raises(RuleViolation) as exc:
        services.consulting_book(learner=learner, slot=SlotFactory(), service=ServiceFactory())
    assert exc.value.code == "membership_required"


def test_wrong_role_cannot_book():
    with pytest.raises(PermissionDenied):
        services.consulting_book(
            learner=OperatorFactory(), slot=SlotFactory(), service=ServiceFactory()
        )


def test_slot_taken_and_track_mismatch_and_past_slot():
    service = ServiceFactory()
    slot = SlotFactory()
    services.consulting_book(learner=member(), slot=slot, service=service)
    with pytest.raises(Conflict) as exc:
        services.consulting_book(learner=member(), slot=slot, service=service)
    assert exc.value.code == "slot_taken"
    with pytest.raises(InvalidInput):
        services.consulting_book(
            learner=member(), slot=SlotFactory(track="admissions"), service=service
        )
    past = SlotFactory()
    ConsultantSlot.objects.filter(pk=past.pk).update(
        starts_at=now() - dt.timedelta(hours=1), ends_at=now()
    )
    past.refresh_from_db()
    with pytest.raises(Conflict):
        services.consulting_book(learner=member(), slot=past, service=service)


def test_topic_too_long_is_refused():
    with pytest.raises(InvalidInput):
        services.consulting_book(
            learner=member(), slot=SlotFactory(), service=ServiceFactory(), topic="가" * 2001
        )


def test_early_cancellation_gives_the_session_back():
    learner = member()
    service = ServiceFactory(quota_per_learner=1)
    booking = services.consulting_book(learner=learner, slot=SlotFactory(), service=service)
    booking = services.consulting_cancel(booking=booking, actor=learner, reason="")
    assert booking.status == ConsultingBooking.Status.CANCELLED
    assert selectors.quota_used(learner, service) == 0
    services.consulting_book(learner=learner, slot=SlotFactory(), service=service)


def test_late_cancellation_uses_the_session_and_frees_the_slot():
    learner = member()
    service = ServiceFactory(quota_per_learner=1, cancel_deadline_hours=24)
    slot = SlotFactory()
    ConsultantSlot.objects.filter(pk=slot.pk).update(
        starts_at=now() + dt.timedelta(hours=3), ends_at=now() + dt.timedelta(hours=4)
    )
    slot.refresh_from_db()
    booking = services.consulting_book(learner=learner, slot=slot, service=service)
    booking = services.consulting_cancel(booking=booking, actor=learner, reason="아파요")
    assert booking.status == ConsultingBooking.Status.LATE_CANCELLED
    assert selectors.quota_used(learner, service) == 1
    # someone else can take the freed slot
    services.consulting_book(learner=member(), slot=slot, service=service)


def test_operator_cancellation_is_never_late_and_needs_a_reason():
    learner = member()
    service = ServiceFactory(quota_per_learner=1)
    slot = SlotFactory()
    ConsultantSlot.objects.filter(pk=slot.pk).update(
        starts_at=now() + dt.timedelta(hours=3), ends_at=now() + dt.timedelta(hours=4)
    )
    booking = services.consulting_book(learner=learner, slot=slot, service=service)
    operator = OperatorFactory()
    with pytest.raises(InvalidInput):
        services.consulting_cancel(booking=booking, actor=operator, reason="")
    booking = services.consulting_cancel(booking=booking, actor=operator, reason="컨설턴트 사정")
    assert booking.status == ConsultingBooking.Status.CANCELLED
    assert selectors.quota_used(learner, service) == 0


def test_learner_cannot_cancel_someone_elses_booking():
    booking = BookingFactory(learner=member())
    with pytest.raises(PermissionDenied):
        services.consulting_cancel(booking=booking, actor=member(), reason="")


def test_no_show_uses_quota_and_blocks_new_bookings_for_a_while():
    learner = member()
    service = ServiceFactory(quota_per_learner=4, no_show_block_days=14)
    booking = _past_booking(learner, service)
    services.consulting_no_show(booking=booking, actor=booking.slot.consultant, reason="")
    assert selectors.quota_used(learner, service) == 1
    with pytest.raises(RuleViolation) as exc:
        services.consulting_book(learner=learner, slot=SlotFactory(), service=service)
    assert exc.value.code == "no_show_block"


def test_completion_records_notes_for_the_right_roles_only():
    learner = member()
    service = ServiceFactory()
    booking = _past_booking(learner, service)
    consultant = booking.slot.consultant
    with pytest.raises(InvalidInput):
        services.consulting_complete(booking=booking, actor=consultant, note="n", summary=" ")
    other = ConsultantFactory()
    with pytest.raises(PermissionDenied):
        services.consulting_complete(booking=booking, actor=other, note="n", summary="s")
    booking = services.consulting_complete(
        booking=booking, actor=consultant, note="수학 불안이 큼", summary="매일 20분 복습"
    )
    assert booking.status == ConsultingBooking.Status.COMPLETED
    assert selectors.may_read_note(consultant, booking)
    assert selectors.may_read_note(OperatorFactory(), booking)
    assert not selectors.may_read_note(learner, booking)
    assert not selectors.may_read_note(other, booking)
    with pytest.raises(PermissionDenied):
        services.consulting_notes_update(booking=booking, actor=other, note="x", summary="y")


def test_cannot_complete_before_start():
    booking = BookingFactory(learner=member())
    with pytest.raises(Conflict):
        services.consulting_complete(
            booking=booking, actor=booking.slot.consultant, note="", summary="요약"
        )


def test_survey_once_after_completion_with_valid_rating():
    learner = member()
    booking = _past_booking(learner, ServiceFactory())
    with pytest.raises(Conflict):
        services.consulting_survey_submit(
            booking=booking, learner=learner, rating=5, helpful=True, comment=""
        )
    services.consulting_complete(
        booking=booking, actor=booking.slot.consultant, note="", summary="요약"
    )
    booking.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.consulting_survey_submit(
            booking=booking, learner=learner, rating=6, helpful=True, comment=""
        )
    with pytest.raises(PermissionDenied):
        services.consulting_survey_submit(
            booking=booking, learner=member(), rating=5, helpful=True, comment=""
        )
    services.consulting_survey_submit(
        booking=booking, learner=learner, rating=5, helpful=True, comment="좋아요"
    )
    with pytest.raises(Conflict):
        services.consulting_survey_submit(
            booking=booking, learner=learner, rating=4, helpful=True, comment=""
        )


def test_slots_cannot_overlap_and_only_own_schedule():
    consultant = ConsultantFactory()
    start = now() + dt.timedelta(days=2)
    services.consulting_slot_create(
        consultant=consultant,
        track="study",
        starts_at=start,
        duration_minutes=50,
        mode="online",
        location="",
        actor=consultant,
    )
    with pytest.raises(Conflict):
        services.consulting_slot_create(
            consultant=consultant,
            track="study",
            starts_at=start + dt.timedelta(minutes=30),
            duration_minutes=50,
            mode="online",
            location="",
            actor=consultant,
        )
    with pytest.raises(PermissionDenied):
        services.consulting_slot_create(
            consultant=consultant,
            track="study",
            starts_at=start + dt.timedelta(hours=3),
            duration_minutes=50,
            mode="online",
            location="",
            actor=ConsultantFactory(),
        )
    with pytest.raises(InvalidInput):
        services.consulting_slot_create(
            consultant=consultant,
            track="astrology",
            starts_at=start + dt.timedelta(hours=5),
            duration_minutes=50,
            mode="online",
            location="",
            actor=consultant,
        )


def test_weekly_pattern_makes_slots_and_skips_clashes():
    consultant = ConsultantFactory()
    first = (now() + dt.timedelta(days=1)).date()
    created = services.consulting_schedule_generate(
        consultant=consultant,
        track="study",
        first_day=first,
        last_day=first + dt.timedelta(days=13),
        weekdays=[0, 2],
        times=[dt.time(16, 0), dt.time(17, 0)],
        duration_minutes=50,
        mode="offline",
        location="서울런 상담실",
        actor=consultant,
    )
    assert len(created) == 8
    again = services.consulting_schedule_generate(
        consultant=consultant,
        track="study",
        first_day=first,
        last_day=first + dt.timedelta(days=13),
        weekdays=[0, 2],
        times=[dt.time(16, 0)],
        duration_minutes=50,
        mode="offline",
        location="",
        actor=consultant,
    )
    assert again == []
    with pytest.raises(InvalidInput):
        services.consulting_schedule_generate(
            consultant=consultant,
            track="study",
            first_day=first,
            last_day=first - dt.timedelta(days=1),
            weekdays=[0],
            times=[dt.time(16, 0)],
            duration_minutes=50,
            mode="offline",
            location="",
            actor=consultant,
        )


def test_withdraw_refuses_booked_slots():
    booking = BookingFactory(learner=member())
    with pytest.raises(Conflict):
        services.consulting_slot_withdraw(
            slot=booking.slot, actor=booking.slot.consultant, reason=""
        )
    free = SlotFactory()
    services.consulting_slot_withdraw(slot=free, actor=free.consultant, reason="")
    assert not selectors.open_slots().filter(pk=free.pk).exists()


# --- career programme -------------------------------------------------------------------------


def test_apply_select_within_capacity_and_complete_all_stages():
    cohort = CohortFactory(capacity=1)
    operator = OperatorFactory()
    a1 = services.cohort_apply(cohort=cohort, learner=member(), motivation="로봇 공학자가 꿈입니다")
    a2 = services.cohort_apply(
        cohort=cohort, learner=member(), motivation="게임 기획을 하고 싶어요"
    )
    services.application_decide(application=a1, decision="selected", actor=operator)
    with pytest.raises(RuleViolation):
        services.application_decide(application=a2, decision="selected", actor=operator)
    with pytest.raises(InvalidInput):
        services.application_decide(application=a2, decision="rejected", actor=operator)
    services.application_decide(application=a2, decision="waitlisted", actor=operator)
    with pytest.raises(RuleViolation):
        services.stage_complete(application=a1, stage="project", actor=operator)
    for stage in ("exploration", "project", "company_visit", "presentation"):
        services.stage_complete(application=a1, stage=stage, actor=operator)
    a1.refresh_from_db()
    assert a1.status == CareerApplication.Status.COMPLETED
    items = selectors.achievements(a1.learner)
    assert any(i["source_key"].endswith(":completed") for i in items)


def test_track_decides_the_stages():
    cohort = CohortFactory(track="company_visit")
    operator = OperatorFactory()
    application = ApplicationFactory(cohort=cohort, learner=member(), status="selected")
    with pytest.raises(InvalidInput):
        services.stage_complete(application=application, stage="exploration", actor=operator)
    services.stage_complete(application=application, stage="company_visit", actor=operator)
    application.refresh_from_db()
    assert application.status == CareerApplication.Status.COMPLETED


def test_application_rules():
    cohort = CohortFactory()
    learner = member()
    with pytest.raises(InvalidInput):
        services.cohort_apply(cohort=cohort, learner=learner, motivation="짧음")
    services.cohort_apply(
        cohort=cohort, learner=learner, motivation="열 글자가 넘는 지원 동기입니다"
    )
    with pytest.raises(Conflict):
        services.cohort_apply(cohort=cohort, learner=learner, motivation="열 글자가 넘는 지원 동기")
    closed = CohortFactory(status="draft")
    with pytest.raises(RuleViolation):
        services.cohort_apply(
            cohort=closed, learner=member(), motivation="열 글자가 넘는 지원 동기"
        )
    with pytest.raises(PermissionDenied):
        services.application_decide(
            application=CareerApplication.objects.get(learner=learner),
            decision="selected",
            actor=learner,
        )


def test_deliverable_upload_sniffs_type_limits_size_and_encrypts(settings):
    application = ApplicationFactory(learner=member(), status="selected")
    learner = application.learner
    pdf = b"%PDF-1.4\n" + b"x" * 100
    deliverable = services.deliverable_upload(
        application=application, actor=learner, stage="project", title="결과 보고서", data=pdf
    )
    from seoullearn.core.files import read_encrypted

    assert deliverable.content_type == "application/pdf"
    assert read_encrypted(deliverable.file) == pdf
    from django.core.files.storage import default_storage

    with default_storage.open(deliverable.file, "rb") as handle:
        assert b"%PDF" not in handle.read()
    with pytest.raises(InvalidInput):
        services.deliverable_upload(
            application=application, actor=learner, stage="project", title="t", data=b"MZ\x90\x00"
        )
    settings.EVIDENCE_MAX_BYTES = 50
    with pytest.raises(InvalidInput):
        services.deliverable_upload(
            application=application, actor=learner, stage="project", title="t", data=pdf
        )
    with pytest.raises(PermissionDenied):
        services.deliverable_upload(
            application=application, actor=member(), stage="project", title="t", data=pdf[:40]
        )


def test_visit_and_presentation_need_their_stage():
    operator = OperatorFactory()
    exploration = CohortFactory(track="exploration")
    with pytest.raises(RuleViolation):
        services.visit_schedule(
            cohort=exploration,
            company_name="서울로봇",
            visit_at=now() + dt.timedelta(days=20),
            duration_minutes=120,
            address="서울 성동구",
            capacity=10,
            note="",
            actor=operator,
        )
    full = CohortFactory()
    visit = services.visit_schedule(
        cohort=full,
        company_name="서울로봇",
        visit_at=now() + dt.timedelta(days=20),
        duration_minutes=120,
        address="서울 성동구",
        capacity=10,
        note="",
        actor=operator,
    )
    assert visit.company_name == "서울로봇"
    team = services.team_create(cohort=full, name="A팀", topic="폐플라스틱", actor=operator)
    with pytest.raises(Conflict):
        services.team_create(cohort=full, name="A팀", topic="", actor=operator)
    services.presentation_schedule(
        team=team, at=now() + dt.timedelta(days=60), location="시청", actor=operator
    )


# --- special lectures -------------------------------------------------------------------------


def test_register_capacity_and_reregister():
    lecture = LectureFactory(capacity=1)
    first = member()
    reg = services.lecture_register(lecture=lecture, learner=first)
    with pytest.raises(Conflict):
        services.lecture_register(lecture=lecture, learner=first)
    with pytest.raises(RuleViolation):
        services.lecture_register(lecture=lecture, learner=member())
    services.lecture_unregister(registration=reg, actor=first)
    reg = services.lecture_register(lecture=lecture, learner=first)
    assert reg.status == LectureRegistration.Status.REGISTERED


def test_check_in_window_code_and_attempt_limit():
    lecture: Any = LectureFactory(starts_at=now() - dt.timedelta(minutes=10), checkin_code="ROBOT5")
    learner = member()
    services.lecture_register(lecture=lecture, learner=learner)
    with pytest.raises(InvalidInput):
        services.lecture_check_in(lecture=lecture, learner=learner, code="WRONG")
    reg = LectureRegistration.objects.get(lecture=lecture, learner=learner)
    assert reg.checkin_attempts == 1
    reg = services.lecture_check_in(lecture=lecture, learner=learner, code="robot5")
    assert reg.attended_at is not None and reg.attendance_source == "code"
    later = LectureFactory(starts_at=now() + dt.timedelta(days=1))
    services.lecture_register(lecture=later, learner=learner)
    with pytest.raises(RuleViolation):
        services.lecture_check_in(lecture=later, learner=learner, code=later.checkin_code)
    stranger = member()
    with pytest.raises(RuleViolation):
        services.lecture_check_in(lecture=lecture, learner=stranger, code="ROBOT5")


def test_check_in_locks_after_too_many_wrong_codes():
    lecture = LectureFactory(starts_at=now() - dt.timedelta(minutes=5))
    learner = member()
    services.lecture_register(lecture=lecture, learner=learner)
    for _i in range(services.CHECKIN_MAX_ATTEMPTS):
        with pytest.raises(InvalidInput):
            services.lecture_check_in(lecture=lecture, learner=learner, code="NOPE")
    with pytest.raises(RuleViolation) as exc:
        services.lecture_check_in(lecture=lecture, learner=learner, code=lecture.checkin_code)
    assert exc.value.code == "checkin_locked"


def test_attendance_from_xapi_and_operator():
    lecture = LectureFactory()
    learner = member()
    services.lecture_register(lecture=lecture, learner=learner)
    reg = services.lecture_attendance_record(
        lecture=lecture, learner=learner, at=now(), source="xapi", actor=None
    )
    assert reg.attendance_source == "xapi"
    other = member()
    services.lecture_register(lecture=lecture, learner=other)
    with pytest.raises(PermissionDenied):
        services.lecture_attendance_record(
            lecture=lecture, learner=other, at=now(), source="operator", actor=other
        )


def test_lecture_survey_only_after_attendance():
    lecture = LectureFactory(starts_at=now() - dt.timedelta(minutes=5))
    learner = member()
    reg = services.lecture_register(lecture=lecture, learner=learner)
    with pytest.raises(Conflict):
        services.lecture_survey_submit(registration=reg, learner=learner, rating=5, comment="")
    reg = services.lecture_check_in(lecture=lecture, learner=learner, code=lecture.checkin_code)
    services.lecture_survey_submit(registration=reg, learner=learner, rating=4, comment="재밌어요")
    assert selectors.achievements(learner)[0]["kind"] == "lecture"


def test_finished_lecture_cannot_be_registered():
    lecture = LectureFactory(starts_at=now() - dt.timedelta(days=1))
    with pytest.raises(RuleViolation):
        services.lecture_register(lecture=lecture, learner=member())


def test_lecture_checkin_code_validation():
    lecture = LectureFactory.build(checkin_code="ab")
    with pytest.raises(InvalidInput):
        services.lecture_save(lecture=lecture, actor=OperatorFactory())


def test_membership_end_releases_future_bookings_lectures_and_applications():
    from seoullearn.eligibility.signals import membership_ended

    learner = member()
    service = ServiceFactory(quota_per_learner=1)
    booking = services.consulting_book(learner=learner, slot=SlotFactory(), service=service)
    past = _past_booking(learner, ServiceFactory(code="study-focused", quota_per_learner=1))
    lecture = LectureFactory()
    services.lecture_register(lecture=lecture, learner=learner)
    application = ApplicationFactory(learner=learner, status="selected")
    membership = learner.memberships.get()
    membership_ended.send(sender=type(membership), membership=membership, reason="expired")
    booking.refresh_from_db()
    past.refresh_from_db()
    application.refresh_from_db()
    assert booking.status == "cancelled" and selectors.quota_used(learner, service) == 0
    assert past.status == "booked"  # what already happened is left to the consultant
    assert LectureRegistration.objects.get(learner=learner).status == "cancelled"
    assert application.status == "withdrawn"
