from django.urls import path

from seoullearn.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.home, name="home"),
    path("goals/", views.goals, name="goals"),
    path("goals/add/", views.goal_add, name="goal_add"),
    path("goals/<uuid:goal_id>/status/", views.goal_status, name="goal_status"),
    path("plan/", views.plan, name="plan"),
    path("plan/generate/", views.plan_generate, name="plan_generate"),
    path("plan/<uuid:plan_id>/", views.plan_detail, name="plan_detail"),
    path("plan/<uuid:plan_id>/add/", views.plan_item_add, name="plan_item_add"),
    path("plan/items/<uuid:item_id>/edit/", views.plan_item_edit, name="plan_item_edit"),
    path("plan/items/<uuid:item_id>/done/", views.plan_item_done, name="plan_item_done"),
    path("plan/items/<uuid:item_id>/delete/", views.plan_item_delete, name="plan_item_delete"),
    path("progress/", views.progress, name="progress"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/sync/", views.portfolio_sync, name="portfolio_sync"),
    path("portfolio/pdf/", views.portfolio_pdf, name="portfolio_pdf"),
    path("portfolio/certificates/", views.certificate_add, name="certificate_add"),
    path(
        "portfolio/entries/<uuid:entry_id>/evidence/",
        views.certificate_evidence,
        name="certificate_evidence",
    ),
    path("portfolio/entries/<uuid:entry_id>/", views.portfolio_entry, name="portfolio_entry"),
    path("portfolio/shares/", views.share_create, name="share_create"),
    path("portfolio/shares/<uuid:share_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("shared/<str:token>/pdf/", views.shared_pdf, name="shared_pdf"),
    path("mentor/", views.mentor_home, name="mentor_home"),
    path("guardian/", views.guardian_home, name="guardian_home"),
    path("guardian/<uuid:child_id>/", views.guardian_child, name="guardian_child"),
]
