"""Writes of the marketplace: selections, seats, waiting lists, budget, provisioning, usage, SSO.

Lock order (always the same, so concurrent requests never deadlock): the member's membership
row, then the programme's content budget line, then contracts by id, then seats.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import random
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from seoullearn.accounts.models import User
from seoullearn.catalog import policy
from seoullearn.catalog import selectors as catalog_selectors
from seoullearn.catalog.models import Offering, Provider
from seoullearn.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import message_send
from seoullearn.core.timeutil import SEOUL, now, today
from seoullearn.eligibility.models import Membership
from seoullearn.eligibility.selectors import active_membership
from seoullearn.enrollment import sso
from seoullearn.enrollment.connectors import ConnectorError
from seoullearn.enrollment.models import (
    BudgetEntry,
    Contract,
    ProviderEndpoint,
    Seat,
    Selection,
    SsoLaunch,
    UsageEvent,
    UsageRecord,
    UsageReport,
)
from seoullearn.enrollment.registry import connector_for
from seoullearn.programmes.models import BudgetLine, Programme
from seoullearn.programmes.selectors import current_programme

logger = logging.getLogger(__name__)


# --- helpers ---------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_inclusive(start: dt.date, end: dt.date) -> int:
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _refuse(decision: policy.Decision) -> RuleViolation:
    first = decision.first
    assert first is not None
    return RuleViolation(
        first.message(get_language()),
        code=first.rule,
        details={
            "rule": first.rule,
            "message_ko": first.message_ko,
            "message_en": first.message_en,
            "violations": [
                {"rule": v.rule, "message_ko": v.message_ko, "message_en": v.message_en}
                for v in decision.violations
            ],
        },
    )


def _school_level(user: User) -> str | None:
    profile = getattr(user, "learner_profile", None)
    return (profile.school_level or None) if profile is not None else None


def member_state(user: User, programme: Programme) -> policy.MemberState:
    """The member's held selections and past changes, as the policy module sees them."""
    rows = list(
        Selection.objects.filter(user=user, programme=programme)
        .select_related("offering__track", "offering__provider", "replaces__offering__track")
        .order_by("created_at", "id")
    )
    return state_from_selections(_school_level(user), rows)


def state_from_selections(level: str | None, rows: list[Selection]) -> policy.MemberState:
    """The policy's view of one member's selections (oldest first), without queries when each
    row's offering (and replaced offering) comes with its track and provider. Used by
    :func:`member_state` and by bulk writers that keep the rows in memory."""
    held = tuple(
        policy.Held(catalog_selectors.offering_info(s.offering), s.selected_on)
        for s in rows
        if s.is_held
    )
    history: list[policy.Event] = []
    for s in rows:
        info = catalog_selectors.offering_info(s.offering)
        if s.counts_as_switch:
            left = catalog_selectors.offering_info(s.replaces.offering) if s.replaces else None
            history.append(policy.Event(policy.Action.SWITCH, s.selected_on, info, left=left))
        else:
            history.append(policy.Event(policy.Action.SELECT, s.selected_on, info))
        if s.end_reason == Selection.EndReason.CANCELLED and s.ended_at is not None:
            ended_on = s.ended_on or s.ended_at.astimezone(SEOUL).date()
            history.append(policy.Event(policy.Action.CANCEL, ended_on, info))
    history.sort(key=lambda e: e.on)
    return policy.MemberState(level=level, held=held, history=tuple(history))


def _membership_for(actor: Any) -> Membership:
    require_role(actor, Role.LEARNER)
    programme = current_programme()
    membership = active_membership(actor, programme)
    if membership is None or not membership.is_current:
        raise RuleViolation(
            _("서울런 회원만 과정을 선택할 수 있습니다."),
            code="not_member",
            details={"rule": "not_member"},
        )
    return membership


