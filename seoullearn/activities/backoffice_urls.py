from django.urls import path

from seoullearn.activities import backoffice_views as views

app_name = "activities_backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services_list, name="services"),
    path("services/seed/", views.services_seed, name="services_seed"),
    path("services/<uuid:service_id>/", views.service_edit, name="service_edit"),
    path("slots/", views.slots, name="slots"),
    path("slots/add/", views.slot_add, name="slot_add"),
    path("bookings/", views.bookings, name="bookings"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts/<uuid:cohort_id>/", views.cohort, name="cohort"),
    path("cohorts/<uuid:cohort_id>/action/", views.cohort_action, name="cohort_action"),
    path(
        "applications/<uuid:application_id>/", views.application_action, name="application_action"
    ),
    path("lectures/", views.lectures, name="lectures"),
    path("lectures/<uuid:lecture_id>/", views.lecture, name="lecture"),
    path(
        "registrations/<uuid:registration_id>/attend/", views.lecture_attend, name="lecture_attend"
    ),
]
