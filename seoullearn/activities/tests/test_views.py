from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seoullearn.accounts.tests.factories import GuardianFactory, MentorFactory
from seoullearn.activities.models import (
    CareerApplication,
    ConsultantSlot,
    ConsultingBooking,
    ConsultingSurvey,
    Deliverable,
    LectureRegistration,
)
from seoullearn.activities.tests.factories import (
    ApplicationFactory,
    BookingFactory,
    CohortFactory,
    ConsultantFactory,
    LectureFactory,
    ServiceFactory,
    SlotFactory,
    auditor,
    member,
    operator,
)
from seoullearn.core.models import AccessLog
from seoullearn.core.timeutil import now

pytestmark = pytest.mark.django_db

LEARNER_PAGES = [
    "activities:home",
    "activities:consulting",
    "activities:lectures",
    "activities:career",
]
BACKOFFICE_PAGES = [
    "activities_backoffice:home",
    "activities_backoffice:services",
    "activities_backoffice:slots",
    "activities_backoffice:bookings",
    "activities_backoffice:cohorts",
    "activities_backoffice:lectures",
]


def _login(client, user):
    client.force_login(user)
    return client


def _seed():
    learner = member()
    service = ServiceFactory()
    booking = BookingFactory(learner=learner, service=service)
    SlotFactory()
    LectureFactory()
    cohort = CohortFactory()
    ApplicationFactory(cohort=cohort, learner=learner)
    return learner, booking, cohort


@pytest.mark.parametrize("name", LEARNER_PAGES)
def test_learner_pages_render(client, name):
    learner, _b, _c = _seed()
    assert _login(client, learner).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", LEARNER_PAGES)
@pytest.mark.parametrize("factory", [GuardianFactory, MentorFactory, ConsultantFactory, operator])
def test_learner_pages_refuse_other_roles(client, name, factory):
    assert _login(client, factory()).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", BACKOFFICE_PAGES)
def test_backoffice_pages_render_and_export(client, name):
    _seed()
    staff = operator()
    _login(client, staff)
    assert client.get(reverse(name)).status_code == 200
    if name == "activities_backoffice:bookings":
        assert AccessLog.objects.filter(actor=staff, subject=None, action="view").exists()
    if name != "activities_backoffice:home":
        assert client.get(reverse(name) + "?export=csv")["Content-Type"].startswith("text/csv")
        assert client.get(reverse(name) + "?export=xlsx").status_code == 200
        assert AccessLog.objects.filter(actor=staff, action="export").exists()


@pytest.mark.parametrize("name", BACKOFFICE_PAGES)
@pytest.mark.parametrize("factory", [member, ConsultantFactory, GuardianFactory, auditor])
def test_backoffice_pages_refuse_other_roles(client, name, factory):
    assert _login(client, factory()).get(reverse(name)).status_code == 403


def test_backoffice_filters(client):
    learner, booking, cohort = _seed()
    _login(client, operator())
    page = client.get(reverse("activities_backoffice:bookings") + "?status=cancelled").content
    assert booking.service.name.encode() not in page.split(b"<tbody>")[1]
    page = client.get(reverse("activities_backoffice:bookings") + "?status=booked").content
    assert learner.display_name.encode() in page
    assert client.get(reverse("activities_backoffice:slots") + "?free=1&from=x").status_code == 200
    response = client.get(reverse("activities_backoffice:cohort", args=[cohort.public_id]))
    assert response.status_code == 200


def test_booking_page_for_learner_consultant_operator_and_not_others(client):
    learner, booking, _c = _seed()
    booking.consultant_note = "비공개 메모"
    booking.shared_summary = "공유 요약"
    booking.save()
    url = reverse("activities:booking", args=[booking.public_id])
    page = _login(client, learner).get(url).content.decode()
    assert "공유 요약" in page and "비공개 메모" not in page
    page = _login(client, booking.slot.consultant).get(url).content.decode()
    assert "비공개 메모" in page
    staff = operator()
    page = _login(client, staff).get(url).content.decode()
    assert "비공개 메모" in page
    assert AccessLog.objects.filter(actor=staff, subject=learner).exists()
    assert _login(client, member()).get(url).status_code == 403
    assert _login(client, ConsultantFactory()).get(url).status_code == 403
    assert _login(client, GuardianFactory()).get(url).status_code == 403


