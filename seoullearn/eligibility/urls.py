from django.urls import path

from seoullearn.eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("applications/<uuid:pk>/", views.application_detail, name="application"),
    path("applications/<uuid:pk>/applicant/", views.step_applicant, name="step_applicant"),
    path("applications/<uuid:pk>/household/", views.step_household, name="step_household"),
    path("applications/<uuid:pk>/evidence/", views.step_evidence, name="step_evidence"),
    path(
        "applications/<uuid:pk>/evidence/<uuid:evidence_pk>/delete/",
        views.evidence_delete,
        name="evidence_delete",
    ),
    path("applications/<uuid:pk>/review/", views.step_review, name="step_review"),
    path("applications/<uuid:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("evidence/<uuid:pk>/", views.evidence_file, name="evidence_file"),
    path("children/", views.children, name="children"),
]
