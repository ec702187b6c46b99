from django.urls import path

from seoullearn.accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("notices/", views.notices, name="notices"),
]
