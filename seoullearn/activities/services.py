"""Writes for consulting, the career programme and special lectures.

Every state change checks the transition, records who and why, and runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from seoullearn.activities import xapi
from seoullearn.activities.models import (
    CareerApplication,
    CareerCohort,
    CareerStage,
    CompanyVisit,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingService,
    ConsultingSurvey,
    Deliverable,
    LectureRegistration,
    LectureSurvey,
    ProjectTeam,
    SpecialLecture,
    StageCompletion,
)
from seoullearn.activities.selectors import quota_states, school_year
from seoullearn.core.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from seoullearn.core.files import sniff_content_type, store_encrypted
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import SEOUL, now
from seoullearn.eligibility.selectors import active_membership
from seoullearn.programmes.models import Programme

User = get_user_model()

CHECKIN_EARLY_MINUTES = 15
CHECKIN_LATE_MINUTES = 30
CHECKIN_MAX_ATTEMPTS = 10


def _require_member(learner: Any) -> None:
    require_role(learner, Role.LEARNER)
    if active_membership(learner) is None:
        raise RuleViolation(_("서울런 회원만 이용할 수 있습니다."), code="membership_required")


def _require_rating(rating: int) -> None:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("만족도는 1에서 5 사이로 골라 주세요."), details={"field": "rating"})


# --- consulting: the seed's services -------------------------------------------------------------

SEED_SERVICES: tuple[dict[str, Any], ...] = (
    {
        "code": "study-in-depth",
        "track": "study",
        "name_ko": "학습 전략 심층 상담",
        "name_en": "In-depth study strategy session",
        "description_ko": "중1~고2 학습자의 공부 방법·습관을 깊이 진단하고 전략을 세웁니다.",
        "description_en": "Diagnoses study habits of grades 7–11 and builds a strategy.",
        "quota_per_learner": 4,
        "grade_min": 7,
        "grade_max": 11,
        "order": 1,
    },
    {
        "code": "study-focused",
        "track": "study",
        "name_ko": "학습 전략 집중 상담",
        "name_en": "Focused study strategy session",
        "description_ko": "한 과목이나 한 고민에 집중하는 상담입니다.",
        "description_en": "A session on one subject or one concern.",
        "quota_per_learner": 1,
        "grade_min": 7,
        "grade_max": 11,
        "order": 2,
    },
    {
        "code": "admissions-early",
        "track": "admissions",
        "name_ko": "수시 전략 1:1 상담",
        "name_en": "1:1 early admission (수시) strategy",
        "description_ko": "고3·졸업생의 수시 지원 전략을 함께 세웁니다.",
        "description_en": "Early-admission strategy for high-school seniors and graduates.",
        "quota_per_learner": 1,
        "grade_min": 12,
        "grade_max": 13,
        "order": 3,
    },
    {
        "code": "admissions-regular",
        "track": "admissions",
        "name_ko": "정시 전략 1:1 상담",
        "name_en": "1:1 regular admission (정시) strategy",
        "description_ko": "수능 성적에 맞춘 정시 지원 전략을 세웁니다.",
        "description_en": "Regular-admission strategy based on CSAT results.",
        "quota_per_learner": 1,
        "grade_min": 12,
        "grade_max": 13,
        "order": 4,
    },
    {
        "code": "admissions-interview",
        "track": "admissions",
        "name_ko": "자기소개서·면접 1:1 코칭",
        "name_en": "1:1 self-introduction and interview coaching",
        "description_ko": "자기소개서 첨삭과 모의 면접을 합니다.",
        "description_en": "Personal statement review and mock interview.",
        "quota_per_learner": 1,
        "grade_min": 12,
        "grade_max": 13,
        "order": 5,
    },
)


def consulting_services_seed(*, programme: Programme, actor: Any | None) -> int:
    """Create the seed document's consulting services for a programme (idempotent).

    Operators change the quotas and bands afterwards; this only provides the starting rows."""
    if actor is not None:
        require_role(actor, Role.OPERATOR)
    created = 0
    for row in SEED_SERVICES:
        _service, was_created = ConsultingService.objects.get_or_create(
            programme=programme,
            code=row["code"],
            defaults={k: v for k, v in row.items() if k != "code"},
        )
        created += int(was_created)
    return created


# --- consulting: schedules --------------------------------------------------------------------


def consulting_slot_create(
    *,
    consultant: Any,
    track: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    mode: str,
    location: str,
    actor: Any,
) -> ConsultantSlot:
    """A consultant (for themself) or an operator (for a consultant) offers a time."""
    require_role(actor, Role.CONSULTANT, Role.OPERATOR)
    if actor.role == Role.CONSULTANT and actor.pk != consultant.pk:
        raise PermissionDenied(_("다른 컨설턴트의 일정은 만들 수 없습니다."), code="wrong_owner")
    if consultant.role != Role.CONSULTANT:
        raise InvalidInput(
            _("컨설턴트만 상담 일정을 가질 수 있습니다."), details={"field": "consultant"}
        )
    if track not in ConsultingService.Track.values:
        raise InvalidInput(_("상담 분야를 확인해 주세요."), details={"field": "track"})
    if mode not in ConsultantSlot.Mode.values:
        raise InvalidInput(_("상담 방식을 확인해 주세요."), details={"field": "mode"})
    if not 15 <= duration_minutes <= 240:
        raise InvalidInput(
            _("상담 시간은 15분에서 240분 사이여야 합니다."), details={"field": "duration_minutes"}
        )
    if starts_at <= now():
        raise InvalidInput(
            _("지난 시간에는 일정을 만들 수 없습니다."), details={"field": "starts_at"}
        )
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    with transaction.atomic():
        overlapping = ConsultantSlot.objects.filter(
            consultant=consultant,
            status=ConsultantSlot.Status.OPEN,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).exists()
        if overlapping:
            raise Conflict(_("같은 시간에 이미 상담 일정이 있습니다."), code="slot_overlap")
        return ConsultantSlot.objects.create(
            consultant=consultant,
            track=track,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            location=location[:200],
        )


def consulting_schedule_generate(
    *,
    consultant: Any,
    track: str,
    first_day: dt.date,
    last_day: dt.date,
    weekdays: list[int],
    times: list[dt.time],
    duration_minutes: int,
    mode: str,
    location: str,
    actor: Any,
) -> list[ConsultantSlot]:
    """A weekly pattern of slots over a period; times that clash with existing ones are skipped."""
    if last_day < first_day:
        raise InvalidInput(
            _("기간의 끝이 시작보다 앞설 수 없습니다."), details={"field": "last_day"}
        )
    if (last_day - first_day).days > 120:
        raise InvalidInput(
            _("한 번에 120일까지만 만들 수 있습니다."), details={"field": "last_day"}
        )
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise InvalidInput(_("요일을 하나 이상 골라 주세요."), details={"field": "weekdays"})
    if not times:
        raise InvalidInput(_("시간을 하나 이상 입력해 주세요."), details={"field": "times"})
    created: list[ConsultantSlot] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            for time in sorted(times):
                starts_at = dt.datetime.combine(day, time, tzinfo=SEOUL)
                if starts_at <= now():
                    continue
                try:
                    created.append(
                        consulting_slot_create(
                            consultant=consultant,
                            track=track,
                            starts_at=starts_at,
                            duration_minutes=duration_minutes,
                            mode=mode,
                            location=location,
                            actor=actor,
                        )
                    )
                except Conflict:
                    continue
        day += dt.timedelta(days=1)
    return created


def consulting_slot_withdraw(*, slot: ConsultantSlot, actor: Any, reason: str) -> ConsultantSlot:
    """Take a slot back. A slot someone booked cannot be withdrawn: cancel the booking first."""
    require_role(actor, Role.CONSULTANT, Role.OPERATOR)
    if actor.role == Role.CONSULTANT and slot.consultant_id != actor.pk:
        raise PermissionDenied(_("다른 컨설턴트의 일정입니다."), code="wrong_owner")
    with transaction.atomic():
        slot = ConsultantSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.status != ConsultantSlot.Status.OPEN:
            raise Conflict(_("이미 취소된 일정입니다."), code="already_withdrawn")
        if slot.bookings.filter(status=ConsultingBooking.Status.BOOKED).exists():
            raise Conflict(_("예약된 일정입니다. 예약을 먼저 취소해 주세요."), code="slot_booked")
        slot.status = ConsultantSlot.Status.WITHDRAWN
        slot.save(update_fields=["status", "updated_at"])
    return slot


# --- consulting: bookings ---------------------------------------------------------------------


def consulting_book(
    *, learner: Any, slot: ConsultantSlot, service: ConsultingService, topic: str = ""
) -> ConsultingBooking:
    """Book a slot. Exactly one of several learners racing for the same slot gets it."""
    _require_member(learner)
    if not service.is_active:
        raise RuleViolation(_("운영하지 않는 상담입니다."), code="service_inactive")
    year = school_year(learner)
    if year is None:
        raise RuleViolation(_("학교급과 학년을 먼저 입력해 주세요."), code="school_year_unknown")
    if not service.grade_min <= year <= service.grade_max:
        raise RuleViolation(_("이 상담의 대상 학년이 아닙니다."), code="grade_band")
    if slot.track != service.track:
        raise InvalidInput(
            _("이 일정에서는 고른 상담을 받을 수 없습니다."), details={"field": "service"}
        )
    if len(topic) > 2000:
        raise InvalidInput(_("상담 내용은 2,000자 이내로 적어 주세요."), details={"field": "topic"})
    if service.no_show_block_days:
        since = now() - dt.timedelta(days=service.no_show_block_days)
        if ConsultingBooking.objects.filter(
            learner=learner, status=ConsultingBooking.Status.NO_SHOW, slot__starts_at__gte=since
        ).exists():
            raise RuleViolation(
                _("최근 상담에 불참하여 %(days)s일 동안 새 예약을 할 수 없습니다.")
                % {"days": service.no_show_block_days},
                code="no_show_block",
            )
    try:
        with transaction.atomic():
            # Lock the learner (quota) and then the slot (one holder), always in this order.
            User.objects.select_for_update().get(pk=learner.pk)
            locked = ConsultantSlot.objects.select_for_update().get(pk=slot.pk)
            if locked.status != ConsultantSlot.Status.OPEN:
                raise Conflict(_("예약할 수 없는 일정입니다."), code="slot_unavailable")
            if locked.starts_at <= now():
                raise Conflict(_("이미 지난 일정입니다."), code="slot_past")
            if locked.ends_at - locked.starts_at < dt.timedelta(minutes=service.duration_minutes):
                raise InvalidInput(
                    _("이 일정은 고른 상담을 하기에 짧습니다."), details={"field": "slot"}
                )
            if locked.bookings.filter(status__in=ConsultingBooking.SLOT_HOLDING).exists():
                raise Conflict(_("다른 학습자가 먼저 예약했습니다."), code="slot_taken")
            used = ConsultingBooking.objects.filter(
                learner=learner, service=service, status__in=quota_states(service)
            ).count()
            if used >= service.quota_per_learner:
                raise RuleViolation(
                    _("이 상담은 %(quota)s회까지 받을 수 있습니다.")
                    % {"quota": service.quota_per_learner},
                    code="quota_exhausted",
                )
            clash = ConsultingBooking.objects.filter(
                learner=learner,
                status=ConsultingBooking.Status.BOOKED,
                slot__starts_at__lt=locked.ends_at,
                slot__ends_at__gt=locked.starts_at,
            ).exists()
            if clash:
                raise Conflict(_("같은 시간에 다른 상담 예약이 있습니다."), code="learner_clash")
            return ConsultingBooking.objects.create(
                slot=locked,
                service=service,
                learner=learner,
                topic=topic.strip(),
                status_changed_by=learner,
                status_reason="booked",
            )
    except IntegrityError as exc:
        raise Conflict(_("다른 학습자가 먼저 예약했습니다."), code="slot_taken") from exc


def consulting_cancel(*, booking: ConsultingBooking, actor: Any, reason: str) -> ConsultingBooking:
    """Cancel a booking. Before the service's deadline the session goes back to the quota;
    after it, the cancellation is late and counts as used when the service says so."""
    require_role(actor, Role.LEARNER, Role.OPERATOR, Role.CONSULTANT)
    if actor.role == Role.LEARNER and booking.learner_id != actor.pk:
        raise PermissionDenied(_("본인의 예약만 취소할 수 있습니다."), code="wrong_owner")
    if actor.role == Role.CONSULTANT and booking.slot.consultant_id != actor.pk:
        raise PermissionDenied(_("본인 일정의 예약만 취소할 수 있습니다."), code="wrong_owner")
    reason = (reason or "").strip()
    if actor.role != Role.LEARNER and not reason:
        raise InvalidInput(_("취소 사유를 적어 주세요."), details={"field": "reason"})
    with transaction.atomic():
        booking = (
            ConsultingBooking.objects.select_for_update()
            .select_related("slot", "service")
            .get(pk=booking.pk)
        )
        if booking.status != ConsultingBooking.Status.BOOKED:
            raise Conflict(_("예약 상태에서만 취소할 수 있습니다."), code="not_booked")
        at = now()
        if at >= booking.slot.starts_at:
            raise Conflict(_("이미 시작된 상담은 취소할 수 없습니다."), code="already_started")
        deadline = booking.slot.starts_at - dt.timedelta(
            hours=booking.service.cancel_deadline_hours
        )
        # Only the learner's own late cancellation is late; the city cancelling is never the
        # learner's fault.
        late = actor.role == Role.LEARNER and at > deadline
        booking.status = (
            ConsultingBooking.Status.LATE_CANCELLED if late else ConsultingBooking.Status.CANCELLED
        )
        booking.cancelled_at = at
        booking.status_changed_by = actor
        booking.status_reason = reason[:300] or "cancelled by learner"
        booking.save()
    return booking


def _require_slot_consultant(actor: Any, booking: ConsultingBooking) -> None:
    require_role(actor, Role.CONSULTANT, Role.OPERATOR)
    if actor.role == Role.CONSULTANT and booking.slot.consultant_id != actor.pk:
        raise PermissionDenied(_("본인 일정의 상담만 기록할 수 있습니다."), code="wrong_owner")


def consulting_complete(
    *, booking: ConsultingBooking, actor: Any, note: str, summary: str
) -> ConsultingBooking:
    """The consultant records that the session took place, with notes and a shared summary."""
    _require_slot_consultant(actor, booking)
    if not summary.strip():
        raise InvalidInput(
            _("학습자에게 공유할 요약을 적어 주세요."), details={"field": "shared_summary"}
        )
    with transaction.atomic():
        booking = (
            ConsultingBooking.objects.select_for_update()
            .select_related("slot", "service", "learner")
            .get(pk=booking.pk)
        )
        if booking.status != ConsultingBooking.Status.BOOKED:
            raise Conflict(_("예약 상태에서만 완료할 수 있습니다."), code="not_booked")
        if booking.slot.starts_at > now():
            raise Conflict(_("아직 시작하지 않은 상담입니다."), code="not_started")
        booking.status = ConsultingBooking.Status.COMPLETED
        booking.completed_at = now()
        if actor.role == Role.CONSULTANT:
            booking.consultant_note = note.strip()
        booking.shared_summary = summary.strip()
        booking.status_changed_by = actor
        booking.status_reason = "held"
        booking.save()
        xapi.statement_record(
            learner=booking.learner,
            verb=xapi.VERB_ATTENDED,
            object_id=xapi.activity_id(xapi.KIND_CONSULTING, booking.public_id),
            name_ko=booking.service.name_ko,
            name_en=booking.service.name_en,
            activity_type=xapi.TYPE_CONSULTING_SESSION,
            timestamp=booking.slot.starts_at,
            duration_minutes=booking.service.duration_minutes,
            extensions={
                xapi.EXT_SESSION_KIND: SESSION_KIND.get(booking.service.code, "study-strategy"),
                xapi.EXT_MODE: booking.slot.mode,
            },
        )
    return booking


def consulting_no_show(*, booking: ConsultingBooking, actor: Any, reason: str) -> ConsultingBooking:
    _require_slot_consultant(actor, booking)
    with transaction.atomic():
        booking = (
            ConsultingBooking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
        )
        if booking.status != ConsultingBooking.Status.BOOKED:
            raise Conflict(_("예약 상태에서만 불참 처리할 수 있습니다."), code="not_booked")
        if booking.slot.starts_at > now():
            raise Conflict(_("아직 시작하지 않은 상담입니다."), code="not_started")
        booking.status = ConsultingBooking.Status.NO_SHOW
        booking.status_changed_by = actor
        booking.status_reason = (reason or "no show").strip()[:300]
        booking.save()
    return booking


def consulting_notes_update(
    *, booking: ConsultingBooking, actor: Any, note: str, summary: str
) -> ConsultingBooking:
    """Only the consultant who held the session writes its notes."""
    require_role(actor, Role.CONSULTANT)
    if booking.slot.consultant_id != actor.pk:
        raise PermissionDenied(_("본인이 진행한 상담만 기록할 수 있습니다."), code="wrong_owner")
    if booking.status not in (ConsultingBooking.Status.BOOKED, ConsultingBooking.Status.COMPLETED):
        raise Conflict(_("이 예약에는 기록을 남길 수 없습니다."), code="not_recordable")
    if len(note) > 10000 or len(summary) > 4000:
        raise InvalidInput(_("기록이 너무 깁니다."), details={"field": "consultant_note"})
    booking.consultant_note = note.strip()
    booking.shared_summary = summary.strip()
    booking.save(update_fields=["consultant_note", "shared_summary", "updated_at"])
    return booking


def consulting_survey_submit(
    *, booking: ConsultingBooking, learner: Any, rating: int, helpful: bool, comment: str
) -> ConsultingSurvey:
    require_role(learner, Role.LEARNER)
    if booking.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 상담에만 응답할 수 있습니다."), code="wrong_owner")
    if booking.status != ConsultingBooking.Status.COMPLETED:
        raise Conflict(_("완료된 상담에만 만족도를 남길 수 있습니다."), code="not_completed")
    _require_rating(rating)
    try:
        with transaction.atomic():
            return ConsultingSurvey.objects.create(
                booking=booking, rating=rating, helpful=helpful, comment=comment.strip()[:2000]
            )
    except IntegrityError as exc:
        raise Conflict(_("이미 응답했습니다."), code="already_answered") from exc


# --- career programme -------------------------------------------------------------------------


def cohort_save(*, cohort: CareerCohort, actor: Any) -> CareerCohort:
    require_role(actor, Role.OPERATOR)
    if cohort.track not in CareerCohort.Track.values:
        raise InvalidInput(_("유형을 확인해 주세요."), details={"field": "track"})
    if cohort.ends_on < cohort.starts_on:
        raise InvalidInput(_("종료일이 시작일보다 앞설 수 없습니다."), details={"field": "ends_on"})
    if cohort.applications_close_on < cohort.applications_open_on:
        raise InvalidInput(
            _("모집 마감이 모집 시작보다 앞설 수 없습니다."),
            details={"field": "applications_close_on"},
        )
    cohort.save()
    return cohort


def cohort_status_set(*, cohort: CareerCohort, status: str, actor: Any) -> CareerCohort:
    require_role(actor, Role.OPERATOR)
    allowed = {
        CareerCohort.Status.DRAFT: {CareerCohort.Status.RECRUITING},
        CareerCohort.Status.RECRUITING: {CareerCohort.Status.RUNNING, CareerCohort.Status.DRAFT},
        CareerCohort.Status.RUNNING: {CareerCohort.Status.FINISHED},
        CareerCohort.Status.FINISHED: set(),
    }
    if status not in allowed[CareerCohort.Status(cohort.status)]:
        raise Conflict(_("이 상태로 바꿀 수 없습니다."), code="bad_transition")
    cohort.status = status
    cohort.save(update_fields=["status", "updated_at"])
    return cohort


def cohort_apply(*, cohort: CareerCohort, learner: Any, motivation: str) -> CareerApplication:
    _require_member(learner)
    motivation = (motivation or "").strip()
    if len(motivation) < 10:
        raise InvalidInput(_("지원 동기를 10자 이상 적어 주세요."), details={"field": "motivation"})
    if len(motivation) > 3000:
        raise InvalidInput(
            _("지원 동기는 3,000자 이내로 적어 주세요."), details={"field": "motivation"}
        )
    today = now().astimezone(SEOUL).date()
    if cohort.status != CareerCohort.Status.RECRUITING or not (
        cohort.applications_open_on <= today <= cohort.applications_close_on
    ):
        raise RuleViolation(_("모집 기간이 아닙니다."), code="not_recruiting")
    try:
        with transaction.atomic():
            if (
                CareerApplication.objects.filter(cohort=cohort, learner=learner)
                .exclude(status=CareerApplication.Status.WITHDRAWN)
                .exists()
            ):
                raise Conflict(_("이미 신청했습니다."), code="already_applied")
            return CareerApplication.objects.create(
                cohort=cohort, learner=learner, motivation=motivation
            )
    except IntegrityError as exc:
        raise Conflict(_("이미 신청했습니다."), code="already_applied") from exc


def application_withdraw(*, application: CareerApplication, actor: Any) -> CareerApplication:
    require_role(actor, Role.LEARNER)
    if application.learner_id != actor.pk:
        raise PermissionDenied(_("본인의 신청만 취소할 수 있습니다."), code="wrong_owner")
    with transaction.atomic():
        application = CareerApplication.objects.select_for_update().get(pk=application.pk)
        if application.status not in (
            CareerApplication.Status.APPLIED,
            CareerApplication.Status.WAITLISTED,
            CareerApplication.Status.SELECTED,
        ):
            raise Conflict(_("취소할 수 없는 상태입니다."), code="bad_transition")
        application.status = CareerApplication.Status.WITHDRAWN
        application.decided_by = actor
        application.decided_at = now()
        application.decision_reason = "withdrawn by learner"
        application.save()
    return application


def application_decide(
    *, application: CareerApplication, decision: str, actor: Any, reason: str = ""
) -> CareerApplication:
    """Selection by an operator; selecting never goes over the cohort's capacity."""
    require_role(actor, Role.OPERATOR)
    choices = {
        CareerApplication.Status.SELECTED,
        CareerApplication.Status.WAITLISTED,
        CareerApplication.Status.REJECTED,
    }
    if decision not in choices:
        raise InvalidInput(_("결정을 확인해 주세요."), details={"field": "decision"})
    if decision == CareerApplication.Status.REJECTED and not reason.strip():
        raise InvalidInput(_("미선발 사유를 적어 주세요."), details={"field": "reason"})
    with transaction.atomic():
        cohort = CareerCohort.objects.select_for_update().get(pk=application.cohort_id)
        application = CareerApplication.objects.select_for_update().get(pk=application.pk)
        if application.status not in (
            CareerApplication.Status.APPLIED,
            CareerApplication.Status.WAITLISTED,
        ):
            raise Conflict(_("이미 결정된 신청입니다."), code="already_decided")
        if decision == CareerApplication.Status.SELECTED:
            selected = cohort.applications.filter(
                status__in=[CareerApplication.Status.SELECTED, CareerApplication.Status.COMPLETED]
            ).count()
            if selected >= cohort.capacity:
                raise RuleViolation(_("정원이 찼습니다."), code="cohort_full")
        application.status = decision
        application.decided_by = actor
        application.decided_at = now()
        application.decision_reason = reason.strip()[:300]
        application.save()
    return application


