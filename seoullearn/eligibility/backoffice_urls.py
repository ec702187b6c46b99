from django.urls import path

from seoullearn.eligibility import backoffice_views as views

app_name = "eligibility_backoffice"

urlpatterns = [
    path("applications/", views.queue, name="queue"),
    path("applications/bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("applications/<uuid:pk>/", views.application_detail, name="application"),
    path("applications/<uuid:pk>/claim/", views.application_claim, name="claim"),
    path("applications/<uuid:pk>/decide/", views.application_decide, name="decide"),
    path("evidence/<uuid:pk>/", views.evidence_file, name="evidence_file"),
    path("members/", views.members, name="members"),
    path("members/<uuid:pk>/", views.member_detail, name="member"),
    path("members/<uuid:pk>/revoke/", views.member_revoke, name="revoke"),
    path("policy/", views.policy, name="policy"),
]
