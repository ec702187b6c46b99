from django.urls import path
from oauth2_provider import views as oauth2_views

from seoullearn.enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("offerings/", views.offerings, name="offerings"),
    path("offerings/<uuid:offering_id>/select/", views.select, name="select"),
    path("selections/<uuid:selection_id>/switch/", views.switch, name="switch"),
    path("selections/<uuid:selection_id>/cancel/", views.cancel, name="cancel"),
    path("my/", views.my_sites, name="my_sites"),
    path("seats/<uuid:seat_id>/launch/", views.launch, name="launch"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("portal/", views.portal, name="portal"),
    path("portal/upload/", views.portal_upload, name="portal_upload"),
    # OAuth2 token endpoint for providers' machine clients (client credentials grant).
    path("oauth/token/", oauth2_views.TokenView.as_view(), name="oauth_token"),
]