def team_create(*, cohort: CareerCohort, name: str, topic: str, actor: Any) -> ProjectTeam:
    require_role(actor, Role.OPERATOR)
    name = name.strip()
    if not name:
        raise InvalidInput(_("팀 이름을 적어 주세요."), details={"field": "name"})
    try:
        with transaction.atomic():
            return ProjectTeam.objects.create(cohort=cohort, name=name[:100], topic=topic[:200])
    except IntegrityError as exc:
        raise Conflict(_("같은 이름의 팀이 있습니다."), code="team_exists") from exc


def team_assign(
    *, application: CareerApplication, team: ProjectTeam | None, actor: Any
) -> CareerApplication:
    require_role(actor, Role.OPERATOR)
    if team is not None and team.cohort_id != application.cohort_id:
        raise InvalidInput(_("같은 기수의 팀만 고를 수 있습니다."), details={"field": "team"})
    if application.status != CareerApplication.Status.SELECTED:
        raise Conflict(_("선발된 참가자만 팀에 넣을 수 있습니다."), code="not_selected")
    application.team = team
    application.save(update_fields=["team", "updated_at"])
    return application


def visit_schedule(
    *,
    cohort: CareerCohort,
    company_name: str,
    visit_at: dt.datetime,
    duration_minutes: int,
    address: str,
    capacity: int,
    note: str,
    actor: Any,
) -> CompanyVisit:
    require_role(actor, Role.OPERATOR)
    if CareerStage.COMPANY_VISIT not in cohort.stages:
        raise RuleViolation(_("이 기수에는 기업 탐방 단계가 없습니다."), code="no_visit_stage")
    if not company_name.strip():
        raise InvalidInput(_("기업명을 적어 주세요."), details={"field": "company_name"})
    if capacity < 1:
        raise InvalidInput(_("정원은 1명 이상이어야 합니다."), details={"field": "capacity"})
    visit_day = visit_at.astimezone(SEOUL).date()
    if not cohort.starts_on <= visit_day <= cohort.ends_on:
        raise InvalidInput(_("방문일은 기수 기간 안이어야 합니다."), details={"field": "visit_at"})
    return CompanyVisit.objects.create(
        cohort=cohort,
        company_name=company_name.strip()[:100],
        visit_at=visit_at,
        duration_minutes=duration_minutes,
        address=address[:200],
        capacity=capacity,
        note=note,
    )


