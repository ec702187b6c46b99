"""Helpers for operator lists: pagination and the CSV/XLSX export switch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from seoullearn.core.exports import export_response

PER_PAGE = 50


def paginate(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def export_if_requested(
    request: HttpRequest,
    *,
    filename: str,
    headers: Sequence[str],
    rows: Callable[[], Iterable[Sequence[Any]]],
) -> HttpResponse | None:
    fmt = request.GET.get("export")
    if fmt not in {"csv", "xlsx"}:
        return None
    return export_response(filename=filename, headers=headers, rows=rows(), fmt=fmt)


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()
