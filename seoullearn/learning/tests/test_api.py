from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from seoullearn.accounts.models import GuardianLink
from seoullearn.accounts.tests.factories import GuardianFactory, MentorFactory
from seoullearn.activities.tests.factories import ConsultantFactory, member, operator
from seoullearn.core.timeutil import now, today
from seoullearn.learning import services
from seoullearn.learning.models import PortfolioShare
from seoullearn.learning.tests.factories import AVAILABILITY, learner_with_profile, weekly_goal

pytestmark = pytest.mark.django_db

API = "/api/learning"
PROFILE = {
    "purposes": ["ged"],
    "subjects": ["korean", "history"],
    "learning_style": "reading",
    "session_minutes": 25,
    "availability": AVAILABILITY,
}


def _as(client, user):
    client.force_login(user)
    return client


def test_profile_goals_plan_round_trip(client):
    learner = member()
    _as(client, learner)
    assert client.get(f"{API}/profile").status_code == 404
    response = client.put(f"{API}/profile", PROFILE, content_type="application/json")
    assert response.status_code == 200
    assert client.get(f"{API}/profile").json()["availability"]["wed"] == 90
    goal = client.post(
        f"{API}/goals",
        {
            "title": "한국사 매주 200분",
            "purpose": "ged",
            "subject": "history",
            "metric": "weekly_minutes",
            "target_value": 200,
        },
        content_type="application/json",
    )
    assert goal.status_code == 201
    plan = client.post(f"{API}/plan/generate", {}, content_type="application/json")
    assert plan.status_code == 201
    body = plan.json()
    assert body["why"][0]["text"]
    study = [i for i in body["items"] if not i["fixed"]]
    assert study and all(i["why"] for i in study)
    assert max(i["minutes"] for i in study) <= 25
    assert client.get(f"{API}/plan").json()["id"] == body["id"]
    item = study[-1]
    edited = client.patch(
        f"{API}/plan/items/{item['id']}",
        {"day": item["day"], "minutes": 240, "subject": "history"},
        content_type="application/json",
    )
    assert edited.status_code == 400 and edited.json()["details"]["field"] == "minutes"
    assert client.get(f"{API}/progress").json()["week"]["minutes"] == 0
    assert client.delete(f"{API}/plan/items/{item['id']}").status_code == 204


def test_profile_bad_input(client):
    _as(client, member())
    response = client.put(
        f"{API}/profile",
        {**PROFILE, "availability": {"mon": 2000}, "subjects": ["alchemy"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"minutes_mon", "subjects"} <= set(response.json()["details"]["fields"])
    response = client.put(f"{API}/profile", {"purposes": []}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


def test_wrong_role_and_wrong_owner(client):
    owner = learner_with_profile()
    plan = services.plan_generate(learner=owner)
    item = plan.items.first()
    for user in (GuardianFactory(), ConsultantFactory()):
        _as(client, user)
        assert client.get(f"{API}/plan").status_code == 403
        assert client.get(f"{API}/progress").status_code == 403
        assert client.get(f"{API}/portfolio").status_code == 403
    assert _as(client, operator()).get(f"{API}/plans/{plan.public_id}").status_code == 403
    _as(client, member())
    assert client.get(f"{API}/plans/{plan.public_id}").status_code == 403
    response = client.post(
        f"{API}/plan/items/{item.public_id}/done", {"done": True}, content_type="application/json"
    )
    assert response.status_code == 403
    _as(client, MentorFactory())
    response = client.post(
        f"{API}/plans/{plan.public_id}/comments", {"body": "hi"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert client.get(f"{API}/guardian/children").status_code == 403


def test_portfolio_and_shares_api(client):
    learner = member()
    entry = services.certificate_add(
        learner=learner,
        title="워드프로세서",
        issuer="대한상공회의소",
        occurred_on=today(),
        data=b"%PDF-1.4 cert",
    )
    _as(client, learner)
    listed = client.get(f"{API}/portfolio").json()
    assert listed[0]["verification"] == "pending"
    response = client.patch(
        f"{API}/portfolio/entries/{entry.public_id}",
        {"included": True, "reflection": ""},
        content_type="application/json",
    )
    assert response.status_code == 409
    services.certificate_verify(entry=entry, actor=operator(), approve=True, note="")
    response = client.patch(
        f"{API}/portfolio/entries/{entry.public_id}",
        {"included": True, "reflection": "꾸준히 했다"},
        content_type="application/json",
    )
    assert response.json()["included"]
    share = client.post(
        f"{API}/portfolio/shares",
        {"recipient": "OO기업", "days": 3},
        content_type="application/json",
    ).json()
    assert "/learning/shared/" in share["url"]
    assert client.post(f"{API}/portfolio/shares/{share['id']}/revoke").json()["revoked"]
    assert client.post(f"{API}/portfolio/sync").json() == {"created": 0}
    _as(client, member())
    response = client.patch(
        f"{API}/portfolio/entries/{entry.public_id}",
        {"included": False, "reflection": ""},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_guardian_api_sees_linked_child_only(client):
    guardian: Any = GuardianFactory()
    child = learner_with_profile()
    stranger = learner_with_profile()
    GuardianLink.objects.create(
        learner=child,
        guardian=guardian,
        relationship="모",
        status=GuardianLink.Status.VERIFIED,
        contact="010",
        contact_index="idx",
        channel="sms_sandbox",
        token_hash="tok",
        expires_at=now() + dt.timedelta(days=1),
    )
    _as(client, guardian)
    assert [c["id"] for c in client.get(f"{API}/guardian/children").json()] == [
        str(child.public_id)
    ]
    assert client.get(f"{API}/guardian/children/{child.public_id}/progress").status_code == 200
    assert client.get(f"{API}/guardian/children/{stranger.public_id}/progress").status_code == 403


def test_mentees_api_is_for_mentors(client):
    _as(client, MentorFactory())
    assert client.get(f"{API}/mentor/mentees").json() == []
    _as(client, member())
    assert client.get(f"{API}/mentor/mentees").status_code == 403


def test_wrong_owner_writes_change_nothing(client):
    owner = learner_with_profile()
    plan = services.plan_generate(learner=owner)
    item = plan.items.first()
    goal = weekly_goal(owner)
    entry = services.certificate_add(
        learner=owner,
        title="ITQ",
        issuer="생산성본부",
        occurred_on=today(),
        data=b"\x89PNG\r\n\x1a\n" + b"0" * 64,
    )
    share = PortfolioShare.objects.create(
        learner=owner, recipient="서울고등학교", expires_at=now() + dt.timedelta(days=7)
    )
    _as(client, member())
    calls = [
        ("post", f"{API}/goals/{goal.public_id}/status", {"status": "done"}),
        (
            "patch",
            f"{API}/plan/items/{item.public_id}",
            {"day": item.day.isoformat(), "minutes": 5},
        ),
        ("delete", f"{API}/plan/items/{item.public_id}", None),
        ("patch", f"{API}/portfolio/entries/{entry.public_id}", {"included": True}),
        ("post", f"{API}/portfolio/shares/{share.public_id}/revoke", None),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(
            url, json.dumps(body or {}), content_type="application/json"
        )
        assert response.status_code in (403, 404), (method, url, response.status_code)
    goal.refresh_from_db()
    item.refresh_from_db()
    entry.refresh_from_db()
    share.refresh_from_db()
    assert goal.status == "active" and item.minutes != 5 and not entry.included
    assert share.revoked_at is None
