"""Operator lists: one helper for paging, filters kept in links, and CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from seoullearn.core.exports import export_response
from seoullearn.core.services import access_log_record

PAGE_SIZE = 25


def paginate(request: HttpRequest, qs: Any, per_page: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


def export_if_asked(
    request: HttpRequest,
    *,
    filename: str,
    headers: Sequence[str],
    rows: Callable[[], Iterable[Sequence[Any]]],
    purpose: str,
) -> HttpResponse | None:
    """When ``?export=csv|xlsx`` is present, log the export and return the file."""
    fmt = request.GET.get("export")
    if fmt not in ("csv", "xlsx"):
        return None
    access_log_record(
        actor=request.user,
        subject=None,
        action="export",
        purpose=purpose,
        request=request,
        detail=f"{filename}.{fmt} {query_without_page(request)}"[:300],
    )
    return export_response(filename=filename, headers=headers, rows=rows(), fmt=fmt)


def log_list_view(request: HttpRequest, *, purpose: str) -> None:
    """A page listing several people's personal data: one access-log entry for the page."""
    access_log_record(
        actor=request.user,
        subject=None,
        action="view",
        purpose=purpose,
        request=request,
        detail=query_without_page(request)[:300],
    )
