from django.urls import path

from seoullearn.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("logos/<uuid:public_id>.svg", views.provider_logo, name="logo"),
]
