from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db_ok = True
        error = ""
    except Exception as exc:
        db_ok = False
        error = type(exc).__name__
    body = {
        "status": "ok" if db_ok else "error",
        "database": {
            "status": "ok" if db_ok else "error",
            "vendor": connection.vendor,
            "latency_ms": round((time.monotonic() - started) * 1000, 2),
            **({"error": error} if error else {}),
        },
    }
    return JsonResponse(body, status=200 if db_ok else 503)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
