"""Operator pages at /backoffice/lrs/: issue, rotate and revoke xAPI credentials."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seoullearn.core.errors import InvalidInput
from seoullearn.core.exports import export_response
from seoullearn.core.permissions import role_required
from seoullearn.core.roles import Role
from seoullearn.lrs import selectors, services
from seoullearn.lrs.forms import ClientFilterForm, ClientForm, RevokeForm
from seoullearn.lrs.models import LRSClient


def _secret_page(request: HttpRequest, client: LRSClient, secret: str) -> HttpResponse:
    response = render(
        request,
        "lrs/client_secret.html",
        {
            "client": client,
            "secret": secret,
            "token_url": request.build_absolute_uri("/xapi/oauth/token"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.OPERATOR)
def clients(request: HttpRequest) -> HttpResponse:
    filters = ClientFilterForm(request.GET or None)
    qs = selectors.clients_for_operator(**filters.filters())
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            filename="xapi-clients",
            headers=["name", "provider", "key", "scopes", "status", "created", "last used"],
            rows=(
                [
                    client.name,
                    str(client.provider or ""),
                    client.key,
                    " ".join(client.scopes),
                    "active" if client.is_active else "revoked",
                    client.created_at,
                    client.last_used_at,
                ]
                for client in qs
            ),
            fmt=fmt,
        )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lrs/clients.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


@role_required(Role.OPERATOR)
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = services.lrs_client_create(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                provider=form.cleaned_data["provider"],
                created_by=request.user,
                with_oauth=form.cleaned_data["with_oauth"],
            )
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
        else:
            return _secret_page(request, client, secret)
    return render(request, "lrs/client_form.html", {"form": form})


@role_required(Role.OPERATOR)
def client_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    client = get_object_or_404(LRSClient.objects.select_related("provider"), public_id=public_id)
    return render(
        request,
        "lrs/client_detail.html",
        {"client": client, "revoke_form": RevokeForm(), "authority": client.authority()},
    )


@role_required(Role.OPERATOR)
@require_POST
def client_rotate(request: HttpRequest, public_id: str) -> HttpResponse:
    client = get_object_or_404(LRSClient, public_id=public_id)
    try:
        secret = services.lrs_client_rotate(client=client, by=request.user)
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
        return redirect("lrs_backoffice:client", public_id=client.public_id)
    client.refresh_from_db()
    return _secret_page(request, client, secret)


@role_required(Role.OPERATOR)
@require_POST
def client_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    client = get_object_or_404(LRSClient, public_id=public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("폐기 사유를 입력해 주세요."))
        return redirect("lrs_backoffice:client", public_id=client.public_id)
    try:
        services.lrs_client_revoke(
            client=client, reason=form.cleaned_data["reason"], by=request.user
        )
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("자격 증명을 폐기했습니다."))
    return redirect("lrs_backoffice:client", public_id=client.public_id)
