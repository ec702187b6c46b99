from django.urls import path

from seoullearn.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.home, name="home"),
    path("consulting/", views.consulting, name="consulting"),
    path("consulting/slots/<uuid:slot_id>/book/", views.consulting_book, name="consulting_book"),
    path("consulting/bookings/<uuid:booking_id>/", views.booking, name="booking"),
    path(
        "consulting/bookings/<uuid:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"
    ),
    path(
        "consulting/bookings/<uuid:booking_id>/survey/", views.booking_survey, name="booking_survey"
    ),
    path(
        "consulting/bookings/<uuid:booking_id>/record/", views.booking_record, name="booking_record"
    ),
    path("consultant/", views.consultant_home, name="consultant_home"),
    path("consultant/slots/", views.consultant_slot_add, name="consultant_slot_add"),
    path("consultant/pattern/", views.consultant_pattern_add, name="consultant_pattern_add"),
    path("consulting/slots/<uuid:slot_id>/withdraw/", views.slot_withdraw, name="slot_withdraw"),
    path("lectures/", views.lectures, name="lectures"),
    path("lectures/<uuid:lecture_id>/register/", views.lecture_register, name="lecture_register"),
    path(
        "lectures/<uuid:lecture_id>/unregister/",
        views.lecture_unregister,
        name="lecture_unregister",
    ),
    path("lectures/<uuid:lecture_id>/checkin/", views.lecture_checkin, name="lecture_checkin"),
    path("lectures/<uuid:lecture_id>/survey/", views.lecture_survey, name="lecture_survey"),
    path("career/", views.career, name="career"),
    path("career/cohorts/<uuid:cohort_id>/apply/", views.career_apply, name="career_apply"),
    path(
        "career/applications/<uuid:application_id>/withdraw/",
        views.career_withdraw,
        name="career_withdraw",
    ),
    path(
        "career/applications/<uuid:application_id>/upload/",
        views.career_upload,
        name="career_upload",
    ),
    path(
        "career/deliverables/<uuid:deliverable_id>/",
        views.deliverable_download,
        name="deliverable_download",
    ),
]
