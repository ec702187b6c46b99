from django.urls import path

from seoullearn.catalog import backoffice_views as views

app_name = "catalog_bo"

urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_edit, name="provider_new"),
    path("providers/<uuid:public_id>/", views.provider_edit, name="provider_edit"),
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/new/", views.offering_edit, name="offering_new"),
    path("offerings/<uuid:public_id>/", views.offering_edit, name="offering_edit"),
    path("policy/", views.policy_edit, name="policy"),
]
