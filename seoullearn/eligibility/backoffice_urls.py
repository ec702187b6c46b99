from django.urls import path

from seoullearn.eligibility import backoffice_views as views

app_name = "eligibility_backoffice"

urlpatterns = [
    path("applications/", views.queue, name="queue"),
    path("applications/bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("applications/bulk-approve-all/", views.bulk_approve_all, name="bulk_approve_all"),
    path("bulk/<uuid:pk>/", views.bulk_job, name="bulk_job"),
    path("exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
    path("applications/<uuid:pk>/", views.application_detail, name="application"),
    path("applications/<uuid:pk>/claim/", views.application_claim, name="claim"),
    path("applications/<uuid:pk>/decide/", views.application_decide, name="decide"),
    path("evidence/<uuid:pk>/", views.evidence_file, name="evidence_file"),
    path("members/", views.members, name="members"),
    path("members/<uuid:pk>/", views.member_detail, name="member"),
    path("members/<uuid:pk>/revoke/", views.member_revoke, name="revoke"),
    path("policy/", views.policy, name="policy"),
]