def test_learner_books_and_cancels_through_pages(client):
    learner = member()
    service = ServiceFactory()
    slot = SlotFactory()
    _login(client, learner)
    page = client.get(reverse("activities:consulting")).content.decode()
    assert str(slot.public_id) in page
    response = client.post(
        reverse("activities:consulting_book", args=[slot.public_id]),
        {"service": str(service.public_id), "topic": "수학 공부법"},
    )
    booking = ConsultingBooking.objects.get(learner=learner)
    assert response["Location"] == reverse("activities:booking", args=[booking.public_id])
    client.post(reverse("activities:booking_cancel", args=[booking.public_id]), {"reason": ""})
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    response = client.post(
        reverse("activities:consulting_book", args=[slot.public_id]), {"service": "bogus"}
    )
    assert response.status_code == 302
    assert ConsultingBooking.objects.filter(learner=learner).count() == 1


def test_consultant_records_a_session(client):
    _learner, booking, _c = _seed()
    ConsultantSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=now() - dt.timedelta(hours=1), ends_at=now()
    )
    consultant = booking.slot.consultant
    _login(client, consultant)
    assert client.get(reverse("activities:consultant_home")).status_code == 200
    client.post(
        reverse("activities:booking_record", args=[booking.public_id]),
        {"consultant_note": "메모", "shared_summary": "요약", "action": "complete"},
    )
    booking.refresh_from_db()
    assert booking.status == "completed" and booking.consultant_note == "메모"
    other = ConsultantFactory()
    response = _login(client, other).post(
        reverse("activities:booking_record", args=[booking.public_id]),
        {"consultant_note": "덮어쓰기", "shared_summary": "x"},
    )
    assert response.status_code == 403


def test_consultant_creates_slots_and_pattern(client):
    consultant: Any = ConsultantFactory()
    _login(client, consultant)
    start = (now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("activities:consultant_slot_add"),
        {
            "slot-track": "study",
            "slot-starts_at": start,
            "slot-duration_minutes": "50",
            "slot-mode": "online",
        },
    )
    assert ConsultantSlot.objects.filter(consultant=consultant).count() == 1
    first = (now() + dt.timedelta(days=1)).date()
    client.post(
        reverse("activities:consultant_pattern_add"),
        {
            "pattern-track": "admissions",
            "pattern-first_day": first.isoformat(),
            "pattern-last_day": (first + dt.timedelta(days=6)).isoformat(),
            "pattern-weekdays": ["0", "1", "2", "3", "4", "5", "6"],
            "pattern-times": "10:00, 11:00",
            "pattern-duration_minutes": "50",
            "pattern-mode": "offline",
        },
    )
    assert ConsultantSlot.objects.filter(consultant=consultant, track="admissions").count() == 14
    response = client.post(
        reverse("activities:consultant_pattern_add"),
        {"pattern-times": "25:99", "pattern-track": "study"},
    )
    assert response.status_code == 302
    assert _login(client, member()).get(reverse("activities:consultant_home")).status_code == 403


def test_lecture_register_checkin_and_survey_pages(client):
    learner = member()
    lecture = LectureFactory(starts_at=now() - dt.timedelta(minutes=3), checkin_code="MYTH22")
    _login(client, learner)
    client.post(reverse("activities:lecture_register", args=[lecture.public_id]))
    page = client.get(reverse("activities:lectures")).content.decode()
    assert "출석하기" in page
    client.post(reverse("activities:lecture_checkin", args=[lecture.public_id]), {"code": "myth22"})
    reg = LectureRegistration.objects.get(learner=learner)
    assert reg.attended_at is not None
    client.post(reverse("activities:lecture_survey", args=[lecture.public_id]), {"rating": "5"})
    reg.refresh_from_db()
    assert reg.survey.rating == 5


