from __future__ import annotations

import datetime as dt
import re
import zlib
from typing import Any

import pytest
from django.core import signing

from seoullearn.accounts.tests.factories import MentorFactory, OperatorFactory
from seoullearn.activities import services as activity_services
from seoullearn.activities.models import ConsultantSlot
from seoullearn.activities.tests.factories import (
    BookingFactory,
    LectureFactory,
    ServiceFactory,
    SlotFactory,
    member,
)
from seoullearn.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from seoullearn.core.models import AccessLog
from seoullearn.core.timeutil import SEOUL, now, today
from seoullearn.learning import selectors, services
from seoullearn.learning.models import LearningPlan, PlanItem, PortfolioEntry, PortfolioShare
from seoullearn.learning.planner import week_start_of
from seoullearn.learning.tests.factories import AVAILABILITY, learner_with_profile

pytestmark = pytest.mark.django_db


def test_profile_validation_names_each_field():
    learner = member()
    with pytest.raises(InvalidInput) as exc:
        services.profile_save(
            learner=learner,
            purposes=[],
            subjects=["alchemy"],
            learning_style="telepathy",
            session_minutes=5,
            availability={"mon": 800, "tue": -1, "xyz": 3},
        )
    fields = exc.value.details["fields"]
    assert {
        "purposes",
        "subjects",
        "learning_style",
        "session_minutes",
        "minutes_mon",
        "minutes_tue",
        "availability",
    } <= set(fields)
    with pytest.raises(PermissionDenied):
        services.profile_save(
            learner=OperatorFactory(), purposes=["ged"], subjects=[], availability={}
        )


def test_goal_validation():
    learner = member()
    with pytest.raises(InvalidInput):
        services.goal_create(
            learner=learner,
            title="",
            purpose="nope",
            subject="math",
            metric="active_days",
            target_value=9,
            due_on=today() - dt.timedelta(days=1),
        )
    goal = services.goal_create(
        learner=learner,
        title="일주일에 4일 공부",
        purpose="school_grades",
        subject="math",
        metric="active_days",
        target_value=4,
        due_on=None,
    )
    with pytest.raises(PermissionDenied):
        services.goal_status_set(goal=goal, learner=member(), status="achieved")


def test_generate_plan_includes_bookings_and_stays_within_time():
    learner = learner_with_profile()
    week = week_start_of(today())
    # a consulting booking and a lecture this week become fixed items
    slot: Any = SlotFactory()
    target = dt.datetime.combine(week + dt.timedelta(days=6), dt.time(15), tzinfo=dt.UTC)
    ConsultantSlot.objects.filter(pk=slot.pk).update(
        starts_at=target, ends_at=target + dt.timedelta(minutes=50)
    )
    slot.refresh_from_db()
    service = ServiceFactory()
    if slot.starts_at > now():
        activity_services.consulting_book(learner=learner, slot=slot, service=service)
    plan = services.plan_generate(learner=learner)
    items = list(plan.items.all())
    assert plan.pace == "start"
    for i in range(7):
        day = week + dt.timedelta(days=i)
        study = sum(it.minutes for it in items if it.day == day and not it.fixed)
        fixed = sum(it.minutes for it in items if it.day == day and it.fixed)
        assert study <= max(0, list(AVAILABILITY.values())[i] - fixed)
    assert all(item.reasons for item in items)
    # a suggestion for the eligible consulting service with remaining quota
    assert any(s["kind"] == "consulting" for s in plan.suggestions)


def test_generate_needs_a_profile():
    with pytest.raises(Conflict):
        services.plan_generate(learner=member())


def test_replanning_keeps_done_and_edited_items():
    learner = learner_with_profile()
    week = week_start_of(today())
    plan = services.plan_generate(learner=learner, week_start=week + dt.timedelta(weeks=1))
    item = plan.items.filter(fixed=False).first()
    services.plan_item_update(
        item=item, learner=learner, day=item.day, minutes=15, subject="math", title="오답 노트"
    )
    plan = services.plan_generate(learner=learner, week_start=week + dt.timedelta(weeks=1))
    assert plan.items.filter(pk=item.pk, title="오답 노트").exists()
    assert LearningPlan.objects.filter(learner=learner).count() == 1


