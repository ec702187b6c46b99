"""Pages and API: wrong role and wrong owner are refused; the main flows work."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from seoullearn.accounts.tests.factories import AuditorFactory, MentorFactory
from seoullearn.core.timeutil import today
from seoullearn.mentoring import services
from seoullearn.mentoring.tests.factories import (
    MenteeApplicationFactory,
    MentorApplicationFactory,
    UniversityFactory,
    make_coordinator,
    make_member,
    make_ready_mentor,
)

pytestmark = pytest.mark.django_db

MENTOR_PAGES = ["mentor_home", "mentor_apply", "mentor_training", "mentor_group", "mentor_stipends"]
MENTEE_PAGES = ["mentee_home", "mentee_apply"]
OPS_PAGES = ["pipeline", "training", "runs", "check_ins", "awards"]


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("name", MENTOR_PAGES)
def test_mentor_pages(name: str, term: Any) -> None:
    assert client_for(MentorFactory()).get(reverse(f"mentoring:{name}")).status_code == 200
    assert client_for(make_member()).get(reverse(f"mentoring:{name}")).status_code == 403


@pytest.mark.parametrize("name", MENTEE_PAGES)
def test_mentee_pages(name: str, term: Any) -> None:
    assert client_for(make_member()).get(reverse(f"mentoring:{name}")).status_code == 200
    assert client_for(MentorFactory()).get(reverse(f"mentoring:{name}")).status_code == 403


@pytest.mark.parametrize("name", OPS_PAGES)
def test_operator_pages(name: str, term: Any, operator: Any) -> None:
    url = reverse(f"mentoring_ops:{name}")
    assert client_for(operator).get(url).status_code == 200
    assert client_for(operator).get(url + "?export=csv").status_code == 200
    assert client_for(MentorFactory()).get(url).status_code == 403
    assert client_for(AuditorFactory()).get(url).status_code in (302, 403)


def test_anonymous_is_sent_to_login(term: Any) -> None:
    assert Client().get(reverse("mentoring:mentor_home")).status_code == 302


def test_coordinator_sees_only_own_university(term: Any) -> None:
    mine, theirs = UniversityFactory(), UniversityFactory()
    coordinator = make_coordinator(mine)
    own = MentorApplicationFactory(term=term, university=mine)
    other = MentorApplicationFactory(term=term, university=theirs)
    c = client_for(coordinator)
    page = c.get(reverse("mentoring:coordinator_home")).content.decode()
    assert own.user.display_name in page and other.user.display_name not in page
    assert (
        c.get(reverse("mentoring:coordinator_recommend", args=[other.public_id])).status_code == 403
    )
    response = c.post(
        reverse("mentoring:coordinator_recommend", args=[own.public_id]),
        {"decision": "recommend", "note": "추천합니다"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "recommended"
    assert client_for(MentorFactory()).get(reverse("mentoring:coordinator_home")).status_code == 403


def test_mentor_apply_page_validates(term: Any) -> None:
    univ = UniversityFactory()
    c = client_for(MentorFactory())
    bad = c.post(
        reverse("mentoring:mentor_apply"),
        {"university": str(univ.public_id), "year": "x"},
        follow=True,
    )
    assert "숫자" in bad.content.decode()
    ok = c.post(
        reverse("mentoring:mentor_apply"),
        {
            "university": str(univ.public_id),
            "major": "수학",
            "major_field": "natural_science",
            "year": "2",
            "grade_band": "middle",
            "subjects": ["math"],
            "school_levels": ["middle"],
            "availability": ["mon-ev"],
            "mode": "online",
            "motivation": "수학을 좋아하는 학생들과 함께 공부하고 싶습니다.",
        },
    )
    assert ok.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_mentor_sees_only_own_mentees_and_sessions(
    term: Any, operator: Any, run_tasks: Any
) -> None:
    mentor = make_ready_mentor(term=term, capacity=1)
    other_mentor = make_ready_mentor(term=term, capacity=1)
    a = MenteeApplicationFactory(term=term)
    MenteeApplicationFactory(term=term)
    run = services.matching_run_start(operator=operator, term=term)
    run_tasks()
    run.refresh_from_db()
    ops = client_for(operator)
    review = ops.get(reverse("mentoring_ops:run", args=[run.public_id])).content.decode()
    # the score is explained by component, in words
    assert "과목 30" in review and 'id="publish"' in review
    assert (
        ops.post(
            reverse("mentoring_ops:run", args=[run.public_id]), {"action": "publish"}
        ).status_code
        == 302
    )
    group = mentor.groups.get()
    session = services.session_plan(
        mentor_user=mentor.user,
        group=group,
        date=today(),
        duration_minutes=60,
        mode="online",
        topic="복습",
        online_link="https://meet.example/x",
    )
    mine = client_for(mentor.user)
    mentee_name = group.matches.get().mentee.user.display_name
    assert mentee_name in mine.get(reverse("mentoring:mentor_group")).content.decode()
    assert (
        mentee_name
        not in client_for(other_mentor.user).get(reverse("mentoring:mentor_group")).content.decode()
    )
    url = reverse("mentoring:session_log", args=[session.public_id])
    assert client_for(other_mentor.user).get(url).status_code == 403
    match = group.matches.get()
    assert (
        mine.post(
            url, {"notes": "복습 문제를 풀었습니다.", f"att-{match.public_id}": "on"}
        ).status_code
        == 302
    )
    # API: the mentee sees their match, another member none; the mentor's group endpoint.
    mentee_user = match.mentee.user
    api = client_for(mentee_user).get("/api/mentoring/me/matches").json()
    assert len(api) == 1 and api[0]["score"] == match.score
    assert client_for(mentor.user).get("/api/mentoring/me/matches").status_code == 403
    assert (
        client_for(mentor.user).get("/api/mentoring/mentor/group").json()["mentees"][0]["name"]
        == mentee_name
    )
    fb = client_for(mentee_user).post(
        f"/api/mentoring/sessions/{session.public_id}/feedback",
        json.dumps({"rating": 6}),
        content_type="application/json",
    )
    assert fb.status_code == 400 and fb.json()["code"] == "invalid_input"
    stranger = client_for(a.user if a.user != mentee_user else make_member())
    assert stranger.get(
        reverse("mentoring:mentee_feedback", args=[session.public_id])
    ).status_code in (403, 200)
    assert (
        client_for(make_member())
        .get(reverse("mentoring:mentee_feedback", args=[session.public_id]))
        .status_code
        == 403
    )
    assert client_for(mentor.user).get(f"/api/mentoring/runs/{run.public_id}").status_code == 403
    stip = mine.get(reverse("mentoring:mentor_stipends")).content.decode()
    assert "15,000" in stip


def test_certificate_only_for_owner(term: Any, operator: Any) -> None:
    from seoullearn.mentoring.models import Award

    mentor = make_ready_mentor(term=term)
    award = Award.objects.create(
        term=term,
        kind="honorary_mentor",
        period_start=today(),
        period_end=today(),
        mentor=mentor,
        rank=1,
        score=90.0,
        status="published",
        published_at=dt.datetime.now(dt.UTC),
    )
    url = reverse("mentoring:award_certificate", args=[award.public_id])
    response = client_for(mentor.user).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client_for(make_ready_mentor(term=term).user).get(url).status_code == 403
    assert client_for(make_member()).get(url).status_code == 403


def test_feedback_only_from_a_mentee_who_attended(term: Any) -> None:
    from seoullearn.mentoring.tests.factories import make_group

    group = make_group(
        make_ready_mentor(term=term), [MenteeApplicationFactory(term=term) for _ in range(2)]
    )
    present, absent = (m.mentee.user for m in group.matches.order_by("pk"))
    session = services.session_plan(
        mentor_user=group.mentor.user,
        group=group,
        date=today(),
        duration_minutes=60,
        mode="offline",
        place="노원구립도서관",
        topic="도형의 닮음",
    )
    url = reverse("mentoring:mentee_feedback", args=[session.public_id])
    services.session_log(
        mentor_user=group.mentor.user,
        session=session,
        notes="닮음의 조건을 정리하고 문제를 풀었다.",
        attended={str(m.public_id): m.mentee.user == present for m in group.matches.all()},
    )
    page = client_for(present).get(url).content.decode()
    assert 'id="rating-5"' in page and group.mentor.user.display_name in page
    assert client_for(present).post(url, {"rating": "5", "comment": "좋았어요"}).status_code == 302
    refused = client_for(absent).post(url, {"rating": "4"}, follow=True).content.decode()
    assert "출석한 활동에만" in refused
    feedback = dict(session.attendance.values_list("match__mentee__user", "feedback"))
    assert feedback == {present.pk: 5, absent.pk: None}
    assert client_for(make_member()).get(url).status_code == 403
    home = client_for(present).get(reverse("mentoring:mentee_home")).content.decode()
    assert "5/5" in home and "도형의 닮음" in home


def test_a_refused_application_keeps_what_was_entered(term: Any) -> None:
    univ = UniversityFactory()
    page = (
        client_for(MentorFactory())
        .post(
            reverse("mentoring:mentor_apply"),
            {
                "university": str(univ.public_id),
                "major": "생명과학과",
                "major_field": "natural_science",
                "year": "2",
                "grade_band": "high",
                "subjects": ["science"],
                "school_levels": ["high"],
                "availability": ["sat-am"],
                "mode": "online",
                "motivation": "짧음",
            },
        )
        .content.decode()
    )
    assert "20자 이상" in page
    assert 'value="생명과학과"' in page
    assert 'id="subjects-science" name="subjects" value="science" checked' in page
    assert 'id="availability-sat-am" name="availability" value="sat-am" checked' in page


def test_events_page_splits_upcoming_and_past(term: Any) -> None:
    from seoullearn.mentoring.models import Event, EventRegistration

    member = make_member()
    past = Event.objects.create(
        term=term,
        kind="bonding",
        title="결연식",
        starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=10),
        place="시청",
    )
    Event.objects.create(
        term=term,
        kind="guest_talk",
        title="게스트 특강",
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=10),
        place="온라인",
    )
    EventRegistration.objects.create(event=past, user=member, attended=True)
    page = client_for(member).get(reverse("mentoring:events")).content.decode()
    upcoming, _sep, earlier = page.partition("지난 행사")
    assert "게스트 특강" in upcoming and "결연식" not in upcoming
    assert "결연식" in earlier and "참석" in earlier
    assert upcoming.count("register/") == 1  # only the upcoming event can be signed up for


def test_apply_pages_send_those_who_applied_to_their_status(term: Any) -> None:
    app = MentorApplicationFactory(term=term)
    response = client_for(app.user).get(reverse("mentoring:mentor_apply"))
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:mentor_home")
    mentee = MenteeApplicationFactory(term=term)
    response = client_for(mentee.user).get(reverse("mentoring:mentee_apply"))
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:mentee_home")


def test_feedback_page_refuses_a_learner_who_was_not_there_whatever_the_method(
    term: Any,
) -> None:
    from seoullearn.mentoring.models import MentoringGroup, Session

    group = MentoringGroup.objects.create(
        term=term, mentor=make_ready_mentor(term=term), mode="online", started_on=today()
    )
    session = Session.objects.create(group=group, date=today(), mode="online", topic="비밀 주제")
    url = reverse("mentoring:mentee_feedback", args=[session.public_id])
    stranger = client_for(make_member())
    for response in (stranger.get(url), stranger.post(url, {"rating": "5"})):
        assert response.status_code == 403
        assert "비밀 주제" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "path", "payload", "field"),
    [
        ("operator", "/api/mentoring/runs/not-an-id", None, "run_id"),
        ("operator", "/api/mentoring/runs/not-an-id/publish", {}, "run_id"),
        (
            "mentor",
            "/api/mentoring/sessions/not-an-id/log",
            {"notes": "x", "attended": {}},
            "session_id",
        ),
        ("learner", "/api/mentoring/sessions/not-an-id/feedback", {"rating": 5}, "session_id"),
    ],
)
def test_api_answers_a_malformed_id_with_a_field_error(
    who: str, path: str, payload: Any, field: str, term: Any, operator: Any
) -> None:
    user = {"operator": operator, "mentor": MentorFactory(), "learner": make_member()}[who]
    client = client_for(user)
    client.raise_request_exception = False
    if payload is None:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    else:
        response = client.post(
            path, json.dumps(payload), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input" and body["message"] == "Please check your input."
    assert [error["field"] for error in body["details"]["errors"]] == [f"path.{field}"]


def test_api_session_writes_refuse_other_mentors_and_mentees(term: Any) -> None:
    from seoullearn.mentoring.models import MentoringGroup, Session

    group = MentoringGroup.objects.create(
        term=term, mentor=make_ready_mentor(term=term), mode="online", started_on=today()
    )
    session = Session.objects.create(group=group, date=today(), mode="online", topic="복습")
    base = f"/api/mentoring/sessions/{session.public_id}"
    other_mentor = client_for(make_ready_mentor(term=term).user)
    response = other_mentor.post(
        f"{base}/log", json.dumps({"notes": "남의 기록", "attended": {}}), "application/json"
    )
    assert response.status_code == 403
    stranger = client_for(make_member())
    response = stranger.post(f"{base}/feedback", json.dumps({"rating": 5}), "application/json")
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED and session.notes == ""
