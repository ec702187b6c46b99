"""The marketplace API: members, providers (OAuth2 client credentials) and operators."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import Client

from seoullearn.accounts.tests.factories import UserFactory
from seoullearn.core.models import AccessLog
from seoullearn.core.roles import Role
from seoullearn.core.timeutil import today
from seoullearn.enrollment import services
from seoullearn.enrollment.models import Selection
from seoullearn.enrollment.tests.factories import member, operator, staff_of, world

pytestmark = pytest.mark.django_db


def _token(client: Client, client_id: str, secret: str, scope: str = "provider") -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/enrollment/oauth/token/",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_selects_switches_and_cancels_through_the_api() -> None:
    w = world()
    learner = member(w.programme)
    client = _logged_in(learner)
    response = client.post(
        "/api/enrollment/selections",
        {"offering_id": str(w.offerings["mbest"].public_id)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["seat_status"] == "provisioning"
    refused = client.post(
        "/api/enrollment/selections",
        {"offering_id": str(w.offerings["soobakc"].public_id)},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "group_cap"
    assert refused.json()["details"]["message_en"].startswith("You may hold only 1")
    english = client.post(
        "/api/enrollment/selections",
        {"offering_id": str(w.offerings["soobakc"].public_id)},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json()["message"].startswith("You may hold only 1")
    listing = client.get("/api/enrollment/selections").json()
    assert [s["id"] for s in listing] == [body["id"]]
    cancelled = client.post(f"/api/enrollment/selections/{body['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "ended"


def test_member_api_refuses_other_roles_and_other_owners() -> None:
    w = world()
    owner, other = member(w.programme), member(w.programme)
    selection = services.selection_select(actor=owner, offering=w.offerings["mbest"])
    anonymous = Client()
    assert anonymous.get("/api/enrollment/selections").status_code == 401
    staff = _logged_in(staff_of(w.contracts["mbest"].provider))
    assert staff.get("/api/enrollment/selections").status_code == 403
    thief = _logged_in(other)
    for path in (
        f"/api/enrollment/selections/{selection.public_id}/cancel",
        f"/api/enrollment/selections/{selection.public_id}/switch",
    ):
        response = thief.post(
            path,
            {"offering_id": str(w.offerings["soobakc"].public_id)},
            content_type="application/json",
        )
        assert response.status_code == 404
    selection.refresh_from_db()
    assert selection.status == Selection.Status.PENDING


def test_bad_input_gets_field_errors() -> None:
    w = world()
    client = _logged_in(member(w.programme))
    response = client.post(
        "/api/enrollment/selections", {"offering_id": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


def _two_providers_with_learners() -> tuple[Any, Any, Any]:
    w = world()
    a_learner, b_learner = member(w.programme), member(w.programme)
    services.selection_select(actor=a_learner, offering=w.offerings["mbest"])
    services.selection_select(actor=b_learner, offering=w.offerings["soobakc"])
    return w, a_learner, b_learner


def test_provider_client_credentials_see_only_their_own_learners() -> None:
    w, a_learner, b_learner = _two_providers_with_learners()
    provider_a = w.contracts["mbest"].provider
    client_id, secret = services.api_client_create(
        actor=operator(), provider=provider_a, name="A reports"
    )
    client = Client()
    token = _token(client, client_id, secret)
    seats = client.get("/api/enrollment/provider/seats", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert seats.status_code == 200
    learners = {row["learner_id"] for row in seats.json()}
    assert learners == {str(a_learner.pseudonym)}
    assert str(b_learner.pseudonym) not in seats.content.decode()
    assert a_learner.username not in seats.content.decode()
    assert AccessLog.objects.filter(purpose="provider seat list").exists()
    page = client.get(
        "/api/enrollment/provider/seats?offset=1&limit=1", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert page.status_code == 200 and page.json() == []
    bad = client.get("/api/enrollment/provider/seats?limit=0", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 400
    # Provider A cannot report usage for provider B's learner.
    report = client.post(
        "/api/enrollment/provider/usage-reports",
        {
            "rows": [
                {
                    "date": (today() - dt.timedelta(days=1)).isoformat(),
                    "learner_id": str(b_learner.pseudonym),
                    "minutes": 5,
                    "lessons_completed": 0,
                }
            ]
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert report.status_code == 200
    assert report.json()["rows_ok"] == 0 and report.json()["errors"][0]["line"] == 1


def test_provider_api_refuses_wrong_scope_members_and_missing_tokens() -> None:
    w, a_learner, _ = _two_providers_with_learners()
    client_id, secret = services.api_client_create(
        actor=operator(), provider=w.contracts["mbest"].provider, name="A"
    )
    client = Client()
    wrong_scope = _token(client, client_id, secret, scope="statements/read")
    assert (
        client.get(
            "/api/enrollment/provider/seats", HTTP_AUTHORIZATION=f"Bearer {wrong_scope}"
        ).status_code
        == 401
    )
    assert client.get("/api/enrollment/provider/seats").status_code == 401
    assert _logged_in(a_learner).get("/api/enrollment/provider/seats").status_code == 401


def test_provider_staff_session_and_csv_upload_is_idempotent() -> None:
    w, a_learner, b_learner = _two_providers_with_learners()
    staff = _logged_in(staff_of(w.contracts["mbest"].provider))
    seats = staff.get("/api/enrollment/provider/seats").json()
    assert [s["learner_id"] for s in seats] == [str(a_learner.pseudonym)]
    day = (today() - dt.timedelta(days=1)).isoformat()
    csv_text = (
        "date,learner_id,minutes,lessons_completed\n"
        f"{day},{a_learner.pseudonym},30,1\n"
        f"{day},{b_learner.pseudonym},30,1\n"
        f"not-a-date,{a_learner.pseudonym},30,1\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload() -> Any:
        return staff.post(
            "/api/enrollment/provider/usage-reports/csv",
            {"file": SimpleUploadedFile("r.csv", csv_text.encode(), "text/csv")},
        )

    first = upload().json()
    assert first["rows_ok"] == 1 and [e["line"] for e in first["errors"]] == [3, 4]
    second = upload().json()
    assert second["duplicate"] and second["report_id"] == first["report_id"]
    usage = staff.get("/api/enrollment/provider/usage?days=7").json()
    assert usage == [{"day": day, "minutes": 30, "lessons": 1, "learners": 1}]
    assert staff.get("/api/enrollment/provider/usage?days=0").status_code == 400
    other = _logged_in(staff_of(w.contracts["soobakc"].provider))
    assert other.get("/api/enrollment/provider/usage").json() == []


def test_operator_figures_need_the_operator_role() -> None:
    w = world()
    learner = member(w.programme)
    assert _logged_in(learner).get("/api/enrollment/budget").status_code == 403
    assert _logged_in(learner).get("/api/enrollment/seat-use").status_code == 403
    op = _logged_in(operator())
    budget = op.get("/api/enrollment/budget").json()
    assert budget["total_krw"] == 7_790_000_000 and budget["remaining_krw"] == 7_790_000_000
    rows = op.get("/api/enrollment/seat-use").json()
    assert {r["provider"] for r in rows} == set(w.offerings)


def test_operator_without_mfa_is_stopped_by_the_middleware() -> None:
    world()
    plain = UserFactory(role=Role.OPERATOR)
    client = _logged_in(plain)
    assert client.get("/api/enrollment/budget").status_code == 403
