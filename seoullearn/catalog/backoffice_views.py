"""Operator pages for the catalog: providers, offerings and the selection policy."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from seoullearn.catalog import selectors, services
from seoullearn.catalog.forms import OfferingForm, PolicyForm, ProviderForm
from seoullearn.catalog.listing import export_if_requested, paginate, query_without_page
from seoullearn.catalog.models import Offering, Provider, Track
from seoullearn.core.errors import DomainError
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.programmes.selectors import current_programme


@role_required(Role.OPERATOR)
def provider_list(request: HttpRequest) -> HttpResponse:
    qs = Provider.objects.order_by("name_ko")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name_ko__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    active = request.GET.get("active", "")
    if active in {"1", "0"}:
        qs = qs.filter(is_active=active == "1")
    export = export_if_requested(
        request,
        filename="providers",
        headers=[_("코드"), _("이름"), _("영문 이름"), _("누리집"), _("사용")],
        rows=lambda: ((p.code, p.name_ko, p.name_en, p.homepage, p.is_active) for p in qs),
    )
    if export:
        return export
    return render(
        request,
        "catalog/backoffice/provider_list.html",
        {
            "page": paginate(request, qs),
            "q": q,
            "active": active,
            "query": query_without_page(request),
        },
    )


@role_required(Role.OPERATOR)
def provider_edit(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    provider = get_object_or_404(Provider, public_id=public_id) if public_id else None
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.provider_save(
                actor=request.user, data=form.cleaned_data, provider=provider
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("업체 정보를 저장했습니다."))
            return redirect("catalog_bo:provider_edit", public_id=saved.public_id)
    return render(
        request, "catalog/backoffice/provider_form.html", {"form": form, "provider": provider}
    )


@role_required(Role.OPERATOR)
def offering_list(request: HttpRequest) -> HttpResponse:
    qs = Offering.objects.select_related("provider", "track").order_by(
        "track__order", "order", "provider__name_ko"
    )
    track = request.GET.get("track", "")
    if track:
        qs = qs.filter(track__code=track)
    provider = request.GET.get("provider", "")
    if provider:
        qs = qs.filter(provider__code=provider)
    export = export_if_requested(
        request,
        filename="offerings",
        headers=[_("트랙"), _("업체"), _("과정명"), _("대상 학교급"), _("과목"), _("신청 가능")],
        rows=lambda: (
            (
                o.track.name_ko,
                o.provider.name_ko,
                o.title_ko,
                ", ".join(o.target_levels),
                ", ".join(o.subjects),
                o.is_active,
            )
            for o in qs
        ),
    )
    if export:
        return export
    return render(
        request,
        "catalog/backoffice/offering_list.html",
        {
            "page": paginate(request, qs),
            "tracks": Track.objects.order_by("order"),
            "providers": Provider.objects.order_by("name_ko"),
            "track": track,
            "provider": provider,
            "query": query_without_page(request),
        },
    )


@role_required(Role.OPERATOR)
def offering_edit(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    offering = get_object_or_404(Offering, public_id=public_id) if public_id else None
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = services.offering_save(
                actor=request.user,
                data=data,
                offering=offering,
                provider=data.get("provider"),
                track=data.get("track"),
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("과정을 저장했습니다."))
            return redirect("catalog_bo:offering_edit", public_id=saved.public_id)
    return render(
        request, "catalog/backoffice/offering_form.html", {"form": form, "offering": offering}
    )


@role_required(Role.OPERATOR)
def policy_edit(request: HttpRequest) -> HttpResponse:
    programme = current_programme()
    row = selectors.policy_row(programme)
    form = PolicyForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["groups"] = data.pop("groups_text")
        data["switch_windows"] = data.pop("windows_text")
        try:
            services.policy_update(actor=request.user, policy=row, data=data)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("선택 정책을 저장했습니다."))
            return redirect("catalog_bo:policy")
    from django.utils.translation import get_language

    from seoullearn.catalog.policy import rules_in_words

    return render(
        request,
        "catalog/backoffice/policy_form.html",
        {
            "form": form,
            "programme": programme,
            "rules": rules_in_words(selectors.config_from_row(row), get_language() or "ko"),
        },
    )