def test_item_edits_never_exceed_the_day():
    learner = learner_with_profile()
    plan = services.plan_generate(
        learner=learner, week_start=week_start_of(today()) + dt.timedelta(weeks=1)
    )
    friday = plan.week_start + dt.timedelta(days=4)  # 30 minutes free
    with pytest.raises(InvalidInput):
        services.plan_item_add(
            plan=plan, learner=learner, day=friday, minutes=45, subject="", title="독서"
        )
    with pytest.raises(InvalidInput):
        services.plan_item_add(
            plan=plan,
            learner=learner,
            day=plan.week_start + dt.timedelta(days=8),
            minutes=10,
            subject="",
            title="범위 밖",
        )
    sunday = plan.week_start + dt.timedelta(days=6)  # no time on Sundays
    with pytest.raises(InvalidInput):
        services.plan_item_add(
            plan=plan, learner=learner, day=sunday, minutes=10, subject="", title="x"
        )
    with pytest.raises(PermissionDenied):
        services.plan_item_add(
            plan=plan, learner=member(), day=friday, minutes=5, subject="", title="x"
        )


def test_done_is_for_today_or_earlier_and_counts_as_self_reported_time():
    learner = learner_with_profile()
    plan = services.plan_generate(learner=learner)
    todays = plan.items.filter(day=today(), fixed=False).first()
    future = plan.items.filter(day__gt=today(), fixed=False).first()
    if future is not None:
        with pytest.raises(Conflict):
            services.plan_item_done(item=future, learner=learner, done=True)
    if todays is not None:
        services.plan_item_done(item=todays, learner=learner, done=True)
        records = selectors.activity_records(learner, today(), today())
        assert sum(r.minutes for r in records) == todays.minutes


def test_falling_behind_makes_next_week_lighter():
    learner = learner_with_profile()
    this_week = week_start_of(today())
    last_week = this_week - dt.timedelta(weeks=1)
    last = LearningPlan.objects.create(
        learner=learner,
        week_start=last_week,
        pace="start",
        load_percent=80,
        generated_at=now(),
    )
    PlanItem.objects.create(
        plan=last, day=last_week, minutes=300, kind="study", subject="math", reasons=[]
    )
    plan = services.plan_generate(learner=learner, week_start=this_week + dt.timedelta(weeks=0))
    assert plan.pace == "behind"
    assert plan.reasons[0]["code"] == "pace_behind"


def test_mentor_comments_need_the_mentor_relation():
    learner = learner_with_profile()
    plan = services.plan_generate(learner=learner)
    stranger = MentorFactory()
    with pytest.raises(PermissionDenied):
        services.plan_comment_add(plan=plan, author=stranger, body="화이팅")
    with pytest.raises(PermissionDenied):
        selectors.plan_for_viewer(stranger, plan.public_id)
    with pytest.raises(PermissionDenied):
        selectors.plan_for_viewer(member(), plan.public_id)
    comment = services.plan_comment_add(plan=plan, author=learner, body="이번 주는 수학 위주로")
    assert comment.plan == plan
    with pytest.raises(InvalidInput):
        services.plan_comment_add(plan=plan, author=learner, body=" ")


def _completed_consulting(learner):
    booking = BookingFactory(learner=learner, service=ServiceFactory())
    ConsultantSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=now() - dt.timedelta(hours=2), ends_at=now() - dt.timedelta(hours=1)
    )
    booking.refresh_from_db()
    return activity_services.consulting_complete(
        booking=booking, actor=booking.slot.consultant, note="비공개", summary="매일 20분 복습"
    )


def test_portfolio_sync_is_idempotent_and_keeps_choices():
    learner = member()
    _completed_consulting(learner)
    lecture = LectureFactory(starts_at=now() - dt.timedelta(minutes=5))
    activity_services.lecture_register(lecture=lecture, learner=learner)
    activity_services.lecture_check_in(lecture=lecture, learner=learner, code=lecture.checkin_code)
    assert services.portfolio_sync(learner=learner) == 2
    entry = PortfolioEntry.objects.get(learner=learner, kind="consulting")
    assert entry.detail == "매일 20분 복습"  # the shared summary, never the private note
    services.portfolio_entry_update(entry=entry, learner=learner, included=True, reflection="배움")
    assert services.portfolio_sync(learner=learner) == 0
    entry.refresh_from_db()
    assert entry.included and entry.reflection == "배움"
    with pytest.raises(PermissionDenied):
        services.portfolio_entry_update(
            entry=entry, learner=member(), included=False, reflection=""
        )


