"""Operator pages: contracts, seat use, seats, reclamation queue, budget, integrations."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seoullearn.catalog.listing import export_if_requested, paginate, query_without_page
from seoullearn.catalog.models import Provider
from seoullearn.catalog.selectors import policy_row
from seoullearn.core.errors import DomainError
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.core.services import access_log_record
from seoullearn.core.timeutil import SEOUL
from seoullearn.enrollment import charts, selectors, services
from seoullearn.enrollment.forms import (
    ApiClientForm,
    ContractForm,
    EndpointForm,
    ReleaseForm,
    StaffLinkForm,
)
from seoullearn.enrollment.models import (
    Contract,
    ProviderApiClient,
    ProviderEndpoint,
    ProviderStaff,
    Seat,
    Selection,
)
from seoullearn.programmes.selectors import current_programme


def _local(value: object) -> str:
    return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[attr-defined]


@role_required(Role.OPERATOR)
def contract_list(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    qs = Contract.objects.filter(programme=programme).select_related("provider")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(provider__name_ko__icontains=q) | Q(provider__code__icontains=q))
    export = export_if_requested(
        request,
        filename="contracts",
        headers=[
            _("업체"),
            _("좌석 수"),
            _("좌석당 월 단가(원)"),
            _("시작일"),
            _("종료일"),
            _("비고"),
        ],
        rows=lambda: (
            (
                c.provider.name_ko,
                c.seat_capacity,
                c.price_per_seat_month_krw,
                c.starts_on,
                c.ends_on,
                c.note,
            )
            for c in qs
        ),
    )
    if export:
        return export
    return render(
        request,
        "enrollment/backoffice/contract_list.html",
        {
            "page": paginate(request, qs),
            "q": q,
            "programme": programme,
            "query": query_without_page(request),
        },
    )


@role_required(Role.OPERATOR)
def contract_edit(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    programme = current_programme()
    contract = get_object_or_404(Contract, public_id=public_id) if public_id else None
    form = ContractForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["programme"] = programme
        try:
            saved = services.contract_save(actor=request.user, data=data, contract=contract)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("계약을 저장했습니다."))
            return redirect("enrollment_bo:contract_edit", public_id=saved.public_id)
    return render(
        request,
        "enrollment/backoffice/contract_form.html",
        {"form": form, "contract": contract, "programme": programme},
    )


@role_required(Role.OPERATOR)
def seat_use(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    rows = selectors.seat_use(programme, idle_days=policy_row(programme).idle_days)
    export = export_if_requested(
        request,
        filename="seat-use",
        headers=[
            _("업체"),
            _("좌석 수"),
            _("사용"),
            _("연결 중"),
            _("실패"),
            _("미사용"),
            _("대기"),
            _("잔여"),
        ],
        rows=lambda: (
            (
                r.contract.provider.name_ko,
                r.contract.seat_capacity,
                r.taken,
                r.pending,
                r.failed,
                r.idle,
                r.waiting,
                r.free,
            )
            for r in rows
        ),
    )
    if export:
        return export
    return render(
        request,
        "enrollment/backoffice/seat_use.html",
        {"rows": rows, "programme": programme, "query": ""},
    )


@role_required(Role.OPERATOR)
def seat_list(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    qs = (
        Seat.objects.filter(contract__programme=programme)
        .select_related("user", "contract__provider", "selection__offering")
        .order_by("-created_at")
    )
    provider = request.GET.get("provider", "")
    if provider:
        qs = qs.filter(contract__provider__code=provider)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    access_log_record(
        actor=request.user,
        subject=None,
        action="search" if not request.GET.get("export") else "export",
        purpose="seat administration",
        request=request,
        detail=f"provider={provider} status={status}",
    )
    export = export_if_requested(
        request,
        filename="seats",
        headers=[
            _("좌석"),
            _("회원"),
            _("업체"),
            _("과정"),
            _("상태"),
            _("시작일"),
            _("최근 학습"),
            _("회수 예고"),
        ],
        rows=lambda: (
            (
                s.public_id,
                s.user.username,
                s.contract.provider.name_ko,
                s.selection.offering.title_ko,
                s.get_status_display(),
                s.started_on,
                _local(s.last_activity_at),
                _local(s.idle_notice_at),
            )
            for s in qs
        ),
    )
    if export:
        return export
    return render(
        request,
        "enrollment/backoffice/seat_list.html",
        {
            "page": paginate(request, qs),
            "providers": Provider.objects.order_by("name_ko"),
            "statuses": Seat.Status.choices,
            "provider": provider,
            "status": status,
            "query": query_without_page(request),
            "release_form": ReleaseForm(),
        },
    )


@role_required(Role.OPERATOR)
@require_POST
def seat_release(request: HttpRequest, public_id: str) -> HttpResponse:
    seat = get_object_or_404(Seat, public_id=public_id)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("회수 사유를 적어 주세요."))
    else:
        try:
            services.seat_release_by_operator(
                actor=request.user, seat=seat, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("좌석을 회수했습니다."))
    target = request.POST.get("next", "")
    if not target.startswith("/backoffice/enrollment/"):
        target = "enrollment_bo:seat_list"
    return redirect(target)


@role_required(Role.OPERATOR)
@require_POST
def seat_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    seat = get_object_or_404(Seat, public_id=public_id)
    try:
        services.seat_retry_provisioning(actor=request.user, seat=seat)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("계정 생성을 다시 시도합니다."))
    return redirect("enrollment_bo:seat_list")


@role_required(Role.OPERATOR)
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Members waiting for a seat, per provider, in the order they will be served."""
    programme = current_programme()
    qs = (
        Selection.objects.filter(programme=programme, status=Selection.Status.WAITING)
        .select_related("user", "offering__provider", "offering__track")
        .order_by("contract__provider__name_ko", "waiting_since", "id")
    )
    provider = request.GET.get("provider", "")
    if provider:
        qs = qs.filter(contract__provider__code=provider)
    access_log_record(
        actor=request.user,
        subject=None,
        action="search" if not request.GET.get("export") else "export",
        purpose="seat waiting list",
        request=request,
        detail=f"provider={provider}",
    )
    export = export_if_requested(
        request,
        filename="waiting-list",
        headers=[_("업체"), _("과정"), _("회원"), _("대기 시작")],
        rows=lambda: (
            (
                s.offering.provider.name_ko,
                s.offering.title_ko,
                s.user.username,
                _local(s.waiting_since),
            )
            for s in qs
        ),
    )
    if export:
        return export
    return render(
        request,
        "enrollment/backoffice/waiting_list.html",
        {
            "page": paginate(request, qs),
            "providers": Provider.objects.order_by("name_ko"),
            "provider": provider,
            "query": query_without_page(request),
        },
    )