def presentation_schedule(
    *, team: ProjectTeam, at: dt.datetime, location: str, actor: Any
) -> ProjectTeam:
    require_role(actor, Role.OPERATOR)
    if CareerStage.PRESENTATION not in team.cohort.stages:
        raise RuleViolation(_("이 기수에는 발표 단계가 없습니다."), code="no_presentation_stage")
    team.presentation_at = at
    team.presentation_location = location[:200]
    team.save(update_fields=["presentation_at", "presentation_location", "updated_at"])
    return team


def presentation_feedback_save(*, team: ProjectTeam, feedback: str, actor: Any) -> ProjectTeam:
    require_role(actor, Role.OPERATOR)
    team.presentation_feedback = feedback.strip()
    team.save(update_fields=["presentation_feedback", "updated_at"])
    return team


def stage_complete(
    *, application: CareerApplication, stage: str, actor: Any, note: str = ""
) -> StageCompletion:
    """Record a completed stage; after the track's last stage the participant completes."""
    require_role(actor, Role.OPERATOR)
    with transaction.atomic():
        application = (
            CareerApplication.objects.select_for_update()
            .select_related("cohort", "learner")
            .get(pk=application.pk)
        )
        if application.status != CareerApplication.Status.SELECTED:
            raise Conflict(_("선발된 참가자만 단계를 이수할 수 있습니다."), code="not_selected")
        stages = application.cohort.stages
        if stage not in stages:
            raise InvalidInput(_("이 기수에 없는 단계입니다."), details={"field": "stage"})
        done = set(application.stage_completions.values_list("stage", flat=True))
        if stage in done:
            raise Conflict(_("이미 이수한 단계입니다."), code="stage_done")
        earlier = stages[: stages.index(stage)]
        if any(s not in done for s in earlier):
            raise RuleViolation(_("앞 단계를 먼저 마쳐야 합니다."), code="stage_order")
        completion = StageCompletion.objects.create(
            application=application,
            stage=stage,
            completed_at=now(),
            recorded_by=actor,
            note=note.strip()[:300],
        )
        label_ko = STAGE_LABELS_KO[stage]
        xapi.statement_record(
            learner=application.learner,
            verb=xapi.VERB_COMPLETED,
            object_id=xapi.activity_id(xapi.KIND_CAREER, application.cohort.public_id, stage),
            name_ko=f"{application.cohort.name} · {label_ko}",
            name_en=f"{application.cohort.name} · {STAGE_LABELS_EN[stage]}",
            activity_type=xapi.TYPE_CAREER_PROGRAMME,
            timestamp=completion.completed_at,
        )
        if done | {stage} >= set(stages):
            application.status = CareerApplication.Status.COMPLETED
            application.completed_at = completion.completed_at
            application.decision_reason = "all stages completed"
            application.save()
    return completion


