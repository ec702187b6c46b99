from django.urls import path

from seoullearn.enrollment import backoffice_views as views

app_name = "enrollment_bo"

urlpatterns = [
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_edit, name="contract_new"),
    path("contracts/<uuid:public_id>/", views.contract_edit, name="contract_edit"),
    path("seat-use/", views.seat_use, name="seat_use"),
    path("seats/", views.seat_list, name="seat_list"),
    path("seats/<uuid:public_id>/release/", views.seat_release, name="seat_release"),
    path("seats/<uuid:public_id>/retry/", views.seat_retry, name="seat_retry"),
    path("waiting/", views.waiting_list, name="waiting_list"),
    path("reclamation/", views.reclamation, name="reclamation"),
    path("budget/", views.budget, name="budget"),
    path("providers/<uuid:provider_id>/integration/", views.integration, name="integration"),
]
