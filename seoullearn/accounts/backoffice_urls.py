from django.urls import path

from seoullearn.accounts import backoffice_views as views

app_name = "accounts_backoffice"

urlpatterns = [
    path("access-log/", views.access_log, name="access_log"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:public_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/mfa-reset/", views.mfa_reset, name="mfa_reset"),
    path("links/<uuid:public_id>/revoke/", views.link_revoke, name="link_revoke"),
    path("outbox/", views.outbox, name="outbox"),
]
