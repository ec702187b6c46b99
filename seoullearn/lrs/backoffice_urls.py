from __future__ import annotations

from django.urls import path

from seoullearn.lrs import backoffice_views as views

app_name = "lrs_backoffice"

urlpatterns = [
    path("", views.clients, name="clients"),
    path("clients/new", views.client_create, name="client_create"),
    path("clients/<uuid:public_id>/", views.client_detail, name="client"),
    path("clients/<uuid:public_id>/rotate", views.client_rotate, name="client_rotate"),
    path("clients/<uuid:public_id>/revoke", views.client_revoke, name="client_revoke"),
]
