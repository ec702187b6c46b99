from django.urls import path

from seoullearn.learning import backoffice_views as views

app_name = "learning_backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("certificates/", views.certificates, name="certificates"),
    path(
        "certificates/<uuid:entry_id>/verify/",
        views.certificate_verify,
        name="certificate_verify",
    ),
]
