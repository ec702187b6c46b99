"""Selections, seats, waiting lists, budget and reclamation through the real services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from seoullearn.catalog.selectors import policy_row
from seoullearn.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from seoullearn.core.models import OutboundMessage
from seoullearn.core.timeutil import now, today
from seoullearn.eligibility.models import Membership
from seoullearn.eligibility.signals import membership_ended
from seoullearn.enrollment import selectors, services
from seoullearn.enrollment.models import BudgetEntry, Seat, Selection
from seoullearn.enrollment.tests.factories import member, month_count, operator, world

pytestmark = pytest.mark.django_db


def test_select_takes_a_seat_and_commits_the_remaining_months() -> None:
    w = world(price=10_000)
    learner = member(w.programme)
    selection = services.selection_select(actor=learner, offering=w.offerings["mbest"])
    assert selection.status == Selection.Status.PENDING
    seat = Seat.objects.get(selection=selection)
    assert seat.status == Seat.Status.PROVISIONING
    months = month_count(today().replace(day=1), w.programme.ends_on)
    commit = BudgetEntry.objects.get(seat=seat, kind=BudgetEntry.Kind.COMMIT)
    assert commit.amount_krw == 10_000 * months


def test_three_selections_then_the_fourth_is_refused_with_the_rule() -> None:
    w = world()
    learner = member(w.programme, level="high")
    for code in ("mega", "eduwill", "welaaa"):
        services.selection_select(actor=learner, offering=w.offerings[code])
    with pytest.raises(RuleViolation) as info:
        services.selection_select(actor=learner, offering=w.offerings["mbest"])
    assert info.value.code == "max_total"
    assert "최대 3개" in info.value.details["message_ko"]
    assert "at most 3" in info.value.details["message_en"]


def test_school_level_and_non_members_are_refused() -> None:
    w = world()
    learner = member(w.programme, level="middle")
    with pytest.raises(RuleViolation) as info:
        services.selection_select(actor=learner, offering=w.offerings["mega"])
    assert info.value.code == "school_level"
    Membership.objects.filter(user=learner).update(status=Membership.Status.EXPIRED)
    with pytest.raises(RuleViolation) as info:
        services.selection_select(actor=learner, offering=w.offerings["mbest"])
    assert info.value.code == "not_member"


def test_wrong_role_cannot_select() -> None:
    w = world()
    with pytest.raises(PermissionDenied):
        services.selection_select(actor=operator(), offering=w.offerings["mbest"])


def test_full_contract_puts_members_on_a_waiting_list_served_in_order() -> None:
    w = world(capacity=1)
    first, second, third = (member(w.programme) for _ in range(3))
    s1 = services.selection_select(actor=first, offering=w.offerings["mbest"])
    s2 = services.selection_select(actor=second, offering=w.offerings["mbest"])
    s3 = services.selection_select(actor=third, offering=w.offerings["mbest"])
    assert [s.status for s in (s1, s2, s3)] == ["pending", "waiting", "waiting"]
    assert selectors.my_sites(third, w.programme)[0]["position"] == 2
    services.selection_cancel(actor=first, selection=s1)
    s2.refresh_from_db()
    s3.refresh_from_db()
    assert s2.status == Selection.Status.PENDING
    assert s3.status == Selection.Status.WAITING
    assert Seat.objects.filter(contract=w.contracts["mbest"], status="provisioning").count() == 1


def test_cancel_releases_future_months_of_the_commitment() -> None:
    w = world(price=10_000)
    learner = member(w.programme)
    selection = services.selection_select(actor=learner, offering=w.offerings["welaaa"])
    seat = Seat.objects.get(selection=selection)
    services.selection_cancel(actor=learner, selection=selection)
    seat.refresh_from_db()
    assert seat.status == Seat.Status.RELEASED and seat.release_reason == "cancelled"
    net = services.committed_krw(w.programme)
    assert net == 10_000  # only the current month stays committed


def test_someone_else_cannot_cancel_or_switch_my_selection() -> None:
    w = world()
    owner, other = member(w.programme), member(w.programme)
    selection = services.selection_select(actor=owner, offering=w.offerings["mbest"])
    with pytest.raises(NotFound):
        services.selection_cancel(actor=other, selection=selection)
    with pytest.raises(NotFound):
        services.selection_switch(actor=other, selection=selection, offering=w.offerings["soobakc"])


def test_switch_respects_cooldown_and_moves_the_seat() -> None:
    w = world()
    learner = member(w.programme)
    start = today() - dt.timedelta(days=20)
    old = services.selection_select(actor=learner, offering=w.offerings["mbest"], on=start)
    with pytest.raises(RuleViolation) as info:
        services.selection_switch(
            actor=learner, selection=old, offering=w.offerings["soobakc"], on=start
        )
    assert info.value.code == "cooldown"
    new = services.selection_switch(actor=learner, selection=old, offering=w.offerings["soobakc"])
    old.refresh_from_db()
    assert old.status == Selection.Status.ENDED and old.end_reason == "switched"
    assert new.replaces_id == old.pk and new.status == Selection.Status.PENDING
    assert Seat.objects.get(selection=old).status == Seat.Status.RELEASED
    # A second switch within the period is over the quota.
    with pytest.raises(RuleViolation) as info:
        services.selection_switch(
            actor=learner,
            selection=new,
            offering=w.offerings["mbest"],
            on=today() + dt.timedelta(days=15),
        )
    assert {v["rule"] for v in info.value.details["violations"]} >= {"switch_quota"}


def test_switch_to_a_full_offering_keeps_the_current_seat() -> None:
    w = world()
    w.contracts["soobakc"].seat_capacity = 0
    w.contracts["soobakc"].save()
    learner = member(w.programme)
    old = services.selection_select(
        actor=learner, offering=w.offerings["mbest"], on=today() - dt.timedelta(days=30)
    )
    with pytest.raises(Conflict) as info:
        services.selection_switch(actor=learner, selection=old, offering=w.offerings["soobakc"])
    assert info.value.code == "target_full"
    old.refresh_from_db()
    assert old.status == Selection.Status.PENDING


def test_budget_hard_stop_names_the_remaining_amount() -> None:
    w = world(price=1_000_000, budget=1_000_000)
    learner, other = member(w.programme), member(w.programme)
    months = month_count(today().replace(day=1), w.programme.ends_on)
    if months > 1:
        with pytest.raises(RuleViolation) as info:
            services.selection_select(actor=learner, offering=w.offerings["mbest"])
        assert info.value.code == "budget_exhausted"
        assert "예산" in str(info.value.message)
        assert not Selection.objects.filter(user=learner).exists()
    else:  # December: one month fits exactly, the next seat does not
        services.selection_select(actor=learner, offering=w.offerings["mbest"])
        with pytest.raises(RuleViolation):
            services.selection_select(actor=other, offering=w.offerings["mbest"])


def test_membership_end_releases_every_seat_and_serves_the_waiting_list() -> None:
    w = world(capacity=1)
    leaving, waiting = member(w.programme), member(w.programme)
    services.selection_select(actor=leaving, offering=w.offerings["mbest"])
    queued = services.selection_select(actor=waiting, offering=w.offerings["mbest"])
    assert queued.status == Selection.Status.WAITING
    membership = Membership.objects.get(user=leaving)
    membership.status = Membership.Status.REVOKED
    membership.save()
    from django.db import transaction

    with transaction.atomic():
        membership_ended.send(sender=Membership, membership=membership, reason="revoked")
    assert not Selection.objects.filter(user=leaving, status__in=Selection.HELD).exists()
    queued.refresh_from_db()
    assert queued.status == Selection.Status.PENDING


def _activate(seat: Seat, *, at: dt.datetime) -> None:
    Seat.objects.filter(pk=seat.pk).update(
        status=Seat.Status.ACTIVE,
        external_account_id="acc_x",
        account_state="open",
        provisioned_at=at,
        last_activity_at=at,
    )
    Selection.objects.filter(pk=seat.selection_id).update(status=Selection.Status.ACTIVE)


def test_idle_seat_gets_a_notice_then_is_released_after_grace() -> None:
    w = world(capacity=1)
    idle, waiting = member(w.programme), member(w.programme)
    selection = services.selection_select(actor=idle, offering=w.offerings["mbest"])
    queued = services.selection_select(actor=waiting, offering=w.offerings["mbest"])
    seat = Seat.objects.get(selection=selection)
    rules = policy_row(w.programme)
    _activate(seat, at=now() - dt.timedelta(days=rules.idle_days + 1))
    assert services.idle_seats_sweep() == {"noticed": 1, "released": 0}
    assert OutboundMessage.objects.filter(purpose="enrollment.idle_notice").count() == 1
    assert services.idle_seats_sweep() == {"noticed": 0, "released": 0}
    later = now() + dt.timedelta(days=rules.idle_grace_days + 1)
    assert services.idle_seats_sweep(at=later) == {"noticed": 0, "released": 1}
    seat.refresh_from_db()
    assert seat.status == Seat.Status.RELEASED and seat.release_reason == "idle"
    queued.refresh_from_db()
    assert queued.status == Selection.Status.PENDING


def test_activity_after_the_notice_keeps_the_seat() -> None:
    w = world()
    learner = member(w.programme)
    selection = services.selection_select(actor=learner, offering=w.offerings["mbest"])
    seat = Seat.objects.get(selection=selection)
    _activate(seat, at=now() - dt.timedelta(days=60))
    services.idle_seats_sweep()
    result = services.usage_report_ingest(
        provider=seat.contract.provider,
        rows=[
            {
                "date": today().isoformat(),
                "learner_id": str(learner.pseudonym),
                "minutes": 30,
                "lessons_completed": 1,
            }
        ],
        source="json",
    )
    assert result.report.rows_ok == 1
    seat.refresh_from_db()
    assert seat.idle_notice_at is None
    later = now() + dt.timedelta(days=10)
    assert services.idle_seats_sweep(at=later)["released"] == 0


def test_a_daily_report_for_the_notice_day_withdraws_a_notice_sent_late_that_day() -> None:
    # given an idle notice sent at 23:30 (Seoul) yesterday
    w = world()
    learner = member(w.programme)
    selection = services.selection_select(actor=learner, offering=w.offerings["mbest"])
    seat = Seat.objects.get(selection=selection)
    _activate(seat, at=now() - dt.timedelta(days=60))
    yesterday = today() - dt.timedelta(days=1)
    late = dt.datetime.combine(yesterday, dt.time(23, 30), tzinfo=ZoneInfo("Asia/Seoul"))
    services.idle_seats_sweep(at=late)
    seat.refresh_from_db()
    assert seat.idle_notice_at == late
    # when the provider reports study time for that day
    services.usage_report_ingest(
        provider=seat.contract.provider,
        rows=[
            {
                "date": yesterday.isoformat(),
                "learner_id": str(learner.pseudonym),
                "minutes": 20,
                "lessons_completed": 0,
            }
        ],
        source="json",
    )
    # then the notice is withdrawn: the day's study may have come after the notice
    seat.refresh_from_db()
    assert seat.idle_notice_at is None


def test_usage_report_row_by_row_and_idempotent() -> None:
    w = world()
    learner = member(w.programme)
    other_provider_learner = member(w.programme)
    services.selection_select(actor=learner, offering=w.offerings["mbest"])
    services.selection_select(actor=other_provider_learner, offering=w.offerings["soobakc"])
    day = (today() - dt.timedelta(days=1)).isoformat()
    rows = [
        {"date": day, "learner_id": str(learner.pseudonym), "minutes": 40, "lessons_completed": 2},
        {
            "date": "2026-13-40",
            "learner_id": str(learner.pseudonym),
            "minutes": 1,
            "lessons_completed": 0,
        },
        {
            "date": day,
            "learner_id": str(other_provider_learner.pseudonym),
            "minutes": 5,
            "lessons_completed": 0,
        },
        {"date": day, "learner_id": str(learner.pseudonym), "minutes": -3, "lessons_completed": 0},
        {"date": day, "learner_id": "not-a-uuid"},
    ]
    provider = w.contracts["mbest"].provider
    first = services.usage_report_ingest(provider=provider, rows=rows, source="json")
    assert first.report.rows_ok == 1
    assert [e["line"] for e in first.errors] == [2, 3, 4, 5]
    assert "YYYY-MM-DD" in first.errors[0]["reason"]
    again = services.usage_report_ingest(provider=provider, rows=rows, source="json")
    assert again.duplicate and again.report.pk == first.report.pk
    from seoullearn.enrollment.models import UsageRecord, UsageReport

    assert UsageRecord.objects.count() == 1 and UsageReport.objects.count() == 1


def test_csv_rows_and_header_check() -> None:
    rows, errors, first = services.usage_csv_rows(
        "\ufeffdate,learner_id,minutes,lessons_completed\n2026-01-01,x,1,0\n".encode()
    )
    assert rows[0]["learner_id"] == "x" and first == 2 and errors == []
    from seoullearn.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.usage_csv_rows(b"day,who\n1,2\n")


def test_spend_accrues_once_per_seat_and_month() -> None:
    w = world(price=10_000)
    learner = member(w.programme)
    services.selection_select(actor=learner, offering=w.offerings["mbest"])
    assert services.spend_accrue(month=today()) == 1
    assert services.spend_accrue(month=today()) == 0
    figures = selectors.budget(w.programme)
    assert figures["spent"] == 10_000
    assert figures["remaining"] == figures["total"] - figures["committed"]


def test_contract_capacity_cannot_drop_below_use_and_growth_serves_waiting() -> None:
    from seoullearn.core.errors import InvalidInput

    w = world(capacity=1)
    op = operator()
    a, b = member(w.programme), member(w.programme)
    services.selection_select(actor=a, offering=w.offerings["mbest"])
    queued = services.selection_select(actor=b, offering=w.offerings["mbest"])
    with pytest.raises(InvalidInput):
        services.contract_save(actor=op, data={"seat_capacity": 0}, contract=w.contracts["mbest"])
    services.contract_save(actor=op, data={"seat_capacity": 2}, contract=w.contracts["mbest"])
    queued.refresh_from_db()
    assert queued.status == Selection.Status.PENDING
