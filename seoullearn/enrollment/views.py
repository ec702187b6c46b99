"""Member pages (choose, switch, cancel, my learning sites, study now), the JWKS and the
provider portal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seoullearn.catalog import policy
from seoullearn.catalog import selectors as catalog_selectors
from seoullearn.catalog.listing import paginate
from seoullearn.catalog.models import Offering
from seoullearn.catalog.policy import rules_in_words
from seoullearn.core.errors import DomainError, PermissionDenied
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import today
from seoullearn.eligibility.selectors import active_membership
from seoullearn.enrollment import selectors, services, sso
from seoullearn.enrollment.models import Seat, Selection, UsageReport
from seoullearn.programmes.selectors import current_programme


def _learner(request: HttpRequest) -> Any:
    """The signed-in user (the views calling this are login- and role-protected)."""
    return request.user


def _language() -> str:
    return get_language() or "ko"


# --- members ---------------------------------------------------------------------------------
@role_required(Role.LEARNER)
def offerings(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    config = catalog_selectors.policy_config(programme)
    held = {s.offering_id: s for s in selectors.held_selections(request.user, programme)}
    member = active_membership(request.user, programme)
    tracks = catalog_selectors.offerings_by_track()
    if member is not None:
        state = services.member_state(_learner(request), programme)
        for _track, items in tracks:
            for offering in items:
                if offering.pk in held:
                    continue
                decision = policy.evaluate(
                    config,
                    state,
                    policy.Action.SELECT,
                    on=today(),
                    offering=catalog_selectors.offering_info(offering),
                )
                if decision.first is not None:
                    reason = decision.first.message(_language())
                    offering.blocked_reason = reason  # type: ignore[attr-defined]
    return render(
        request,
        "enrollment/offerings.html",
        {
            "tracks": tracks,
            "rules": rules_in_words(config, _language()),
            "held": held,
            "member": member,
            "held_count": len(held),
            "max_total": config.max_total,
        },
    )


def _seat_outlook(offering: Offering) -> dict[str, Any]:
    from seoullearn.enrollment.models import Contract

    contract = Contract.objects.filter(
        programme=current_programme(), provider=offering.provider
    ).first()
    if contract is None:
        return {"contract": None, "free": 0, "waiting": 0}
    free = contract.seat_capacity - services.occupied_seats(contract)
    waiting = Selection.objects.filter(contract=contract, status=Selection.Status.WAITING).count()
    return {"contract": contract, "free": max(0, free), "waiting": waiting}


@role_required(Role.LEARNER)
@require_http_methods(["GET", "POST"])
def select(request: HttpRequest, offering_id: str) -> HttpResponse:
    offering = get_object_or_404(
        Offering.objects.select_related("provider", "track"), public_id=offering_id
    )
    error: DomainError | None = None
    preview = None
    if request.method == "GET":
        preview = _preview(request, offering)
    if request.method == "POST":
        try:
            selection = services.selection_select(actor=request.user, offering=offering)
        except DomainError as exc:
            error = exc
        else:
            if selection.status == Selection.Status.WAITING:
                messages.warning(
                    request,
                    _(
                        "좌석이 모두 차서 대기자 명단에 올렸습니다. "
                        "좌석이 나면 순서대로 배정됩니다."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("%(offering)s을(를) 선택했습니다. 학습 사이트 계정을 만들고 있습니다.")
                    % {"offering": offering.title},
                )
            return redirect("enrollment:my_sites")
    return render(
        request,
        "enrollment/confirm_select.html",
        {
            "offering": offering,
            "outlook": _seat_outlook(offering),
            "error": error or preview,
            "refused_before_trying": preview is not None,
        },
        status=error.status_code if error else 200,
    )


def _preview(request: HttpRequest, offering: Offering) -> DomainError | None:
    """The refusal the member would get, shown before they press confirm."""
    from seoullearn.core.errors import RuleViolation

    programme = current_programme()
    if active_membership(request.user, programme) is None:
        return RuleViolation(_("서울런 회원만 과정을 선택할 수 있습니다."), code="not_member")
    decision = policy.evaluate(
        catalog_selectors.policy_config(programme),
        services.member_state(_learner(request), programme),
        policy.Action.SELECT,
        on=today(),
        offering=catalog_selectors.offering_info(offering),
    )
    if decision.allowed:
        return None
    first = decision.first
    assert first is not None
    return RuleViolation(
        first.message(_language()),
        code=first.rule,
        details={
            "violations": [
                {"rule": v.rule, "message_ko": v.message_ko, "message_en": v.message_en}
                for v in decision.violations
            ]
        },
    )


def _own(request: HttpRequest, selection_id: str) -> Selection:
    return get_object_or_404(
        Selection.objects.select_related("offering__provider", "offering__track"),
        public_id=selection_id,
        user=request.user,
        status__in=Selection.HELD,
    )


@role_required(Role.LEARNER)
@require_http_methods(["GET", "POST"])
def switch(request: HttpRequest, selection_id: str) -> HttpResponse:
    selection = _own(request, selection_id)
    target = None
    error = None
    target_id = request.POST.get("offering") or request.GET.get("offering")
    if target_id:
        target = (
            Offering.objects.select_related("provider", "track").filter(public_id=target_id).first()
        )
    if request.method == "POST" and target is not None and request.POST.get("confirm") == "1":
        try:
            services.selection_switch(actor=request.user, selection=selection, offering=target)
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("%(old)s에서 %(new)s(으)로 변경했습니다. 이전 좌석은 반납되었습니다.")
                % {"old": selection.offering.title, "new": target.title},
            )
            return redirect("enrollment:my_sites")
    choices = [
        o
        for o in catalog_selectors.offerings()
        if o.pk != selection.offering_id
        and o.track.slot_group == selection.offering.track.slot_group
    ]
    return render(
        request,
        "enrollment/confirm_switch.html",
        {
            "selection": selection,
            "choices": choices,
            "target": target,
            "outlook": _seat_outlook(target) if target else None,
            "error": error,
        },
        status=error.status_code if error else 200,
    )


@role_required(Role.LEARNER)
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, selection_id: str) -> HttpResponse:
    selection = _own(request, selection_id)
    if request.method == "POST":
        services.selection_cancel(actor=request.user, selection=selection)
        messages.success(
            request,
            _("%(offering)s 선택을 취소했습니다. 좌석은 다음 대기자에게 돌아갑니다.")
            % {"offering": selection.offering.title},
        )
        return redirect("enrollment:my_sites")
    config = catalog_selectors.policy_config(selection.programme)
    return render(
        request,
        "enrollment/confirm_cancel.html",
        {"selection": selection, "cooldown_days": config.cooldown_days},
    )


@role_required(Role.LEARNER)
def my_sites(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    return render(
        request,
        "enrollment/my_sites.html",
        {
            "rows": selectors.my_sites(request.user, programme),
            "member": active_membership(request.user, programme),
        },
    )


@role_required(Role.LEARNER)
@require_POST
@never_cache
def launch(request: HttpRequest, seat_id: str) -> HttpResponse:
    seat = get_object_or_404(
        Seat.objects.select_related("contract__provider", "selection__offering__track"),
        public_id=seat_id,
        user=request.user,
    )
    try:
        result = services.sso_launch_create(actor=request.user, seat=seat)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("enrollment:my_sites")
    response = render(
        request,
        "enrollment/launch.html",
        {"launch": result, "provider": seat.contract.provider},
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@cache_control(max_age=300, public=True)
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys providers use to verify launch tokens."""
    return JsonResponse(sso.jwks())


