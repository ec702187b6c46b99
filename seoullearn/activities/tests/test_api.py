from __future__ import annotations

import datetime as dt

import pytest

from seoullearn.accounts.tests.factories import GuardianFactory, MentorFactory
from seoullearn.activities.models import ConsultantSlot
from seoullearn.activities.tests.factories import (
    BookingFactory,
    CohortFactory,
    ConsultantFactory,
    LectureFactory,
    ServiceFactory,
    SlotFactory,
    member,
    operator,
)
from seoullearn.core.timeutil import now

pytestmark = pytest.mark.django_db

API = "/api/activities"


def _as(client, user):
    client.force_login(user)
    return client


def test_services_slots_book_cancel(client):
    learner = member()
    service = ServiceFactory()
    slot = SlotFactory()
    _as(client, learner)
    services = client.get(f"{API}/consulting/services").json()
    assert services[0]["remaining"] == 4 and services[0]["eligible"]
    slots = client.get(f"{API}/consulting/slots?track=study").json()
    assert [s["id"] for s in slots] == [str(slot.public_id)]
    response = client.post(
        f"{API}/consulting/bookings",
        {"slot_id": str(slot.public_id), "service_id": str(service.public_id), "topic": "질문"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    booking = response.json()
    assert booking["consultant_note"] is None
    again = client.post(
        f"{API}/consulting/bookings",
        {"slot_id": str(slot.public_id), "service_id": str(service.public_id)},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "slot_taken"
    cancelled = client.post(
        f"{API}/consulting/bookings/{booking['id']}/cancel", {}, content_type="application/json"
    )
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(f"{API}/consulting/slots?track=astrology").status_code == 400


def test_bad_input_has_one_error_shape(client):
    _as(client, member())
    response = client.post(
        f"{API}/consulting/bookings", {"slot_id": "nope"}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid_input"
    assert {e["field"] for e in body["details"]["errors"]} >= {"slot_id", "service_id"}
    response = client.post(
        f"{API}/consulting/bookings",
        {
            "slot_id": "00000000-0000-0000-0000-000000000000",
            "service_id": "00000000-0000-0000-0000-000000000000",
        },
        content_type="application/json",
    )
    assert response.status_code == 404


def test_wrong_role_and_wrong_owner(client):
    booking = BookingFactory(learner=member())
    for user in (GuardianFactory(), MentorFactory()):
        _as(client, user)
        assert client.get(f"{API}/consulting/services").status_code == 403
        assert client.get(f"{API}/consulting/bookings").status_code == 403
        assert client.get(f"{API}/lectures").status_code == 403
        assert client.get(f"{API}/career/applications").status_code == 403
    _as(client, member())
    assert client.get(f"{API}/consulting/bookings/{booking.public_id}").status_code == 403
    response = client.post(
        f"{API}/consulting/bookings/{booking.public_id}/cancel", {}, content_type="application/json"
    )
    assert response.status_code == 403
    _as(client, ConsultantFactory())
    assert client.get(f"{API}/consulting/bookings/{booking.public_id}").status_code == 403
    response = client.put(
        f"{API}/consulting/bookings/{booking.public_id}/notes",
        {"note": "x", "summary": "y"},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.logout()
    assert client.get(f"{API}/consulting/services").status_code == 401


def test_consultant_api_notes_visible_to_right_roles(client):
    learner = member()
    booking = BookingFactory(learner=learner)
    ConsultantSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=now() - dt.timedelta(hours=1), ends_at=now()
    )
    _as(client, booking.slot.consultant)
    done = client.post(
        f"{API}/consulting/bookings/{booking.public_id}/complete",
        {"note": "비공개", "summary": "공유"},
        content_type="application/json",
    ).json()
    assert done["status"] == "completed" and done["consultant_note"] == "비공개"
    mine = _as(client, learner).get(f"{API}/consulting/bookings/{booking.public_id}").json()
    assert mine["consultant_note"] is None and mine["shared_summary"] == "공유"
    survey = client.post(
        f"{API}/consulting/bookings/{booking.public_id}/survey",
        {"rating": 7},
        content_type="application/json",
    )
    assert survey.status_code == 400
    survey = client.post(
        f"{API}/consulting/bookings/{booking.public_id}/survey",
        {"rating": 5},
        content_type="application/json",
    )
    assert survey.status_code == 201
    staff = _as(client, operator()).get(f"{API}/consulting/bookings/{booking.public_id}").json()
    assert staff["consultant_note"] == "비공개"


def test_consultant_creates_slot_learner_cannot(client):
    payload = {"track": "study", "starts_at": (now() + dt.timedelta(days=2)).isoformat()}
    _as(client, ConsultantFactory())
    assert (
        client.post(f"{API}/consulting/slots", payload, content_type="application/json").status_code
        == 201
    )
    _as(client, member())
    assert (
        client.post(f"{API}/consulting/slots", payload, content_type="application/json").status_code
        == 403
    )


def test_lectures_register_checkin_survey(client):
    lecture = LectureFactory(starts_at=now() - dt.timedelta(minutes=1), checkin_code="ROBOT1")
    _as(client, member())
    listed = client.get(f"{API}/lectures").json()
    assert listed[0]["stream_url"] is None  # the link is for registered learners
    assert client.post(f"{API}/lectures/{lecture.public_id}/registration").status_code == 201
    assert client.get(f"{API}/lectures").json()[0]["stream_url"]
    wrong = client.post(
        f"{API}/lectures/{lecture.public_id}/check-in",
        {"code": "X"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    ok = client.post(
        f"{API}/lectures/{lecture.public_id}/check-in",
        {"code": "ROBOT1"},
        content_type="application/json",
    )
    assert ok.json()["attended_at"]
    assert (
        client.post(
            f"{API}/lectures/{lecture.public_id}/survey",
            {"rating": 4},
            content_type="application/json",
        ).status_code
        == 201
    )


def test_career_api(client):
    cohort = CohortFactory()
    learner = member()
    _as(client, learner)
    assert client.get(f"{API}/career/cohorts").json()[0]["stages"] == [
        "exploration",
        "project",
        "company_visit",
        "presentation",
    ]
    short = client.post(
        f"{API}/career/cohorts/{cohort.public_id}/applications",
        {"motivation": "짧아"},
        content_type="application/json",
    )
    assert short.status_code == 400
    created = client.post(
        f"{API}/career/cohorts/{cohort.public_id}/applications",
        {"motivation": "기업 탐방을 꼭 해 보고 싶습니다"},
        content_type="application/json",
    )
    assert created.status_code == 201
    application_id = created.json()["id"]
    _as(client, member())
    assert client.post(f"{API}/career/applications/{application_id}/withdraw").status_code == 403
    _as(client, learner)
    assert client.post(f"{API}/career/applications/{application_id}/withdraw").json()["status"] == (
        "withdrawn"
    )


def test_wrong_owner_writes_change_nothing(client):
    from seoullearn.activities.models import CareerApplication, ConsultingBooking
    from seoullearn.activities.tests.factories import ApplicationFactory

    booking = BookingFactory(learner=member())
    ConsultantSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=now() - dt.timedelta(hours=2), ends_at=now() - dt.timedelta(hours=1)
    )
    career = ApplicationFactory(learner=member())
    _as(client, member())
    url = f"{API}/consulting/bookings/{booking.public_id}"
    survey = client.post(f"{url}/survey", {"rating": 1}, content_type="application/json")
    assert survey.status_code == 403
    withdraw = client.post(
        f"{API}/career/applications/{career.public_id}/withdraw", content_type="application/json"
    )
    assert withdraw.status_code == 403
    _as(client, ConsultantFactory())
    for action in ("complete", "no-show"):
        response = client.post(
            f"{url}/{action}",
            {"reason": "x", "note": "x", "summary": "x"},
            content_type="application/json",
        )
        assert response.status_code == 403, action
    booking.refresh_from_db()
    career.refresh_from_db()
    assert booking.status == ConsultingBooking.Status.BOOKED
    assert career.status == CareerApplication.Status.APPLIED
