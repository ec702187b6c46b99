"""Closure: operators end matches (planned or not, with a reason), mentors ask for an ending,
both sides answer an exit survey once, the mentee is told what happens next, and operators see
the surveys in aggregate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from seoullearn.accounts.tests.factories import MentorFactory
from seoullearn.core.errors import Conflict, InvalidInput, PermissionDenied, RuleViolation
from seoullearn.core.timeutil import today
from seoullearn.mentoring import selectors, services
from seoullearn.mentoring.models import (
    EndRequest,
    ExitSurvey,
    Match,
    MenteeApplication,
    MentoringGroup,
)
from seoullearn.mentoring.tests.factories import (
    MenteeApplicationFactory,
    make_group,
    make_member,
    make_ready_mentor,
)

pytestmark = pytest.mark.django_db

ANSWERS = {
    "rating": 4,
    "went_well": "질문을 편하게 할 수 있었어요.",
    "could_be_better": "시간이 조금 짧았어요.",
    "would_recommend": True,
}


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def group(term: Any) -> MentoringGroup:
    mentor = make_ready_mentor(term=term)
    return make_group(mentor, [MenteeApplicationFactory(term=term) for _ in range(2)])


def _matches(group: MentoringGroup) -> list[Match]:
    return list(group.matches.order_by("pk").select_related("mentee__user", "group__mentor"))


def _end(match: Match, operator: Any, **kw: Any) -> Match:
    args = {"ending": "planned", "reason_code": "term_end", "reason": ""} | kw
    return services.match_end(actor=operator, match=match, **args)


# --- services ----------------------------------------------------------------------------------


def test_an_ending_needs_a_reason_that_fits_it_and_changes_nothing_when_refused(
    group: MentoringGroup, operator: Any
) -> None:
    first, _second = _matches(group)
    bad = [
        ({"ending": "planned", "reason_code": "schedule"}, InvalidInput, "reason_code"),
        ({"ending": "unplanned", "reason_code": "goals_met"}, InvalidInput, "reason_code"),
        ({"ending": "finished", "reason_code": "term_end"}, InvalidInput, "ending"),
        ({"ending": "unplanned", "reason_code": "other", "reason": "  "}, InvalidInput, "reason"),
        ({"ending": "planned", "reason_code": "term_end", "rematch": True}, RuleViolation, None),
    ]
    for kwargs, error, field in bad:
        with pytest.raises(error) as info:
            _end(first, operator, **kwargs)
        if field:
            assert info.value.details["field"] == field
    with pytest.raises(PermissionDenied):
        _end(first, group.mentor.user)
    first.refresh_from_db()
    assert first.status == "active" and first.end_reason_code == ""
    assert MenteeApplication.objects.filter(status="submitted").count() == 0

    ended = _end(first, operator, ending="unplanned", reason_code="other", reason="전학")
    assert (ended.ending, ended.end_reason_code, ended.end_reason) == ("unplanned", "other", "전학")
    assert ended.ended_by == operator and ended.ended_on is not None
    with pytest.raises(Conflict):
        _end(first, operator)
    # the group goes on while a mentee remains
    group.refresh_from_db()
    assert group.status == "active"


def test_a_mentor_asks_to_end_a_match_once_and_the_ending_accepts_the_request(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, second = _matches(group)
    mentor = group.mentor.user
    other_mentor = make_ready_mentor(term=term).user
    ask = {"ending": "unplanned", "reason_code": "no_contact", "detail": "3주째 연락 없음"}
    with pytest.raises(PermissionDenied):
        services.end_request_submit(mentor_user=other_mentor, match=first, **ask)
    with pytest.raises(PermissionDenied):
        services.end_request_submit(mentor_user=first.mentee.user, match=first, **ask)
    with pytest.raises(InvalidInput):
        services.end_request_submit(mentor_user=mentor, match=first, **{**ask, "ending": "x"})
    assert not EndRequest.objects.exists()

    request = services.end_request_submit(mentor_user=mentor, match=first, **ask)
    # a retry returns the same request; a different one while it is open is refused
    assert services.end_request_submit(mentor_user=mentor, match=first, **ask).pk == request.pk
    with pytest.raises(Conflict) as info:
        services.end_request_submit(
            mentor_user=mentor, match=first, **{**ask, "reason_code": "schedule"}
        )
    assert info.value.code == "already_requested"

    _end(first, operator, ending="unplanned", reason_code="no_contact", rematch=True)
    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_by == operator
    with pytest.raises(Conflict):
        services.end_request_submit(mentor_user=mentor, match=first, **ask)

    # a declined request needs a note, is decided once, and the mentor may ask again later
    second_request = services.end_request_submit(mentor_user=mentor, match=second, **ask)
    with pytest.raises(InvalidInput):
        services.end_request_decline(operator=operator, request=second_request, note=" ")
    with pytest.raises(PermissionDenied):
        services.end_request_decline(operator=mentor, request=second_request, note="아직")
    declined = services.end_request_decline(
        operator=operator, request=second_request, note="보호자와 통화 후 다시 판단"
    )
    assert declined.status == "declined"
    with pytest.raises(Conflict):
        services.end_request_decline(operator=operator, request=second_request, note="다시")
    assert services.end_request_submit(mentor_user=mentor, match=second, **ask).status == "open"


def test_exit_survey_once_per_person_per_ended_match(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, _second = _matches(group)
    mentee, mentor = first.mentee.user, group.mentor.user
    with pytest.raises(Conflict) as info:
        services.exit_survey_submit(user=mentee, match=first, **ANSWERS)
    assert info.value.code == "wrong_state"
    _end(first, operator)
    for stranger in (make_member(), make_ready_mentor(term=term).user, operator):
        with pytest.raises(PermissionDenied):
            services.exit_survey_submit(user=stranger, match=first, **ANSWERS)
    for bad, field in (
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": True}, "rating"),
        ({"would_recommend": None}, "would_recommend"),
        ({"went_well": "가" * 1001}, "went_well"),
        ({"could_be_better": "가" * 1001}, "could_be_better"),
    ):
        with pytest.raises(InvalidInput) as err:
            services.exit_survey_submit(user=mentee, match=first, **{**ANSWERS, **bad})
        assert err.value.details["field"] == field
    assert not ExitSurvey.objects.exists()

    survey = services.exit_survey_submit(user=mentee, match=first, **ANSWERS)
    assert survey.respondent == "mentee" and survey.rating == 4
    # sending the same answers again is harmless; different answers are refused
    again = services.exit_survey_submit(
        user=mentee, match=first, **{**ANSWERS, "went_well": f"  {ANSWERS['went_well']} "}
    )
    assert again.pk == survey.pk
    with pytest.raises(Conflict) as info:
        services.exit_survey_submit(user=mentee, match=first, **{**ANSWERS, "rating": 1})
    assert info.value.code == "already_answered"
    by_mentor = services.exit_survey_submit(
        user=mentor, match=first, **{**ANSWERS, "would_recommend": False}
    )
    assert by_mentor.respondent == "mentor"
    assert ExitSurvey.objects.filter(match=first).count() == 2


def test_what_happens_next_for_the_mentee(group: MentoringGroup, term: Any, operator: Any) -> None:
    first, second = _matches(group)

    def step(match: Match) -> str:
        user = match.mentee.user
        apps = list(MenteeApplication.objects.filter(user=user))
        matches = list(Match.objects.filter(mentee__user=user))
        match.refresh_from_db()
        return selectors.next_step(match, apps, matches)

    assert step(first) == ""  # still active
    _end(first, operator, ending="planned", reason_code="goals_met")
    assert step(first) == "completed"
    _end(second, operator, ending="unplanned", reason_code="schedule", rematch=True)
    assert step(second) == "rematch_waiting"
    # the next run matched the mentee to a new mentor
    fresh = MenteeApplication.objects.get(user=second.mentee.user, status="submitted")
    other = make_ready_mentor(term=term)
    make_group(other, [fresh], started_on=today())
    assert step(second) == "rematched"
    # an unplanned ending without rematch: the mentee may apply again
    third_app = MenteeApplicationFactory(term=term)
    third = make_group(make_ready_mentor(term=term), [third_app]).matches.get()
    _end(third, operator, ending="unplanned", reason_code="mentee_left")
    assert step(third) == "reapply"


def test_exit_surveys_in_aggregate(group: MentoringGroup, term: Any, operator: Any) -> None:
    first, second = _matches(group)
    _end(first, operator, ending="planned", reason_code="goals_met")
    _end(second, operator, ending="unplanned", reason_code="schedule", rematch=True)
    services.exit_survey_submit(user=first.mentee.user, match=first, **ANSWERS)
    services.exit_survey_submit(
        user=second.mentee.user, match=second, **{**ANSWERS, "rating": 2, "would_recommend": False}
    )
    services.exit_survey_submit(user=group.mentor.user, match=first, **{**ANSWERS, "rating": 5})
    summary = selectors.exit_survey_summary(term)
    assert (summary["ended"], summary["planned"], summary["rematched"]) == (2, 1, 1)
    mentee, mentor = summary["sides"]
    assert (mentee["respondent"], mentee["answered"], mentee["mean"]) == ("mentee", 2, 3.0)
    assert mentee["response_rate"] == 1.0 and mentee["recommend_rate"] == 0.5
    assert [r["n"] for r in mentee["spread"]] == [0, 1, 0, 1, 0]
    assert {e["ending"]: e["mean"] for e in mentee["by_ending"]} == {
        "planned": 4.0,
        "unplanned": 2.0,
    }
    assert (mentor["answered"], mentor["response_rate"], mentor["mean"]) == (1, 0.5, 5.0)
    assert {(r["ending"], r["code"], r["n"]) for r in summary["reasons"]} == {
        ("planned", "goals_met", 1),
        ("unplanned", "schedule", 1),
    }


# --- pages -------------------------------------------------------------------------------------


def test_exit_survey_page_is_for_the_mentee_and_the_mentor_only(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, _second = _matches(group)
    url = reverse("mentoring:exit_survey", args=[first.public_id])
    mentee = client_for(first.mentee.user)
    # not ended yet: the page sends the mentee back to the mentoring page
    response = mentee.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:mentee_home")
    _end(first, operator)
    for stranger in (make_member(), make_ready_mentor(term=term).user):
        assert client_for(stranger).get(url).status_code == 403
        assert client_for(stranger).post(url, {"rating": "5"}).status_code == 403
    assert client_for(operator).get(url).status_code == 403
    assert "f-went-well" in mentee.get(url).content.decode()

    # bad input: a precise message, nothing stored, what was typed kept
    page = mentee.post(url, {"rating": "4", "went_well": "좋았어요"}).content.decode()
    assert "추천하고 싶은지 골라 주세요." in page and "좋았어요" in page
    page = mentee.post(url, {"rating": "x", "would_recommend": "yes"}).content.decode()
    assert "숫자를 입력해 주세요." in page
    assert not ExitSurvey.objects.exists()

    form = {"rating": "4", "went_well": "좋았어요", "could_be_better": "", "would_recommend": "yes"}
    assert mentee.post(url, form)["Location"] == reverse("mentoring:mentee_home")
    # a retry (double click) is harmless; different answers are refused
    assert mentee.post(url, form).status_code == 302
    page = mentee.post(url, {**form, "rating": "1"}).content.decode()
    assert "이미 응답했습니다." in page
    survey = ExitSurvey.objects.get()
    assert (survey.respondent, survey.rating, survey.would_recommend) == ("mentee", 4, True)
    assert 'id="survey-answer"' in mentee.get(url).content.decode()

    mentor = client_for(group.mentor.user)
    home = reverse("mentoring:mentor_home")
    assert 'id="pending-surveys"' in mentor.get(home).content.decode()
    response = mentor.post(url, {**form, "would_recommend": "no", "rating": "3"})
    assert response["Location"] == reverse("mentoring:mentor_home")
    assert ExitSurvey.objects.get(respondent="mentor").would_recommend is False
    assert (
        'id="pending-surveys"' not in mentor.get(reverse("mentoring:mentor_home")).content.decode()
    )


def test_the_mentee_page_says_what_happens_next(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, _second = _matches(group)
    _end(first, operator, ending="unplanned", reason_code="schedule", reason="학원", rematch=True)
    page = client_for(first.mentee.user).get(reverse("mentoring:mentee_home")).content.decode()
    assert 'id="next-step"' in page and "이전 멘토와는 다시 매칭되지 않아요" in page
    assert "활동 시간이 맞지 않음" in page
    assert reverse("mentoring:exit_survey", args=[first.public_id]) in page
    english = client_for(first.mentee.user).get(
        reverse("mentoring:mentee_home"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Next step" in english.content.decode()


def test_a_mentor_asks_to_end_a_match_from_the_group_page(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, _second = _matches(group)
    mentor = client_for(group.mentor.user)
    url = reverse("mentoring:end_request", args=[first.public_id])
    assert url in mentor.get(reverse("mentoring:mentor_group")).content.decode()
    assert client_for(make_ready_mentor(term=term).user).get(url).status_code == 403
    assert client_for(MentorFactory()).post(url, {"choice": "planned:term_end"}).status_code == 403
    assert client_for(first.mentee.user).get(url).status_code == 403
    page = mentor.post(url, {"choice": "planned:schedule"}).content.decode()
    assert "종료 구분에 맞는 사유를 선택해 주세요." in page
    page = mentor.post(url, {"choice": "unplanned:other", "detail": ""}).content.decode()
    assert "기타 사유는 자세한 사유를 적어 주세요." in page
    assert not EndRequest.objects.exists()
    response = mentor.post(url, {"choice": "unplanned:mentee_left", "detail": "이사"})
    assert response.status_code == 302
    request = EndRequest.objects.get()
    assert (request.ending, request.reason_code, request.detail) == (
        "unplanned",
        "mentee_left",
        "이사",
    )
    assert "종료 요청 검토 중" in mentor.get(reverse("mentoring:mentor_group")).content.decode()
    assert 'id="open-request"' in mentor.get(url).content.decode()
    # a declined request is explained to the mentor, who may ask again
    client_for(operator).post(
        reverse("mentoring_ops:end_request_decline", args=[request.public_id]),
        {"note": "보호자와 통화해 보겠습니다"},
    )
    page = mentor.get(url).content.decode()
    assert 'id="declined-request"' in page and "보호자와 통화해 보겠습니다" in page
    assert 'name="choice"' in page


def test_operators_end_a_match_from_the_group_page_with_confirmation(
    group: MentoringGroup, operator: Any
) -> None:
    first, second = _matches(group)
    services.end_request_submit(
        mentor_user=group.mentor.user,
        match=first,
        ending="unplanned",
        reason_code="fit",
        detail="활동 방식이 맞지 않음",
    )
    ops = client_for(operator)
    listing = ops.get(reverse("mentoring_ops:groups")).content.decode()
    group_url = reverse("mentoring_ops:group", args=[group.public_id])
    assert group_url in listing and "종료 요청 1건" in listing
    page = ops.get(group_url).content.decode()
    end_url = reverse("mentoring_ops:match_end", args=[first.public_id])
    assert end_url in page and "활동 방식이 맞지 않음" in page
    # the confirmation offers both kinds of ending, the mentor's reason chosen
    confirm = ops.get(end_url).content.decode()
    assert 'id="end-planned"' in confirm and 'id="end-unplanned"' in confirm
    assert 'value="fit" required checked' in confirm
    # a reason of the other kind is refused, and the match stays
    page = ops.post(end_url, {"ending": "planned", "reason_code": "fit"}).content.decode()
    assert "종료 구분에 맞는 사유를 선택해 주세요." in page
    first.refresh_from_db()
    assert first.status == "active"
    response = ops.post(
        end_url, {"ending": "unplanned", "reason_code": "fit", "reason": "", "rematch": "on"}
    )
    assert response["Location"] == group_url
    first.refresh_from_db()
    assert (first.status, first.ending, first.rematch_requested) == ("ended", "unplanned", True)
    assert EndRequest.objects.get().status == "accepted"
    # ending it again only explains
    assert ops.post(end_url, {"ending": "planned", "reason_code": "term_end"}).status_code == 302
    # the other match: a planned ending; the last mentee ends the group
    ops.post(
        reverse("mentoring_ops:match_end", args=[second.public_id]),
        {"ending": "planned", "reason_code": "term_end"},
    )
    group.refresh_from_db()
    assert group.status == "ended"
    assert group_url in ops.get(reverse("mentoring_ops:groups") + "?status=ended").content.decode()
    assert group_url not in ops.get(reverse("mentoring_ops:groups")).content.decode()
    # mentors and members never reach the operator pages
    for user in (group.mentor.user, first.mentee.user):
        assert client_for(user).get(end_url).status_code == 403
        assert client_for(user).post(end_url, {"ending": "planned"}).status_code == 403
        assert client_for(user).get(group_url).status_code == 403


def test_operators_decline_a_request_and_read_the_surveys(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, second = _matches(group)
    request = services.end_request_submit(
        mentor_user=group.mentor.user, match=second, ending="planned", reason_code="goals_met"
    )
    ops = client_for(operator)
    decline = reverse("mentoring_ops:end_request_decline", args=[request.public_id])
    assert client_for(group.mentor.user).post(decline, {"note": "x"}).status_code == 403
    ops.post(decline, {"note": ""})
    request.refresh_from_db()
    assert request.status == "open"
    ops.post(decline, {"note": "기말고사 뒤에 다시 판단"})
    request.refresh_from_db()
    assert request.status == "declined" and request.decision_note == "기말고사 뒤에 다시 판단"

    _end(first, operator, ending="planned", reason_code="goals_met")
    services.exit_survey_submit(
        user=first.mentee.user, match=first, **{**ANSWERS, "went_well": "끝까지 해냈어요"}
    )
    page = ops.get(reverse("mentoring_ops:closure")).content.decode()
    assert "끝까지 해냈어요" in page and 'id="side-mentee"' in page and "목표 달성" in page
    csv = ops.get(reverse("mentoring_ops:closure") + "?export=csv").content.decode()
    assert "끝까지 해냈어요" in csv and str(first.public_id) in csv
    only_mentors = ops.get(reverse("mentoring_ops:closure") + "?respondent=mentor")
    assert "끝까지 해냈어요" not in only_mentors.content.decode()
    assert client_for(group.mentor.user).get(reverse("mentoring_ops:closure")).status_code == 403
    groups_csv = ops.get(reverse("mentoring_ops:groups") + "?status=all&export=csv")
    assert str(group.public_id) in groups_csv.content.decode()


# --- API ---------------------------------------------------------------------------------------


def test_api_closure_endpoints_refuse_the_wrong_role_and_owner(
    group: MentoringGroup, term: Any, operator: Any
) -> None:
    first, _second = _matches(group)
    base = f"/api/mentoring/matches/{first.public_id}"

    def post(user: Any, path: str, body: dict[str, Any]) -> Any:
        return client_for(user).post(f"{base}/{path}", json.dumps(body), "application/json")

    ask = {"ending": "unplanned", "reason_code": "schedule", "detail": ""}
    assert post(make_ready_mentor(term=term).user, "end-request", ask).status_code == 403
    assert post(first.mentee.user, "end-request", ask).status_code == 403
    made = post(group.mentor.user, "end-request", ask)
    assert made.status_code == 200 and made.json()["status"] == "open"

    end = {"ending": "unplanned", "reason_code": "schedule", "rematch": True}
    assert post(group.mentor.user, "end", end).status_code == 403
    bad = post(operator, "end", {**end, "reason_code": "goals_met"})
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "reason_code"
    ended = post(operator, "end", end)
    assert ended.status_code == 200 and ended.json()["rematch_requested"] is True

    survey = {**ANSWERS, "would_recommend": False}
    assert post(make_member(), "exit-survey", survey).status_code == 403
    assert post(operator, "exit-survey", survey).status_code == 403
    assert post(first.mentee.user, "exit-survey", {**survey, "rating": 7}).status_code == 400
    answered = post(first.mentee.user, "exit-survey", survey)
    assert answered.status_code == 200 and answered.json()["respondent"] == "mentee"
    assert post(first.mentee.user, "exit-survey", survey).status_code == 200
    assert post(first.mentee.user, "exit-survey", {**survey, "rating": 1}).status_code == 409
    mine = client_for(first.mentee.user).get("/api/mentoring/me/matches").json()
    assert mine[0]["next_step"] == "rematch_waiting" and mine[0]["exit_survey_answered"] is True