# The profile's consulting session kinds, by our service codes (others count as study strategy).
SESSION_KIND = {
    "admissions-early": "admissions-early",
    "admissions-regular": "admissions-regular",
    "admissions-interview": "interview",
}

STAGE_LABELS_KO = {
    "exploration": "진로 탐색",
    "project": "문제 해결 프로젝트",
    "company_visit": "기업 탐방·참여형 인턴십",
    "presentation": "결과물 제작·발표",
}
STAGE_LABELS_EN = {
    "exploration": "Career exploration",
    "project": "Problem-solving project",
    "company_visit": "Company visit and internship",
    "presentation": "Final work and presentation",
}


def deliverable_upload(
    *, application: CareerApplication, actor: Any, stage: str, title: str, data: bytes
) -> Deliverable:
    """A participant uploads work: real type sniffed from the bytes, size limited, encrypted."""
    require_role(actor, Role.LEARNER)
    if application.learner_id != actor.pk:
        raise PermissionDenied(_("본인의 신청에만 올릴 수 있습니다."), code="wrong_owner")
    if application.status not in (
        CareerApplication.Status.SELECTED,
        CareerApplication.Status.COMPLETED,
    ):
        raise Conflict(_("선발된 참가자만 결과물을 올릴 수 있습니다."), code="not_selected")
    if stage not in application.cohort.stages:
        raise InvalidInput(_("이 기수에 없는 단계입니다."), details={"field": "stage"})
    title = title.strip()
    if not title:
        raise InvalidInput(_("제목을 적어 주세요."), details={"field": "title"})
    if not data:
        raise InvalidInput(_("빈 파일입니다."), details={"field": "file"})
    limit = settings.EVIDENCE_MAX_BYTES
    if len(data) > limit:
        raise InvalidInput(
            _("파일은 %(mb)sMB 이하여야 합니다.") % {"mb": limit // (1024 * 1024)},
            details={"field": "file"},
        )
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise InvalidInput(_("PDF, JPEG, PNG 파일만 올릴 수 있습니다."), details={"field": "file"})
    name = store_encrypted(data, folder="career")
    return Deliverable.objects.create(
        application=application,
        stage=stage,
        title=title[:200],
        file=name,
        content_type=content_type,
        size_bytes=len(data),
        uploaded_by=actor,
    )


# --- special lectures -------------------------------------------------------------------------


def lecture_save(*, lecture: SpecialLecture, actor: Any) -> SpecialLecture:
    require_role(actor, Role.OPERATOR)
    if not lecture.checkin_code or len(lecture.checkin_code) < 4:
        raise InvalidInput(
            _("출석 코드는 4자 이상이어야 합니다."), details={"field": "checkin_code"}
        )
    lecture.checkin_code = lecture.checkin_code.strip().upper()
    try:
        with transaction.atomic():
            lecture.save()
    except IntegrityError as exc:
        raise Conflict(_("같은 회차의 특강이 있습니다."), code="lecture_sequence") from exc
    return lecture


def lecture_register(*, lecture: SpecialLecture, learner: Any) -> LectureRegistration:
    _require_member(learner)
    end = lecture.starts_at + dt.timedelta(minutes=lecture.duration_minutes)
    if now() >= end:
        raise RuleViolation(_("이미 끝난 특강입니다."), code="lecture_over")
    with transaction.atomic():
        locked = SpecialLecture.objects.select_for_update().get(pk=lecture.pk)
        registration = LectureRegistration.objects.filter(lecture=locked, learner=learner).first()
        if registration and registration.status == LectureRegistration.Status.REGISTERED:
            raise Conflict(_("이미 신청했습니다."), code="already_registered")
        if locked.capacity is not None:
            taken = locked.registrations.filter(
                status=LectureRegistration.Status.REGISTERED
            ).count()
            if taken >= locked.capacity:
                raise RuleViolation(_("신청 인원이 다 찼습니다."), code="lecture_full")
        if registration is None:
            return LectureRegistration.objects.create(lecture=locked, learner=learner)
        registration.status = LectureRegistration.Status.REGISTERED
        registration.reminded_at = None
        registration.save(update_fields=["status", "reminded_at", "updated_at"])
        return registration


def lecture_unregister(*, registration: LectureRegistration, actor: Any) -> LectureRegistration:
    require_role(actor, Role.LEARNER)
    if registration.learner_id != actor.pk:
        raise PermissionDenied(_("본인의 신청만 취소할 수 있습니다."), code="wrong_owner")
    if registration.status != LectureRegistration.Status.REGISTERED:
        raise Conflict(_("신청 상태가 아닙니다."), code="not_registered")
    if registration.attended_at is not None:
        raise Conflict(_("이미 출석한 특강입니다."), code="already_attended")
    registration.status = LectureRegistration.Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    return registration


def _mark_attended(registration: LectureRegistration, *, at: dt.datetime, source: str) -> None:
    registration.attended_at = at
    registration.attendance_source = source
    registration.save(update_fields=["attended_at", "attendance_source", "updated_at"])
    lecture = registration.lecture
    if source == LectureRegistration.Source.XAPI:
        return  # the streaming platform's own statement is already in the record store
    xapi.statement_record(
        learner=registration.learner,
        verb=xapi.VERB_ATTENDED,
        object_id=xapi.lecture_activity_id(lecture.public_id),
        name_ko=lecture.title,
        name_en=lecture.title,
        activity_type=xapi.TYPE_SPECIAL_LECTURE,
        timestamp=at,
        duration_minutes=lecture.duration_minutes,
        extensions={xapi.EXT_MODE: "online"},
    )


def lecture_check_in(*, lecture: SpecialLecture, learner: Any, code: str) -> LectureRegistration:
    """Attendance with the code announced during the live lecture."""
    require_role(learner, Role.LEARNER)
    code = (code or "").strip().upper()
    if not code:
        raise InvalidInput(_("출석 코드를 입력해 주세요."), details={"field": "code"})
    at = now()
    opens = lecture.starts_at - dt.timedelta(minutes=CHECKIN_EARLY_MINUTES)
    closes = lecture.starts_at + dt.timedelta(
        minutes=lecture.duration_minutes + CHECKIN_LATE_MINUTES
    )
    if not opens <= at <= closes:
        raise RuleViolation(_("지금은 출석할 수 있는 시간이 아닙니다."), code="checkin_closed")
    with transaction.atomic():
        registration = (
            LectureRegistration.objects.select_for_update()
            .select_related("lecture", "learner")
            .filter(lecture=lecture, learner=learner)
            .first()
        )
        if registration is None or registration.status != LectureRegistration.Status.REGISTERED:
            raise RuleViolation(_("신청한 특강만 출석할 수 있습니다."), code="not_registered")
        if registration.attended_at is not None:
            return registration
        if registration.checkin_attempts >= CHECKIN_MAX_ATTEMPTS:
            raise RuleViolation(
                _("출석 코드를 너무 많이 틀렸습니다. 운영자에게 문의해 주세요."),
                code="checkin_locked",
            )
        if not hmac.compare_digest(code.encode(), lecture.checkin_code.upper().encode()):
            registration.checkin_attempts += 1
            registration.save(update_fields=["checkin_attempts", "updated_at"])
            # The block commits before the error is raised, so the failed attempt counts.
            wrong = True
        else:
            wrong = False
            _mark_attended(registration, at=at, source=LectureRegistration.Source.CODE)
    if wrong:
        raise InvalidInput(_("출석 코드가 맞지 않습니다."), details={"field": "code"})
    return registration


def lecture_attendance_record(
    *, lecture: SpecialLecture, learner: Any, at: dt.datetime, source: str, actor: Any | None
) -> LectureRegistration:
    """Attendance from an xAPI statement of the streaming platform or an operator's check."""
    if source == LectureRegistration.Source.OPERATOR:
        require_role(actor, Role.OPERATOR)
    elif source != LectureRegistration.Source.XAPI:
        raise InvalidInput(_("출석 방식을 확인해 주세요."), details={"field": "source"})
    with transaction.atomic():
        registration = (
            LectureRegistration.objects.select_for_update()
            .select_related("lecture", "learner")
            .filter(lecture=lecture, learner=learner, status=LectureRegistration.Status.REGISTERED)
            .first()
        )
        if registration is None:
            raise RuleViolation(_("신청한 특강만 출석할 수 있습니다."), code="not_registered")
        if registration.attended_at is None:
            _mark_attended(registration, at=at, source=source)
    return registration


def lecture_attendance_from_statements(events: list[Any]) -> int:
    """Consumer of the record store: an ``attended`` statement about a lecture's activity IRI
    (sent by the streaming or metaverse platform) marks the member's registration attended.

    Idempotent: a registration already marked attended is left as it is."""
    prefix = xapi.activity_id(xapi.KIND_LECTURE, "")
    marked = 0
    for event in events:
        if event.voided or event.user_id is None or event.verb_id != xapi.VERB_ATTENDED[0]:
            continue
        activity = event.activity_id or ""
        if not activity.startswith(prefix):
            continue
        try:
            lecture_uuid = uuid.UUID(activity[len(prefix) :].strip("/"))
        except ValueError:
            continue
        lecture = SpecialLecture.objects.filter(public_id=lecture_uuid).first()
        learner = User.objects.filter(pk=event.user_id).first()
        if lecture is None or learner is None:
            continue
        already = LectureRegistration.objects.filter(
            lecture=lecture, learner=learner, attended_at__isnull=False
        ).exists()
        try:
            lecture_attendance_record(
                lecture=lecture,
                learner=learner,
                at=event.timestamp,
                source=LectureRegistration.Source.XAPI,
                actor=None,
            )
        except RuleViolation:
            continue  # attended without registering: nothing to mark
        marked += int(not already)
    return marked


def lecture_survey_submit(
    *, registration: LectureRegistration, learner: Any, rating: int, comment: str
) -> LectureSurvey:
    require_role(learner, Role.LEARNER)
    if registration.learner_id != learner.pk:
        raise PermissionDenied(_("본인의 신청에만 응답할 수 있습니다."), code="wrong_owner")
    if registration.attended_at is None:
        raise Conflict(_("출석한 특강에만 만족도를 남길 수 있습니다."), code="not_attended")
    _require_rating(rating)
    try:
        with transaction.atomic():
            return LectureSurvey.objects.create(
                registration=registration, rating=rating, comment=comment.strip()[:2000]
            )
    except IntegrityError as exc:
        raise Conflict(_("이미 응답했습니다."), code="already_answered") from exc


# --- membership ends ---------------------------------------------------------------------------


def membership_ended_release(*, learner: Any, reason: str) -> dict[str, int]:
    """When a membership expires or is revoked, give back what the learner held in the city's
    programmes: future consulting bookings (cancelled, never counted late), future lecture
    registrations, and career applications not yet decided or selected."""
    at = now()
    bookings = 0
    for booking in ConsultingBooking.objects.filter(
        learner=learner, status=ConsultingBooking.Status.BOOKED, slot__starts_at__gt=at
    ):
        booking.status = ConsultingBooking.Status.CANCELLED
        booking.cancelled_at = at
        booking.status_changed_by = None
        booking.status_reason = f"membership ended: {reason}"[:300]
        booking.save()  # kept in the booking's history
        bookings += 1
    lectures = LectureRegistration.objects.filter(
        learner=learner,
        status=LectureRegistration.Status.REGISTERED,
        attended_at__isnull=True,
        lecture__starts_at__gt=at,
    ).update(status=LectureRegistration.Status.CANCELLED, updated_at=at)
    applications = 0
    for application in CareerApplication.objects.filter(
        learner=learner,
        status__in=[
            CareerApplication.Status.APPLIED,
            CareerApplication.Status.WAITLISTED,
            CareerApplication.Status.SELECTED,
        ],
    ):
        application.status = CareerApplication.Status.WITHDRAWN
        application.decided_at = at
        application.decision_reason = f"membership ended: {reason}"[:300]
        application.save()
        applications += 1
    return {"bookings": bookings, "lectures": lectures, "applications": applications}