def test_career_apply_upload_and_download_permissions(client):
    learner = member()
    cohort = CohortFactory()
    _login(client, learner)
    client.post(
        reverse("activities:career_apply", args=[cohort.public_id]),
        {"motivation": "환경 문제를 해결하는 프로젝트를 하고 싶어요"},
    )
    application = CareerApplication.objects.get(learner=learner)
    CareerApplication.objects.filter(pk=application.pk).update(status="selected")
    client.post(
        reverse("activities:career_upload", args=[application.public_id]),
        {
            "stage": "project",
            "title": "보고서",
            "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        },
    )
    deliverable = Deliverable.objects.get()
    url = reverse("activities:deliverable_download", args=[deliverable.public_id])
    assert client.get(url).content == b"%PDF-1.4 test"
    assert _login(client, member()).get(url).status_code == 403
    assert _login(client, MentorFactory()).get(url).status_code == 403
    other = member()
    _login(client, other)
    response = client.post(
        reverse("activities:career_upload", args=[application.public_id]),
        {"stage": "project", "title": "x", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 403
    response = client.post(reverse("activities:career_withdraw", args=[application.public_id]))
    assert response.status_code == 403


def test_operator_runs_a_cohort(client):
    cohort = CohortFactory(capacity=5)
    applications = [ApplicationFactory(cohort=cohort, learner=member()) for _i in range(2)]
    staff = operator()
    _login(client, staff)
    url = reverse("activities_backoffice:application_action", args=[applications[0].public_id])
    client.post(url, {"action": "selected"})
    client.post(url, {"action": "stage", "stage": "exploration"})
    client.post(
        reverse("activities_backoffice:cohort_action", args=[cohort.public_id]),
        {"action": "team", "team-name": "초록팀", "team-topic": "분리수거 앱"},
    )
    team = cohort.teams.get()
    client.post(url, {"action": "team", "team": str(team.public_id)})
    client.post(
        reverse("activities_backoffice:cohort_action", args=[cohort.public_id]),
        {"action": "feedback", "team": str(team.public_id), "feedback": "문제 정의가 명확해요"},
    )
    team.refresh_from_db()
    assert team.presentation_feedback == "문제 정의가 명확해요"
    applications[0].refresh_from_db()
    assert applications[0].status == "selected" and applications[0].team == team
    assert applications[0].stage_completions.count() == 1
    client.post(
        reverse("activities_backoffice:application_action", args=[applications[1].public_id]),
        {"action": "rejected", "reason": ""},
    )
    applications[1].refresh_from_db()
    assert applications[1].status == "applied"  # a rejection needs a reason


def test_operator_marks_lecture_attendance(client):
    lecture = LectureFactory()
    learner = member()
    from seoullearn.activities import services

    reg = services.lecture_register(lecture=lecture, learner=learner)
    _login(client, operator())
    page = client.get(reverse("activities_backoffice:lecture", args=[lecture.public_id]))
    assert page.status_code == 200
    client.post(reverse("activities_backoffice:lecture_attend", args=[reg.public_id]))
    reg.refresh_from_db()
    assert reg.attendance_source == "operator"


def test_another_learners_booking_cannot_be_cancelled_or_answered(client):
    booking: Any = BookingFactory(learner=member())
    _login(client, member())
    for name, data in (
        ("activities:booking_cancel", {"reason": "다른 사람 예약"}),
        ("activities:booking_survey", {"rating": "1", "comment": "x"}),
    ):
        response = client.post(reverse(name, args=[booking.public_id]), data)
        assert response.status_code == 403, name
    booking.refresh_from_db()
    assert booking.status == "booked"
    assert not ConsultingSurvey.objects.filter(booking=booking).exists()


def test_a_consultant_cannot_withdraw_another_consultants_slot(client):
    slot = SlotFactory()
    response = _login(client, ConsultantFactory()).post(
        reverse("activities:slot_withdraw", args=[slot.public_id]), {"reason": "x"}, follow=True
    )
    assert "다른 컨설턴트의 일정입니다." in response.content.decode()
    slot.refresh_from_db()
    assert slot.status == ConsultantSlot.Status.OPEN
