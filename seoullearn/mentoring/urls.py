from django.urls import path

from seoullearn.mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("mentor/", views.mentor_home, name="mentor_home"),
    path("mentor/apply/", views.mentor_apply, name="mentor_apply"),
    path("mentor/training/", views.mentor_training, name="mentor_training"),
    path("mentor/group/", views.mentor_group, name="mentor_group"),
    path("mentor/sessions/<uuid:session_id>/log/", views.session_log, name="session_log"),
    path("mentor/stipends/", views.mentor_stipends, name="mentor_stipends"),
    path("mentor/matches/<uuid:match_id>/end/", views.end_request, name="end_request"),
    path("matches/<uuid:match_id>/exit-survey/", views.exit_survey, name="exit_survey"),
    path("me/", views.mentee_home, name="mentee_home"),
    path("me/apply/", views.mentee_apply, name="mentee_apply"),
    path("me/sessions/<uuid:session_id>/feedback/", views.mentee_feedback, name="mentee_feedback"),
    path("coordinator/", views.coordinator_home, name="coordinator_home"),
    path(
        "coordinator/<uuid:application_id>/",
        views.coordinator_recommend,
        name="coordinator_recommend",
    ),
    path("events/", views.events, name="events"),
    path("events/<uuid:event_id>/register/", views.event_register, name="event_register"),
    path(
        "awards/<uuid:award_id>/certificate.pdf",
        views.award_certificate,
        name="award_certificate",
    ),
]
