"""/xapi/ — the xAPI resources (Communication part 2), plus the OAuth2 token endpoint."""

from __future__ import annotations

from django.urls import path
from oauth2_provider.views import TokenView

from seoullearn.lrs import views

app_name = "lrs"

urlpatterns = [
    path("statements", views.statements, name="statements"),
    path("activities/state", views.state, name="state"),
    path("activities/profile", views.activity_profile, name="activity_profile"),
    path("activities", views.activities, name="activities"),
    path("agents/profile", views.agent_profile, name="agent_profile"),
    path("agents", views.agents, name="agents"),
    path("about", views.about, name="about"),
    path("oauth/token", TokenView.as_view(), name="oauth_token"),
]
