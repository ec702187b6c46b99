from django.urls import path

from seoullearn.mentoring import backoffice_views as views

app_name = "mentoring_ops"

urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("applications/<uuid:application_id>/", views.application_detail, name="application"),
    path("training/", views.training, name="training"),
    path("matching/", views.runs, name="runs"),
    path("matching/<uuid:run_id>/", views.run_detail, name="run"),
    path("check-ins/", views.check_ins, name="check_ins"),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:group_id>/", views.group_detail, name="group"),
    path("matches/<uuid:match_id>/end/", views.match_end, name="match_end"),
    path("closure/", views.closure, name="closure"),
    path(
        "end-requests/<uuid:request_id>/decline/",
        views.end_request_decline,
        name="end_request_decline",
    ),
    path("awards/", views.awards, name="awards"),
]