def test_certificates_need_operator_verification_before_inclusion():
    learner = member()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    entry = services.certificate_add(
        learner=learner,
        title="컴퓨터활용능력 2급",
        issuer="대한상공회의소",
        occurred_on=today(),
        data=png,
    )
    assert entry.verification == "pending"
    with pytest.raises(Conflict):
        services.portfolio_entry_update(entry=entry, learner=learner, included=True, reflection="")
    with pytest.raises(InvalidInput):
        services.certificate_add(
            learner=learner, title="x", issuer="y", occurred_on=today(), data=b"GIF89a"
        )
    with pytest.raises(PermissionDenied):
        services.certificate_verify(entry=entry, actor=learner, approve=True, note="")
    operator = OperatorFactory()
    with pytest.raises(InvalidInput):
        services.certificate_verify(entry=entry, actor=operator, approve=False, note="")
    services.certificate_verify(entry=entry, actor=operator, approve=True, note="원본 확인")
    services.portfolio_entry_update(entry=entry, learner=learner, included=True, reflection="")


def test_share_link_signed_expiring_revocable_and_logged(rf):
    learner = member()
    _completed_consulting(learner)
    with pytest.raises(Conflict):
        services.share_create(learner=learner, recipient="서울고", days=7)
    services.portfolio_sync(learner=learner)
    entry = PortfolioEntry.objects.get(learner=learner)
    services.portfolio_entry_update(entry=entry, learner=learner, included=True, reflection="")
    with pytest.raises(InvalidInput):
        services.share_create(learner=learner, recipient="서울고", days=365)
    share, token = services.share_create(learner=learner, recipient="서울고", days=7)
    opened = services.share_open(token=token, request=rf.get("/"))
    assert opened.open_count == 1
    log = AccessLog.objects.filter(subject=learner, actor__isnull=True).first()
    assert log is not None and log.actor_label == "share:서울고"
    with pytest.raises(NotFound):
        services.share_open(token=token[:-2] + "xx", request=None)
    forged = signing.dumps({"s": str(share.public_id)}, salt="another-salt")
    with pytest.raises(NotFound):
        services.share_open(token=forged, request=None)
    PortfolioShare.objects.filter(pk=share.pk).update(expires_at=now() - dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied) as exc:
        services.share_open(token=token, request=None)
    assert exc.value.code == "share_expired"
    share2, token2 = services.share_create(learner=learner, recipient="기업", days=1)
    with pytest.raises(PermissionDenied):
        services.share_revoke(share=share2, learner=member())
    services.share_revoke(share=share2, learner=learner)
    with pytest.raises(PermissionDenied) as exc:
        services.share_open(token=token2, request=None)
    assert exc.value.code == "share_revoked"


def _pdf_chunks(pdf: bytes) -> list[bytes]:
    """The PDF's raw bytes plus every compressed stream, inflated."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return chunks


def test_portfolio_pdf_embeds_a_korean_font():
    learner = member()
    _completed_consulting(learner)
    services.portfolio_sync(learner=learner)
    entry = PortfolioEntry.objects.get(learner=learner)
    services.portfolio_entry_update(
        entry=entry, learner=learner, included=True, reflection="공부 습관을 만들었다"
    )
    pdf = services.portfolio_pdf(learner=learner, request=None, actor=learner)
    assert pdf.startswith(b"%PDF")
    assert any(b"NotoSansCJK" in chunk for chunk in _pdf_chunks(pdf))
    assert AccessLog.objects.filter(subject=learner, action="download").exists()


@pytest.mark.django_db(transaction=True)
def test_reminders_once_a_day_and_weekly_plans(run_tasks, mailoutbox, settings):
    from seoullearn.learning import tasks

    settings.PLAN_REMINDER_HOUR = 0
    learner = learner_with_profile()
    former = learner_with_profile()
    former.memberships.update(status="expired")
    assert services.plans_generate_weekly() == 1
    assert services.plans_generate_weekly() == 0
    plan = selectors.current_plan(learner)
    assert plan is not None and plan.generated_by == "schedule"
    has_today = plan.items.filter(day=today()).exists()
    tasks.send_plan_reminders.enqueue()
    tasks.send_plan_reminders.enqueue()
    run_tasks()
    assert len(mailoutbox) == (1 if has_today else 0)


def test_reminders_wait_until_after_school(mailoutbox):
    learner = learner_with_profile()
    services.plan_generate(learner=learner, as_of=week_start_of(today()))
    if not PlanItem.objects.filter(plan__learner=learner, day=today()).exists():
        PlanItem.objects.create(
            plan=learner.learning_plans.get(), day=today(), minutes=10, kind="own", reasons=[]
        )
    morning = dt.datetime.combine(today(), dt.time(9), tzinfo=SEOUL)
    assert services.plan_reminders_send(at=morning) == 0
    afternoon = dt.datetime.combine(today(), dt.time(16), tzinfo=SEOUL)
    assert services.plan_reminders_send(at=afternoon) == 1
    assert services.plan_reminders_send(at=afternoon + dt.timedelta(hours=1)) == 0
    assert "할 수 있는 만큼" in mailoutbox[0].body