@role_required(Role.OPERATOR)
def reclamation(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    rules = policy_row(programme)
    qs = selectors.reclamation_queue(programme)
    access_log_record(
        actor=request.user,
        subject=None,
        action="search" if not request.GET.get("export") else "export",
        purpose="idle seat reclamation",
        request=request,
    )
    export = export_if_requested(
        request,
        filename="reclamation",
        headers=[_("좌석"), _("회원"), _("업체"), _("최근 학습"), _("예고일")],
        rows=lambda: (
            (
                s.public_id,
                s.user.username,
                s.contract.provider.name_ko,
                _local(s.last_activity_at),
                _local(s.idle_notice_at),
            )
            for s in qs
        ),
    )
    if export:
        return export
    return render(
        request,
        "enrollment/backoffice/reclamation.html",
        {
            "page": paginate(request, qs),
            "rules": rules,
            "query": query_without_page(request),
            "release_form": ReleaseForm(),
        },
    )


@role_required(Role.OPERATOR)
def budget(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    figures = selectors.budget(programme)
    export = export_if_requested(
        request,
        filename="content-budget",
        headers=[_("업체"), _("계약 금액(원)"), _("약정(원)"), _("집행(원)")],
        rows=lambda: (
            (r["provider"].name_ko, r["contract_value"], r["committed"], r["spent"])
            for r in figures["rows"]
        ),
    )
    if export:
        return export
    chart = charts.budget_bars(
        [
            {"label": r["provider"].name_ko, "committed": r["committed"], "spent": r["spent"]}
            for r in figures["rows"]
        ],
        total=figures["total"],
    )
    gauge = charts.budget_gauge(
        total=figures["total"], committed=figures["committed"], spent=figures["spent"]
    )
    return render(
        request,
        "enrollment/backoffice/budget.html",
        {
            "figures": figures,
            "programme": programme,
            "chart": mark_safe(chart),  # noqa: S308 - built from escaped values
            "gauge": mark_safe(gauge),  # noqa: S308
            "query": "",
        },
    )


@role_required(Role.OPERATOR)
def integration(request: HttpRequest, provider_id: str) -> HttpResponse:
    provider = get_object_or_404(Provider, public_id=provider_id)
    endpoint = ProviderEndpoint.objects.filter(provider=provider).first()
    endpoint_form = EndpointForm(
        request.POST if request.POST.get("form") == "endpoint" else None,
        initial={"base_url": endpoint.base_url if endpoint else "", "is_enabled": True},
    )
    staff_form = StaffLinkForm(request.POST if request.POST.get("form") == "staff" else None)
    client_form = ApiClientForm(request.POST if request.POST.get("form") == "client" else None)
    new_secret = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "endpoint" and endpoint_form.is_valid():
                services.endpoint_save(
                    actor=request.user,
                    provider=provider,
                    base_url=endpoint_form.cleaned_data["base_url"],
                    secret=endpoint_form.cleaned_data["secret"] or None,
                    enabled=endpoint_form.cleaned_data["is_enabled"],
                )
                messages.success(request, _("연동 설정을 저장했습니다."))
                return redirect("enrollment_bo:integration", provider_id=provider.public_id)
            if request.POST.get("form") == "staff" and staff_form.is_valid():
                services.provider_staff_link(
                    actor=request.user, user=staff_form.cleaned_data["username"], provider=provider
                )
                messages.success(request, _("담당자를 연결했습니다."))
                return redirect("enrollment_bo:integration", provider_id=provider.public_id)
            if request.POST.get("form") == "client" and client_form.is_valid():
                client_id, secret = services.api_client_create(
                    actor=request.user, provider=provider, name=client_form.cleaned_data["name"]
                )
                new_secret = {"client_id": client_id, "secret": secret}
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(
        request,
        "enrollment/backoffice/integration.html",
        {
            "provider": provider,
            "endpoint": endpoint,
            "endpoint_form": endpoint_form,
            "staff_form": staff_form,
            "client_form": client_form,
            "staff": ProviderStaff.objects.filter(provider=provider).select_related("user"),
            "clients": ProviderApiClient.objects.filter(provider=provider).select_related(
                "application"
            ),
            "new_secret": new_secret,
        },
    )