def _lock_membership(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().get(pk=membership.pk)


def _contract_for(programme: Programme, offering: Offering, on: dt.date) -> Contract:
    contract = Contract.objects.filter(programme=programme, provider=offering.provider_id).first()
    if contract is None or not contract.starts_on <= on <= contract.ends_on:
        raise RuleViolation(
            _("이 업체와의 계약이 없거나 계약 기간이 아닙니다."),
            code="no_contract",
            details={"rule": "no_contract"},
        )
    return contract


def _lock_budget_line(programme: Programme) -> BudgetLine:
    line = (
        BudgetLine.objects.select_for_update()
        .filter(programme=programme, kind=BudgetLine.Kind.CONTENT)
        .first()
    )
    if line is None:
        raise RuleViolation(
            _("콘텐츠 예산이 편성되지 않았습니다."), code="no_budget", details={"rule": "no_budget"}
        )
    return line


def committed_krw(programme: Programme, provider: Provider | None = None) -> int:
    qs = BudgetEntry.objects.filter(
        programme=programme, kind__in=[BudgetEntry.Kind.COMMIT, BudgetEntry.Kind.RELEASE]
    )
    if provider is not None:
        qs = qs.filter(provider=provider)
    return int(qs.aggregate(total=Sum("amount_krw"))["total"] or 0)


def occupied_seats(contract: Contract) -> int:
    return Seat.objects.filter(contract=contract, status__in=Seat.OCCUPYING).count()


def seat_commitment_krw(contract: Contract, start_on: dt.date) -> int:
    return contract.price_per_seat_month_krw * months_inclusive(
        month_start(start_on), contract.ends_on
    )


def _enqueue_provision(seat: Seat, *, delay_seconds: float = 0) -> None:
    from seoullearn.enrollment.tasks import provision_seat

    task = provision_seat
    if delay_seconds > 0:
        task = task.using(run_after=now() + dt.timedelta(seconds=delay_seconds))
    task.enqueue(seat_id=seat.pk)


def _enqueue_close(seat: Seat, *, delay_seconds: float = 0) -> None:
    from seoullearn.enrollment.tasks import close_seat_account

    task = close_seat_account
    if delay_seconds > 0:
        task = task.using(run_after=now() + dt.timedelta(seconds=delay_seconds))
    task.enqueue(seat_id=seat.pk)


def _take_seat(selection: Selection, line: BudgetLine, on: dt.date) -> Seat | None:
    """Give the selection a seat if its (locked) contract has one and the budget allows it.

    The caller holds the budget-line and contract locks. None when the contract is full.
    """
    contract = Contract.objects.select_for_update().get(pk=selection.contract_id)
    if occupied_seats(contract) >= contract.seat_capacity:
        return None
    amount = seat_commitment_krw(contract, on)
    committed = committed_krw(contract.programme)
    if committed + amount > line.amount_krw:
        raise RuleViolation(
            _(
                "콘텐츠 예산이 모두 약정되어 좌석을 더 배정할 수 없습니다 "
                "(남은 예산 %(left)s원, 필요 %(need)s원). 운영자에게 문의해 주세요."
            )
            % {"left": f"{line.amount_krw - committed:,}", "need": f"{amount:,}"},
            code="budget_exhausted",
            details={
                "rule": "budget_exhausted",
                "remaining_krw": line.amount_krw - committed,
                "needed_krw": amount,
            },
        )
    seat = Seat.objects.create(
        contract=contract,
        selection=selection,
        user_id=selection.user_id,
        status=Seat.Status.PROVISIONING,
        started_on=on,
    )
    BudgetEntry.objects.create(
        programme_id=contract.programme_id,
        provider_id=contract.provider_id,
        contract=contract,
        seat=seat,
        kind=BudgetEntry.Kind.COMMIT,
        amount_krw=amount,
        note=f"{months_inclusive(month_start(on), contract.ends_on)} months",
    )
    selection.status = Selection.Status.PENDING
    selection.waiting_since = None
    selection.save(update_fields=["status", "waiting_since", "updated_at"])
    _enqueue_provision(seat)
    return seat


def _release_seat(seat: Seat, *, reason: str, on: dt.date) -> None:
    """Free the seat, give back the commitment of the months after this one, close the account."""
    if seat.status == Seat.Status.RELEASED:
        return
    contract = seat.contract
    # The start month through the release month stay committed (and are spent); the months
    # after it are given back.
    next_month = (month_start(on) + dt.timedelta(days=32)).replace(day=1)
    future_months = months_inclusive(next_month, contract.ends_on)
    if future_months > 0:
        BudgetEntry.objects.get_or_create(
            seat=seat,
            kind=BudgetEntry.Kind.RELEASE,
            defaults={
                "programme_id": contract.programme_id,
                "provider_id": contract.provider_id,
                "contract": contract,
                "amount_krw": -contract.price_per_seat_month_krw * future_months,
                "note": f"{future_months} months released ({reason})",
            },
        )
    had_account = bool(seat.external_account_id)
    seat.status = Seat.Status.RELEASED
    seat.released_at = now()
    seat.release_reason = reason
    if had_account:
        seat.account_state = Seat.AccountState.CLOSING
    seat.save(
        update_fields=["status", "released_at", "release_reason", "account_state", "updated_at"]
    )
    if had_account:
        _enqueue_close(seat)


def _end_selection(selection: Selection, *, reason: str, by: Any, on: dt.date) -> Contract | None:
    """End a held selection and release its seat. Returns the contract whose waiting list
    may now be served (None if no seat was freed)."""
    freed = None
    seat = Seat.objects.select_for_update().filter(selection=selection).first()
    if seat is not None and seat.status != Seat.Status.RELEASED:
        _release_seat(seat, reason=reason, on=on)
        freed = seat.contract
    selection.status = Selection.Status.ENDED
    selection.end_reason = reason
    selection.ended_at = now()
    selection.ended_on = on
    selection.ended_by = by if getattr(by, "is_authenticated", False) else None
    selection.save(
        update_fields=["status", "end_reason", "ended_at", "ended_on", "ended_by", "updated_at"]
    )
    return freed


def waiting_list_serve(*, contract: Contract, on: dt.date | None = None) -> int:
    """Give free seats to waiting members in the order they joined the list."""
    on = on or today()
    served = 0
    with transaction.atomic():
        line = _lock_budget_line(contract.programme)
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        while occupied_seats(locked) < locked.seat_capacity:
            nxt = (
                Selection.objects.select_for_update()
                .filter(contract=locked, status=Selection.Status.WAITING)
                .order_by("waiting_since", "id")
                .first()
            )
            if nxt is None:
                break
            try:
                seat = _take_seat(nxt, line, on)
            except RuleViolation:
                logger.warning("waiting list of %s stopped: content budget exhausted", locked)
                break
            if seat is None:
                break
            served += 1
    return served


# --- member actions --------------------------------------------------------------------------
def selection_select(*, actor: Any, offering: Offering, on: dt.date | None = None) -> Selection:
    """Select an offering: a seat when the contract has one, else a place on the waiting list."""
    on = on or today()
    membership = _membership_for(actor)
    programme = membership.programme
    with transaction.atomic():
        _lock_membership(membership)
        state = member_state(actor, programme)
        decision = policy.evaluate(
            catalog_selectors.policy_config(programme),
            state,
            policy.Action.SELECT,
            on=on,
            offering=catalog_selectors.offering_info(offering),
        )
        if not decision.allowed:
            raise _refuse(decision)
        contract = _contract_for(programme, offering, on)
        line = _lock_budget_line(programme)
        selection = Selection.objects.create(
            user=actor,
            membership=membership,
            programme=programme,
            offering=offering,
            contract=contract,
            status=Selection.Status.WAITING,
            counts_as_switch=decision.counts_as_switch,
            selected_on=on,
            waiting_since=now(),
        )
        _take_seat(selection, line, on)
        selection.refresh_from_db()
    logger.info(
        "selection %s: %s took %s (%s)", selection.public_id, actor, offering, selection.status
    )
    return selection


def _own_selection(actor: Any, selection: Selection) -> None:
    if selection.user_id != getattr(actor, "pk", None):
        raise NotFound(_("선택 내역을 찾을 수 없습니다."))


def selection_switch(
    *, actor: Any, selection: Selection, offering: Offering, on: dt.date | None = None
) -> Selection:
    """Replace a held selection by another offering in one step (the old seat is released)."""
    on = on or today()
    membership = _membership_for(actor)
    _own_selection(actor, selection)
    programme = membership.programme
    with transaction.atomic():
        _lock_membership(membership)
        current = Selection.objects.select_for_update().get(pk=selection.pk)
        if not current.is_held:
            raise Conflict(_("이미 종료된 선택입니다."), code="not_held")
        decision = policy.evaluate(
            catalog_selectors.policy_config(programme),
            member_state(actor, programme),
            policy.Action.SWITCH,
            on=on,
            offering=catalog_selectors.offering_info(offering),
            leave=catalog_selectors.offering_info(current.offering),
        )
        if not decision.allowed:
            raise _refuse(decision)
        contract = _contract_for(programme, offering, on)
        line = _lock_budget_line(programme)
        for locked in (
            Contract.objects.select_for_update()
            .filter(pk__in=[contract.pk, current.contract_id])
            .order_by("pk")
        ):
            if locked.pk == contract.pk and occupied_seats(locked) >= locked.seat_capacity:
                same = locked.pk == current.contract_id and hasattr(current, "seat")
                if not same:
                    raise Conflict(
                        _(
                            "바꾸려는 과정의 좌석이 모두 찼습니다. 지금 과정을 그대로 "
                            "이용하면서 나중에 다시 시도해 주세요."
                        ),
                        code="target_full",
                        details={"rule": "target_full"},
                    )
        freed = _end_selection(current, reason=Selection.EndReason.SWITCHED, by=actor, on=on)
        new = Selection.objects.create(
            user=actor,
            membership=membership,
            programme=programme,
            offering=offering,
            contract=contract,
            status=Selection.Status.WAITING,
            replaces=current,
            counts_as_switch=True,
            selected_on=on,
            waiting_since=now(),
        )
        _take_seat(new, line, on)
        new.refresh_from_db()
    if freed is not None and freed.pk != contract.pk:
        waiting_list_serve(contract=freed, on=on)
    return new


def selection_cancel(*, actor: Any, selection: Selection, on: dt.date | None = None) -> Selection:
    """The member gives up a selection; a freed seat goes to the next one waiting."""
    on = on or today()
    require_role(actor, Role.LEARNER)
    _own_selection(actor, selection)
    with transaction.atomic():
        current = Selection.objects.select_for_update().get(pk=selection.pk)
        if not current.is_held:
            raise Conflict(_("이미 종료된 선택입니다."), code="not_held")
        freed = _end_selection(current, reason=Selection.EndReason.CANCELLED, by=actor, on=on)
    if freed is not None:
        waiting_list_serve(contract=freed, on=on)
    current.refresh_from_db()
    return current


def selections_end_for_membership(*, membership: Membership, reason: str = "") -> int:
    """Release everything a membership held (on expiry or revocation)."""
    ended = 0
    freed: set[int] = set()
    with transaction.atomic():
        for selection in Selection.objects.select_for_update().filter(
            membership=membership, status__in=Selection.HELD
        ):
            contract = _end_selection(
                selection, reason=Selection.EndReason.MEMBERSHIP_ENDED, by=None, on=today()
            )
            if contract is not None:
                freed.add(contract.pk)
            ended += 1
        # Inside the caller's transaction (the signal is sent in the membership change's), so
        # the freed seats and the waiting members' new seats commit together.
        for contract in Contract.objects.filter(pk__in=freed):
            waiting_list_serve(contract=contract)
    return ended


def seat_release_by_operator(*, actor: Any, seat: Seat, reason: str) -> None:
    require_role(actor, Role.OPERATOR)
    if not reason.strip():
        raise InvalidInput(_("회수 사유를 적어 주세요."))
    with transaction.atomic():
        selection = Selection.objects.select_for_update().get(pk=seat.selection_id)
        if not selection.is_held:
            raise Conflict(_("이미 종료된 선택입니다."), code="not_held")
        freed = _end_selection(selection, reason=Selection.EndReason.OPERATOR, by=actor, on=today())
    logger.info("seat %s released by %s: %s", seat.public_id, actor, reason)
    if freed is not None:
        waiting_list_serve(contract=freed)


# --- provisioning ----------------------------------------------------------------------------
def backoff_seconds(attempt: int) -> float:
    base = settings.PROVISIONING_RETRY_BASE_SECONDS
    delay = min(base * (2 ** max(0, attempt - 1)), settings.PROVISIONING_RETRY_MAX_SECONDS)
    return float(delay) * (1 + random.random() * 0.1)


def seat_provision(*, seat_id: int) -> str:
    """Create the seat's account at the provider (idempotent: the seat's key is sent along, and a
    seat that already has an account is left alone). Retries with backoff on transient errors."""
    seat = Seat.objects.select_related(
        "contract__provider", "selection__offering__track", "user"
    ).get(pk=seat_id)
    if seat.status != Seat.Status.PROVISIONING or seat.external_account_id:
        return "nothing to do"
    try:
        connector = connector_for(seat.contract.provider)
        account = connector.create_account(
            idempotency_key=str(seat.idempotency_key),
            learner_id=str(seat.user.pseudonym),
            offering_code=f"{seat.contract.provider.code}:{seat.selection.offering.track.code}",
        )
    except ConnectorError as exc:
        return _provision_failed(seat_id, exc)
    with transaction.atomic():
        seat = Seat.objects.select_for_update().get(pk=seat_id)
        if seat.external_account_id:
            return "already provisioned"
        seat.external_account_id = account.account_id
        seat.attempts += 1
        seat.last_error = ""
        seat.next_attempt_at = None
        if seat.status == Seat.Status.RELEASED:
            # Released while the call was in flight: close the account we just got.
            seat.account_state = Seat.AccountState.CLOSING
            seat.save()
            _enqueue_close(seat)
            return "released meanwhile; closing"
        seat.status = Seat.Status.ACTIVE
        seat.account_state = Seat.AccountState.OPEN
        seat.provisioned_at = now()
        seat.save()
        Selection.objects.filter(pk=seat.selection_id, status=Selection.Status.PENDING).update(
            status=Selection.Status.ACTIVE, updated_at=now()
        )
    return "provisioned"


def _provision_failed(seat_id: int, exc: ConnectorError) -> str:
    with transaction.atomic():
        seat = Seat.objects.select_for_update().get(pk=seat_id)
        if seat.status != Seat.Status.PROVISIONING:
            return "no longer provisioning"
        seat.attempts += 1
        seat.last_error = str(exc)[:300]
        if exc.transient and seat.attempts < settings.PROVISIONING_MAX_ATTEMPTS:
            delay = backoff_seconds(seat.attempts)
            seat.next_attempt_at = now() + dt.timedelta(seconds=delay)
            seat.save()
            _enqueue_provision(seat, delay_seconds=delay)
            logger.warning(
                "provisioning seat %s failed (%s); retry in %.0fs", seat.public_id, exc, delay
            )
            return "retry scheduled"
        seat.status = Seat.Status.FAILED
        seat.next_attempt_at = None
        seat.save()
        logger.error("provisioning seat %s failed for good: %s", seat.public_id, exc)
        return "failed"


def seat_retry_provisioning(*, actor: Any, seat: Seat) -> None:
    require_role(actor, Role.OPERATOR)
    with transaction.atomic():
        locked = Seat.objects.select_for_update().get(pk=seat.pk)
        if locked.status != Seat.Status.FAILED:
            raise Conflict(_("계정 생성이 실패한 좌석만 다시 시도할 수 있습니다."))
        locked.status = Seat.Status.PROVISIONING
        locked.attempts = 0
        locked.save()
        _enqueue_provision(locked)


def seat_close_account(*, seat_id: int) -> str:
    seat = Seat.objects.select_related("contract__provider").get(pk=seat_id)
    if seat.account_state != Seat.AccountState.CLOSING or not seat.external_account_id:
        return "nothing to do"
    try:
        connector_for(seat.contract.provider).close(account_id=seat.external_account_id)
    except ConnectorError as exc:
        with transaction.atomic():
            locked = Seat.objects.select_for_update().get(pk=seat_id)
            locked.attempts += 1
            locked.last_error = str(exc)[:300]
            locked.save(update_fields=["attempts", "last_error", "updated_at"])
        if exc.transient:
            _enqueue_close(seat, delay_seconds=backoff_seconds(min(seat.attempts + 1, 12)))
            return "retry scheduled"
        return "failed"
    Seat.objects.filter(pk=seat_id).update(account_state=Seat.AccountState.CLOSED, updated_at=now())
    return "closed"


# --- single sign-on --------------------------------------------------------------------------
@dataclass
class Launch:
    url: str
    id_token: str
    expires_at: dt.datetime


def sso_launch_create(*, actor: Any, seat: Seat) -> Launch:
    """A signed, single-use launch for the member's own active seat."""
    require_role(actor, Role.LEARNER)
    if seat.user_id != actor.pk:
        raise NotFound(_("좌석을 찾을 수 없습니다."))
    if seat.status != Seat.Status.ACTIVE or not seat.external_account_id:
        raise Conflict(
            _("아직 학습 사이트 계정이 준비되지 않았습니다. 잠시 뒤 다시 시도해 주세요."),
            code="seat_not_ready",
        )
    provider = seat.contract.provider
    nonce = secrets.token_urlsafe(24)
    jti = uuid.uuid4().hex
    token, kid, expires = sso.make_id_token(
        subject=str(actor.pseudonym),
        audience=provider.code,
        nonce=nonce,
        jti=jti,
        claims={
            "sl_account_id": seat.external_account_id,
            "sl_offering": seat.selection.offering.track.code,
            "locale": get_language() or "ko",
        },
    )
    with transaction.atomic():
        SsoLaunch.objects.create(
            seat=seat, user=actor, nonce=nonce, jti=jti, kid=kid, expires_at=expires
        )
        _mark_activity(seat, now())
    target = connector_for(provider).sso_launch()
    return Launch(url=target.url, id_token=token, expires_at=expires)


def _mark_activity(seat: Seat, at: dt.datetime) -> None:
    """Learning activity seen: remember it and withdraw an idle notice given before it."""
    updates: dict[str, Any] = {}
    if seat.last_activity_at is None or at > seat.last_activity_at:
        updates["last_activity_at"] = at
        seat.last_activity_at = at
    if seat.idle_notice_at is not None and at >= seat.idle_notice_at:
        updates["idle_notice_at"] = None
        seat.idle_notice_at = None
    if updates:
        Seat.objects.filter(pk=seat.pk).update(**updates, updated_at=now())


def _usage_day_seen_at(day: dt.date) -> dt.datetime:
    """When a daily usage row counts as activity: the end of that day in Seoul (never later than
    now). A daily report says only that the learner studied some time that day, so a row for the
    day an idle notice went out withdraws the notice whatever the hour the notice was sent."""
    end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SEOUL)
    return min(end_of_day, now())


