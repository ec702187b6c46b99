"""CSV and XLSX exports for operator lists (every list an operator sees is exportable)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value) if not isinstance(value, int | float) else value
    # Neutralise spreadsheet formula injection.
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def export_response(
    *, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> HttpResponse:
    """Build a download response; ``fmt`` is "csv" or "xlsx"."""
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("export")
        ws.append(list(headers))
        for row in rows:
            ws.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    text = io.StringIO()
    text.write("\ufeff")  # BOM so that spreadsheet programs read Korean as UTF-8
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
