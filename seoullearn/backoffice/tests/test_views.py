"""The operator home: counts at a glance and a menu built from every app's operator entries."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from seoullearn.accounts.tests.factories import AuditorFactory, GuardianFactory, LearnerFactory
from seoullearn.core import navigation
from seoullearn.core.roles import Role
from seoullearn.eligibility import services
from seoullearn.eligibility.tests.conftest import with_totp
from seoullearn.eligibility.tests.factories import PDF_BYTES, ApplicationFactory, sandbox_record

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_refuses_everyone_but_operators(programme: Any) -> None:
    for user in (LearnerFactory(), GuardianFactory(), with_totp(AuditorFactory())):
        assert client_for(user).get("/backoffice/").status_code == 403
    assert Client().get("/backoffice/").status_code == 302


def test_home_counts_applications_and_members(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    ApplicationFactory(programme=programme)  # a draft
    for district, category in (
        ("11350", "near_poor"),
        ("11350", "near_poor"),
        ("11680", "defector"),
    ):
        app: Any = ApplicationFactory(
            programme=programme,
            district_code=district,
            category=category,
            household={"size": 3, "monthly_income_krw": 1_000_000},
        )
        kind = {"near_poor": "near_poor_certificate", "defector": "defector_certificate"}[category]
        services.evidence_add(
            application=app,
            actor=app.applicant,
            kind=kind,
            upload=io.BytesIO(PDF_BYTES),
            filename="a.pdf",
        )
        services.application_submit(application=app, actor=app.applicant)
        sandbox_record(app)
        services.application_verify(application_id=str(app.public_id), round=1)
        app.refresh_from_db()
        services.application_decide(
            application=app, actor=operator, decision="approve", reason="ok"
        )
    response = operator_client.get("/backoffice/")
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    counts = {row["status"]: row["count"] for row in dashboard.applications}
    assert counts["approved"] == 3 and counts["draft"] == 1
    categories = {row["code"]: row["count"] for row in dashboard.by_category}
    assert (
        categories["near_poor"] == 2
        and categories["defector"] == 1
        and categories["single_parent"] == 0
    )
    districts = {row["code"]: row["count"] for row in dashboard.by_district}
    assert districts["11350"] == 2 and districts["11680"] == 1 and len(districts) == 25
    assert dashboard.members_total == 3
    body = response.content.decode()
    assert "차상위계층" in body and "노원구" in body


def test_menu_lists_every_apps_operator_entries(operator_client: Client, programme: Any) -> None:
    navigation.register(
        "제공기관 관리(테스트)", "eligibility_backoffice:members", roles={Role.OPERATOR}, order=50
    )
    navigation.register("학습자 전용(테스트)", "eligibility:home", roles={Role.LEARNER}, order=50)
    try:
        menu = operator_client.get("/backoffice/").context["menu"]
    finally:
        navigation._ITEMS[:] = [i for i in navigation._ITEMS if "(테스트)" not in str(i.label)]
    labels = [str(item["label"]) for item in menu]
    assert {"신청 심사", "회원 검색", "자격 정책", "제공기관 관리(테스트)"} <= set(labels)
    assert "학습자 전용(테스트)" not in labels
    assert "운영 홈" not in labels  # the home itself is not a card on the home


def test_home_in_english(operator_client: Client, programme: Any) -> None:
    body = operator_client.get("/backoffice/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Operator home" in body and "Members by district" in body
