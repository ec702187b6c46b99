from __future__ import annotations

import importlib

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from config.api import api
from seoullearn.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

# Each app's pages at a fixed prefix, and its operator pages under /backoffice/<app>/.
APP_PREFIXES: list[tuple[str, str]] = [
    ("accounts", "accounts/"),
    ("eligibility", "membership/"),
    ("catalog", "catalog/"),
    ("lrs", "xapi/"),
    ("enrollment", "enrollment/"),
    ("mentoring", "mentoring/"),
    ("activities", "activities/"),
    ("learning", "learning/"),
    ("insights", "insights/"),
    ("backoffice", "backoffice/"),
]


def _optional(module_name: str) -> object | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


for app, prefix in APP_PREFIXES:
    if _optional(f"seoullearn.{app}.urls") is not None:
        urlpatterns.append(path(prefix, include(f"seoullearn.{app}.urls")))
    if app != "backoffice" and _optional(f"seoullearn.{app}.backoffice_urls") is not None:
        urlpatterns.append(path(f"backoffice/{app}/", include(f"seoullearn.{app}.backoffice_urls")))

# allauth after our own account pages so that ours take precedence where paths overlap.
urlpatterns.append(path("accounts/", include("allauth.urls")))