# --- usage reports ---------------------------------------------------------------------------
USAGE_COLUMNS = ("date", "learner_id", "minutes", "lessons_completed")


@dataclass
class IngestResult:
    report: UsageReport
    duplicate: bool
    errors: list[dict[str, Any]] = field(default_factory=list)


def _seat_for(provider: Provider, learner_id: str) -> Seat | None:
    try:
        pseudonym = uuid.UUID(learner_id)
    except ValueError:
        return None
    return (
        Seat.objects.filter(contract__provider=provider, user__pseudonym=pseudonym)
        .order_by("-created_at")
        .first()
    )


def _int_field(value: Any, name: str, maximum: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValueError(_("%(name)s은(는) 정수여야 합니다.") % {"name": name}) from exc
    if not 0 <= number <= maximum:
        raise ValueError(
            _("%(name)s은(는) 0~%(max)s 사이여야 합니다.") % {"name": name, "max": maximum}
        )
    return number


def _validate_row(provider: Provider, row: Any) -> tuple[Seat, dt.date, int, int]:
    if not isinstance(row, dict):
        raise ValueError(_("행이 객체가 아닙니다."))
    missing = [c for c in USAGE_COLUMNS if str(row.get(c, "")).strip() == ""]
    if missing:
        raise ValueError(_("빠진 값: %(cols)s") % {"cols": ", ".join(missing)})
    try:
        day = dt.date.fromisoformat(str(row["date"]).strip())
    except ValueError as exc:
        raise ValueError(_("날짜는 YYYY-MM-DD 형식이어야 합니다.")) from exc
    if day > today():
        raise ValueError(_("미래 날짜는 보고할 수 없습니다."))
    if day < today() - dt.timedelta(days=400):
        raise ValueError(_("400일보다 오래된 날짜는 보고할 수 없습니다."))
    minutes = _int_field(row["minutes"], "minutes", 1440)
    lessons = _int_field(row["lessons_completed"], "lessons_completed", 1000)
    seat = _seat_for(provider, str(row["learner_id"]).strip())
    if seat is None:
        raise ValueError(_("이 업체에 좌석이 없는 학습자입니다."))
    return seat, day, minutes, lessons


def usage_report_ingest(
    *,
    provider: Provider,
    rows: list[Any],
    source: str,
    actor: Any = None,
    client_label: str = "",
    line_offset: int = 1,
    parse_errors: list[dict[str, Any]] | None = None,
) -> IngestResult:
    """Store a daily usage report row by row. Bad rows are reported with their line number and
    reason; good rows are kept. The same report sent again changes nothing."""
    canonical = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    existing = UsageReport.objects.filter(provider=provider, content_hash=digest).first()
    if existing is not None:
        return IngestResult(existing, True, list(existing.errors))
    errors: list[dict[str, Any]] = list(parse_errors or [])
    ok = 0
    try:
        with transaction.atomic():
            report = UsageReport.objects.create(
                provider=provider,
                source=source,
                content_hash=digest,
                submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
                client_label=client_label[:100],
            )
            for index, row in enumerate(rows):
                line = index + line_offset
                try:
                    seat, day, minutes, lessons = _validate_row(provider, row)
                except ValueError as exc:
                    errors.append({"line": line, "reason": str(exc)})
                    continue
                UsageRecord.objects.update_or_create(
                    seat=seat,
                    day=day,
                    defaults={
                        "provider": provider,
                        "minutes": minutes,
                        "lessons_completed": lessons,
                        "report": report,
                    },
                )
                if minutes > 0 or lessons > 0:
                    _mark_activity(seat, _usage_day_seen_at(day))
                ok += 1
            report.rows_total = len(rows) + len(parse_errors or [])
            report.rows_ok = ok
            report.errors = sorted(errors, key=lambda e: e["line"])
            report.save()
    except IntegrityError:  # the same report arrived concurrently
        existing = UsageReport.objects.get(provider=provider, content_hash=digest)
        return IngestResult(existing, True, list(existing.errors))
    return IngestResult(report, False, report.errors)


def usage_csv_rows(data: bytes) -> tuple[list[dict[str, str]], list[dict[str, Any]], int]:
    """Parse an uploaded CSV into row dicts; returns (rows, header errors, first data line)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("CSV는 UTF-8로 저장해 주세요.")) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in USAGE_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            _("CSV 머리행에 다음 열이 있어야 합니다: %(cols)s")
            % {"cols": ", ".join(USAGE_COLUMNS)},
            details={"missing": missing},
        )
    rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    return rows, [], 2


def usage_events_record(*, provider: Provider, events: list[Any]) -> dict[str, int]:
    """Learning events pushed by a provider; an event id seen before is ignored."""
    accepted = duplicates = rejected = 0
    for event in events:
        if not isinstance(event, dict):
            rejected += 1
            continue
        try:
            event_id = str(event["event_id"])[:100]
            occurred = dt.datetime.fromisoformat(str(event["occurred_at"]))
            if occurred.tzinfo is None:
                raise ValueError("naive time")
            minutes = int(event.get("minutes", 0))
        except (KeyError, TypeError, ValueError):
            rejected += 1
            continue
        seat = _seat_for(provider, str(event.get("learner_id", "")))
        if seat is None or not event_id:
            rejected += 1
            continue
        try:
            with transaction.atomic():
                UsageEvent.objects.create(
                    provider=provider,
                    seat=seat,
                    event_id=event_id,
                    kind=str(event.get("kind", "activity"))[:40],
                    occurred_at=occurred,
                    minutes=max(0, minutes),
                )
        except IntegrityError:
            duplicates += 1
            continue
        _mark_activity(seat, min(occurred, now()))
        accepted += 1
    return {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}


def usage_pull(*, provider: Provider, day: dt.date) -> IngestResult | None:
    """Fetch a provider's usage for a day and store it like a report (idempotent)."""
    try:
        rows = connector_for(provider).pull_usage(day=day)
    except ConnectorError as exc:
        logger.warning("usage pull from %s failed: %s", provider.code, exc)
        return None
    payload = [
        {
            "date": r.day.isoformat(),
            "learner_id": r.learner_id,
            "minutes": r.minutes,
            "lessons_completed": r.lessons_completed,
        }
        for r in rows
    ]
    return usage_report_ingest(
        provider=provider, rows=payload, source=UsageReport.Source.PULL, client_label="pull"
    )


# --- idle seats ------------------------------------------------------------------------------
def _xapi_last_activity(user: User, since: dt.datetime | None) -> dt.datetime | None:
    """Latest xAPI statement of the learner (``lrs.selectors.learner_activity_summary``), when
    the learning record store is installed; None otherwise."""
    import importlib

    try:
        lrs_selectors = importlib.import_module("seoullearn.lrs.selectors")
    except ModuleNotFoundError:
        return None
    summary = getattr(lrs_selectors, "learner_activity_summary", None)
    if summary is None:
        return None
    try:
        value = summary(user, since=since).get("last_activity_at")
    except Exception:  # the record store must never break reclamation
        logger.exception("lrs.selectors.learner_activity_summary failed")
        return None
    return value if isinstance(value, dt.datetime) else None


def idle_seats_sweep(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Notice seats without learning activity for N days; release them after the grace period."""
    at = at or now()
    noticed = released = 0
    for programme in Programme.objects.filter(is_active=True):
        rules = catalog_selectors.policy_row(programme)
        idle_cutoff = at - dt.timedelta(days=rules.idle_days)
        grace_cutoff = at - dt.timedelta(days=rules.idle_grace_days)
        seats = Seat.objects.select_related(
            "user", "contract__provider", "selection__offering"
        ).filter(contract__programme=programme, status=Seat.Status.ACTIVE)
        for seat in seats:
            xapi = _xapi_last_activity(seat.user, seat.last_activity_at or idle_cutoff)
            if xapi is not None:
                _mark_activity(seat, xapi)
            last = seat.last_activity_at or seat.provisioned_at or seat.created_at
            if last >= idle_cutoff:
                continue
            if seat.idle_notice_at is None:
                Seat.objects.filter(pk=seat.pk).update(idle_notice_at=at, updated_at=now())
                _send_idle_notice(seat, release_on=(at + dt.timedelta(days=rules.idle_grace_days)))
                noticed += 1
            elif seat.idle_notice_at <= grace_cutoff:
                with transaction.atomic():
                    selection = Selection.objects.select_for_update().get(pk=seat.selection_id)
                    if not selection.is_held:
                        continue
                    freed = _end_selection(
                        selection,
                        reason=Selection.EndReason.IDLE,
                        by=None,
                        on=at.astimezone(SEOUL).date(),
                    )
                released += 1
                if freed is not None:
                    waiting_list_serve(contract=freed)
    return {"noticed": noticed, "released": released}


def _send_idle_notice(seat: Seat, *, release_on: dt.datetime) -> None:
    channel = next(
        (c for c in ("sms_sandbox", "console", "email") if c in settings.NOTIFICATION_CHANNELS),
        None,
    )
    if channel is None:
        return
    recipient = seat.user.email if channel == "email" else (seat.user.phone or seat.user.username)
    message_send(
        channel=channel,
        recipient=recipient or seat.user.username,
        subject=_("[서울런] 학습 사이트를 이용하지 않아 좌석이 회수될 예정입니다"),
        body=_(
            "%(offering)s 과정을 한동안 이용하지 않았습니다. %(date)s까지 학습하지 않으면 좌석이 "
            "다른 학습자에게 돌아갑니다. '나의 학습 사이트'에서 지금 학습하기를 눌러 주세요."
        )
        % {
            "offering": seat.selection.offering.title_ko,
            "date": release_on.astimezone(SEOUL).date().isoformat(),
        },
        purpose="enrollment.idle_notice",
    )


# --- spend -----------------------------------------------------------------------------------
SPEND_BATCH = 2000


def spend_accrue(*, month: dt.date) -> int:
    """Record the spend of every seat held during ``month`` (once per seat and month)."""
    first = month_start(month)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    seats = (
        Seat.objects.select_related("contract")
        .filter(started_on__lte=last, contract__ends_on__gte=first)
        .filter(Q(released_at__isnull=True) | Q(released_at__date__gte=first))
        .exclude(status=Seat.Status.FAILED)
        .exclude(status=Seat.Status.RELEASED, provisioned_at__isnull=True)
    )
    # Set-based (one query for what exists, bulk inserts for the rest): tens of thousands of
    # seats accrue every month. The unique constraint still keeps one row per seat and month
    # when two runs overlap; the rows that lose are ignored.
    spent = BudgetEntry.objects.filter(kind=BudgetEntry.Kind.SPEND, month=first)
    with transaction.atomic():
        before = spent.count()
        done = set(spent.values_list("seat_id", flat=True))
        missing = [
            BudgetEntry(
                programme_id=seat.contract.programme_id,
                provider_id=seat.contract.provider_id,
                contract=seat.contract,
                seat=seat,
                kind=BudgetEntry.Kind.SPEND,
                month=first,
                amount_krw=seat.contract.price_per_seat_month_krw,
            )
            for seat in seats.order_by("id")
            if seat.pk not in done
        ]
        BudgetEntry.objects.bulk_create(missing, batch_size=SPEND_BATCH, ignore_conflicts=True)
        return spent.count() - before


# --- operator configuration ------------------------------------------------------------------
CONTRACT_FIELDS = ("seat_capacity", "price_per_seat_month_krw", "starts_on", "ends_on", "note")


def contract_save(
    *, actor: Any, data: dict[str, Any], contract: Contract | None = None
) -> Contract:
    require_role(actor, Role.OPERATOR)
    with transaction.atomic():
        if contract is None:
            programme = data["programme"]
            provider = data["provider"]
            if Contract.objects.filter(programme=programme, provider=provider).exists():
                raise InvalidInput(
                    _("이 사업에는 이미 이 업체의 계약이 있습니다."), code="duplicate_contract"
                )
            contract = Contract(programme=programme, provider=provider)
        else:
            contract = Contract.objects.select_for_update().get(pk=contract.pk)
        for name in CONTRACT_FIELDS:
            if name in data:
                setattr(contract, name, data[name])
        if contract.ends_on < contract.starts_on:
            raise InvalidInput(_("계약 종료일이 시작일보다 빠릅니다."))
        if contract.pk and contract.seat_capacity < occupied_seats(contract):
            raise InvalidInput(
                _("좌석 수를 지금 사용 중인 좌석(%(n)d석)보다 적게 줄일 수 없습니다.")
                % {"n": occupied_seats(contract)},
                code="capacity_below_use",
            )
        contract.full_clean()
        contract.save()
    waiting_list_serve(contract=contract)
    return contract


def endpoint_save(
    *, actor: Any, provider: Provider, base_url: str, secret: str | None, enabled: bool = True
) -> ProviderEndpoint:
    require_role(actor, Role.OPERATOR)
    endpoint = ProviderEndpoint.objects.filter(provider=provider).first() or ProviderEndpoint(
        provider=provider, key_id=provider.code
    )
    endpoint.base_url = base_url
    endpoint.is_enabled = enabled
    if secret:
        endpoint.secret = secret
    if not endpoint.secret:
        raise InvalidInput(_("서명 비밀키를 입력해 주세요."))
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def provider_staff_link(*, actor: Any, user: User, provider: Provider) -> None:
    from seoullearn.enrollment.models import ProviderStaff

    require_role(actor, Role.OPERATOR)
    if user.role != Role.PROVIDER_STAFF:
        raise InvalidInput(_("교육업체 담당자 역할의 사용자만 연결할 수 있습니다."))
    ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})


def api_client_create(*, actor: Any, provider: Provider, name: str) -> tuple[str, str]:
    """An OAuth2 client-credentials application for a provider; returns (client_id, secret)."""
    from oauth2_provider.models import get_application_model

    from seoullearn.enrollment.models import ProviderApiClient

    if actor is not None:
        require_role(actor, Role.OPERATOR)
    application_model = get_application_model()
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        application = application_model.objects.create(
            name=name[:255] or f"{provider.code} API",
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        ProviderApiClient.objects.create(application=application, provider=provider)
    return application.client_id, secret
