from django.urls import path

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
]
