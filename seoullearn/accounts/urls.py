from django.urls import path

from seoullearn.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("me/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("notices/", views.notices, name="notices"),
    path("consents/", views.my_consents, name="consents"),
    path("consents/<uuid:public_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("guardian/", views.guardian_home, name="guardian_home"),
    path("guardian/children/<uuid:public_id>/", views.guardian_child, name="guardian_child"),
    path("guardian/invite/", views.guardian_invite, name="guardian_invite"),
    path("guardian/invite/<uuid:public_id>/resend/", views.guardian_resend, name="guardian_resend"),
    path(
        "guardian/links/<uuid:public_id>/revoke/",
        views.guardian_link_revoke,
        name="guardian_link_revoke",
    ),
    path("guardian/accept/<str:token>/", views.guardian_accept, name="guardian_accept"),
]
