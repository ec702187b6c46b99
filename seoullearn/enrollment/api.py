"""Marketplace API: members' selections, providers' seats and usage, operators' figures."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import SessionAuth

from seoullearn.accounts.api_auth import session_auth, token_auth
from seoullearn.catalog.models import Offering
from seoullearn.catalog.selectors import policy_row
from seoullearn.core.errors import InvalidInput, NotFound, PermissionDenied
from seoullearn.core.permissions import require_role
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.enrollment import selectors, services
from seoullearn.enrollment.api_auth import (
    ProviderOAuth,
    ProviderPrincipal,
    signed_provider,
    staff_session,
)
from seoullearn.enrollment.models import Selection, UsageReport
from seoullearn.programmes.selectors import current_programme

router = Router(tags=["enrollment"])


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return staff_session(request) if super().authenticate(request, key) else None


PROVIDER_AUTH = [ProviderOAuth(), StaffSessionAuth()]


# --- schemas ---------------------------------------------------------------------------------
class SelectionOut(Schema):
    id: UUID
    offering_id: UUID
    offering: str
    provider: str
    track: str
    status: str
    seat_status: str | None
    waiting_position: int | None
    selected_on: dt.date


class SelectIn(Schema):
    offering_id: UUID


class ProviderSeatOut(Schema):
    seat_id: UUID
    learner_id: UUID
    account_id: str
    offering_track: str
    status: str
    started_on: dt.date
    last_activity_at: dt.datetime | None


class UsageDayOut(Schema):
    day: dt.date
    minutes: int
    lessons: int
    learners: int


class UsageRowIn(Schema):
    date: str
    learner_id: str
    minutes: int | str
    lessons_completed: int | str


class UsageReportIn(Schema):
    rows: list[dict[str, Any]]


class RowError(Schema):
    line: int
    reason: str


class UsageReportOut(Schema):
    report_id: UUID
    duplicate: bool
    rows_total: int
    rows_ok: int
    errors: list[RowError]


class EventsIn(Schema):
    events: list[Any]


class EventsOut(Schema):
    accepted: int
    duplicates: int
    rejected: int


class SeatUseOut(Schema):
    provider: str
    capacity: int
    taken: int
    pending: int
    failed: int
    idle: int
    waiting: int
    free: int


class BudgetOut(Schema):
    total_krw: int
    committed_krw: int
    spent_krw: int
    remaining_krw: int


# --- members ---------------------------------------------------------------------------------
def _selection_out(row: dict[str, Any]) -> dict[str, Any]:
    s: Selection = row["selection"]
    seat = row["seat"]
    return {
        "id": s.public_id,
        "offering_id": s.offering.public_id,
        "offering": s.offering.title,
        "provider": str(s.offering.provider),
        "track": s.offering.track.code,
        "status": s.status,
        "seat_status": seat.status if seat else None,
        "waiting_position": row["position"],
        "selected_on": s.selected_on,
    }


MEMBER_AUTH = [token_auth, session_auth]


@router.get("/selections", response=list[SelectionOut], auth=MEMBER_AUTH, summary="My selections")
def my_selections(request: HttpRequest) -> list[dict[str, Any]]:
    require_role(request.user, Role.LEARNER)
    return [_selection_out(r) for r in selectors.my_sites(request.user, current_programme())]


def _row_for(request: HttpRequest, selection: Selection) -> dict[str, Any]:
    rows = selectors.my_sites(request.user, selection.programme)
    match = next((r for r in rows if r["selection"].pk == selection.pk), None)
    return match or {"selection": selection, "seat": None, "position": None}


@router.post(
    "/selections", response={201: SelectionOut}, auth=MEMBER_AUTH, summary="Select an offering"
)
def select(request: HttpRequest, payload: SelectIn) -> Status[dict[str, Any]]:
    require_role(request.user, Role.LEARNER)
    offering = Offering.objects.filter(public_id=payload.offering_id).first()
    if offering is None:
        raise NotFound(_("과정을 찾을 수 없습니다."))
    selection = services.selection_select(actor=request.user, offering=offering)
    return Status(201, _selection_out(_row_for(request, selection)))


def _my_selection(request: HttpRequest, selection_id: UUID) -> Selection:
    require_role(request.user, Role.LEARNER)
    selection = Selection.objects.filter(
        public_id=selection_id, user_id=int(request.user.pk or 0)
    ).first()
    if selection is None:
        raise NotFound(_("선택 내역을 찾을 수 없습니다."))
    return selection


@router.post(
    "/selections/{selection_id}/switch",
    response=SelectionOut,
    auth=MEMBER_AUTH,
    summary="Switch a selection to another offering",
)
def switch(request: HttpRequest, selection_id: UUID, payload: SelectIn) -> dict[str, Any]:
    selection = _my_selection(request, selection_id)
    offering = Offering.objects.filter(public_id=payload.offering_id).first()
    if offering is None:
        raise NotFound(_("과정을 찾을 수 없습니다."))
    new = services.selection_switch(actor=request.user, selection=selection, offering=offering)
    return _selection_out(_row_for(request, new))


@router.post(
    "/selections/{selection_id}/cancel",
    response=SelectionOut,
    auth=MEMBER_AUTH,
    summary="Cancel a selection (releases the seat)",
)
def cancel(request: HttpRequest, selection_id: UUID) -> dict[str, Any]:
    selection = _my_selection(request, selection_id)
    ended = services.selection_cancel(actor=request.user, selection=selection)
    return _selection_out(
        {"selection": ended, "seat": getattr(ended, "seat", None), "position": None}
    )


# --- providers -------------------------------------------------------------------------------
def _principal(request: HttpRequest) -> ProviderPrincipal:
    principal = request.auth  # type: ignore[attr-defined]
    if not isinstance(principal, ProviderPrincipal):
        raise PermissionDenied(_("교육업체 권한이 필요합니다."))
    return principal


@router.get(
    "/provider/seats",
    response=list[ProviderSeatOut],
    auth=PROVIDER_AUTH,
    summary="The provider's seats (pseudonymous learners only)",
)
def provider_seats(
    request: HttpRequest, offset: int = 0, limit: int = 1000
) -> list[dict[str, Any]]:
    principal = _principal(request)
    if offset < 0 or not 1 <= limit <= 5000:
        raise InvalidInput(_("offset은 0 이상, limit은 1~5000이어야 합니다."))
    access_log_record(
        actor=principal.user,
        subject=None,
        action="view",
        purpose="provider seat list",
        request=request,
        actor_label=principal.label,
        detail=principal.provider.code,
    )
    return [
        {
            "seat_id": seat.public_id,
            "learner_id": seat.user.pseudonym,
            "account_id": seat.external_account_id,
            "offering_track": seat.selection.offering.track.code,
            "status": seat.status,
            "started_on": seat.started_on,
            "last_activity_at": seat.last_activity_at,
        }
        for seat in selectors.provider_seats(principal.provider)[offset : offset + limit]
    ]


@router.get(
    "/provider/usage",
    response=list[UsageDayOut],
    auth=PROVIDER_AUTH,
    summary="The provider's own usage figures per day (default: the last 30 days)",
)
def provider_usage(request: HttpRequest, days: int = 30) -> list[dict[str, Any]]:
    principal = _principal(request)
    if not 1 <= days <= 400:
        raise InvalidInput(_("days는 1~400 사이여야 합니다."))
    from seoullearn.core.timeutil import today

    rows = selectors.provider_usage(principal.provider, since=today() - dt.timedelta(days=days))
    return [
        {
            "day": r["day"],
            "minutes": r["minutes"] or 0,
            "lessons": r["lessons"] or 0,
            "learners": r["learners"],
        }
        for r in rows
    ]


def _report_out(result: services.IngestResult) -> dict[str, Any]:
    return {
        "report_id": result.report.public_id,
        "duplicate": result.duplicate,
        "rows_total": result.report.rows_total,
        "rows_ok": result.report.rows_ok,
        "errors": result.errors,
    }


@router.post(
    "/provider/usage-reports",
    response=UsageReportOut,
    auth=PROVIDER_AUTH,
    summary="Push a daily usage report (JSON); bad rows come back with line and reason",
)
def push_usage_report(request: HttpRequest, payload: UsageReportIn) -> dict[str, Any]:
    principal = _principal(request)
    if len(payload.rows) > 50_000:
        raise InvalidInput(_("한 번에 50,000행까지 보낼 수 있습니다."))
    result = services.usage_report_ingest(
        provider=principal.provider,
        rows=payload.rows,
        source=UsageReport.Source.JSON,
        actor=principal.user,
        client_label=principal.label,
    )
    return _report_out(result)


@router.post(
    "/provider/usage-reports/csv",
    response=UsageReportOut,
    auth=PROVIDER_AUTH,
    summary="Upload a daily usage report as CSV (date,learner_id,minutes,lessons_completed)",
)
def upload_usage_csv(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    principal = _principal(request)
    if file.size and file.size > 20 * 1024 * 1024:
        raise InvalidInput(_("파일이 너무 큽니다(최대 20MB)."))
    rows, errors, first_line = services.usage_csv_rows(file.read())
    result = services.usage_report_ingest(
        provider=principal.provider,
        rows=rows,
        source=UsageReport.Source.CSV,
        actor=principal.user,
        client_label=principal.label,
        line_offset=first_line,
        parse_errors=errors,
    )
    return _report_out(result)


@router.post(
    "/provider-callbacks/usage-events",
    response=EventsOut,
    auth=None,
    summary="Learning events pushed by a provider (HMAC-signed, duplicates ignored)",
)
def usage_events(request: HttpRequest, payload: EventsIn) -> dict[str, int]:
    provider = signed_provider(request)
    if provider is None:
        raise PermissionDenied(_("서명이 올바르지 않습니다."), code="bad_signature")
    return services.usage_events_record(provider=provider, events=payload.events[:1000])


# --- operators -------------------------------------------------------------------------------
@router.get(
    "/seat-use", response=list[SeatUseOut], auth=MEMBER_AUTH, summary="Seat use per provider"
)
def seat_use(request: HttpRequest) -> list[dict[str, Any]]:
    require_role(request.user, Role.OPERATOR)
    programme = current_programme()
    rows = selectors.seat_use(programme, idle_days=policy_row(programme).idle_days)
    return [
        {
            "provider": r.contract.provider.code,
            "capacity": r.contract.seat_capacity,
            "taken": r.taken,
            "pending": r.pending,
            "failed": r.failed,
            "idle": r.idle,
            "waiting": r.waiting,
            "free": r.free,
        }
        for r in rows
    ]


@router.get("/budget", response=BudgetOut, auth=MEMBER_AUTH, summary="Content budget figures")
def budget(request: HttpRequest) -> dict[str, int]:
    require_role(request.user, Role.OPERATOR)
    figures = selectors.budget(current_programme())
    return {
        "total_krw": figures["total"],
        "committed_krw": figures["committed"],
        "spent_krw": figures["spent"],
        "remaining_krw": figures["remaining"],
    }