# --- provider portal -------------------------------------------------------------------------
def _staff_provider(request: HttpRequest) -> Any:
    provider = selectors.provider_of_staff(request.user)
    if provider is None:
        raise PermissionDenied(_("연결된 교육업체가 없습니다. 운영자에게 문의해 주세요."))
    return provider


@role_required(Role.PROVIDER_STAFF)
def portal(request: HttpRequest) -> HttpResponse:
    provider = _staff_provider(request)
    seats = selectors.provider_seats(provider)
    status = request.GET.get("status", "")
    if status:
        seats = seats.filter(status=status)
    access_log_record(
        actor=request.user,
        subject=None,
        action="view",
        purpose="provider portal: seats (pseudonymous)",
        request=request,
        detail=provider.code,
    )
    since = today() - dt.timedelta(days=30)
    usage = selectors.provider_usage(provider, since=since)
    return render(
        request,
        "enrollment/portal.html",
        {
            "provider": provider,
            "page": paginate(request, seats),
            "status": status,
            "statuses": Seat.Status.choices,
            "usage": usage,
            "usage_total": sum(u["minutes"] or 0 for u in usage),
            "reports": UsageReport.objects.filter(provider=provider)[:20],
        },
    )


@role_required(Role.PROVIDER_STAFF)
@require_POST
def portal_upload(request: HttpRequest) -> HttpResponse:
    provider = _staff_provider(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("CSV 파일을 골라 주세요."))
        return redirect("enrollment:portal")
    if upload.size and upload.size > 20 * 1024 * 1024:
        messages.error(request, _("파일이 너무 큽니다(최대 20MB)."))
        return redirect("enrollment:portal")
    try:
        rows, errors, first = services.usage_csv_rows(upload.read())
        result = services.usage_report_ingest(
            provider=provider,
            rows=rows,
            source=UsageReport.Source.CSV,
            actor=request.user,
            client_label=request.user.get_username(),
            line_offset=first,
            parse_errors=errors,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("enrollment:portal")
    if result.duplicate:
        messages.info(request, _("이미 받은 보고서와 같습니다. 바뀐 것은 없습니다."))
    elif result.errors:
        messages.warning(
            request,
            _("%(ok)d행을 반영했고 %(bad)d행은 오류가 있습니다. 아래에서 확인해 주세요.")
            % {"ok": result.report.rows_ok, "bad": len(result.errors)},
        )
    else:
        messages.success(request, _("%(ok)d행을 반영했습니다.") % {"ok": result.report.rows_ok})
    return redirect("enrollment:portal")
