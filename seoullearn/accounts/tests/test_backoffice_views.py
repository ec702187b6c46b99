from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from openpyxl import load_workbook

from seoullearn.accounts import selectors
from seoullearn.accounts.models import GuardianLink, User
from seoullearn.accounts.tests.conftest import client_for, invite, link_guardian
from seoullearn.core.models import AccessLog
from seoullearn.core.services import access_log_record

pytestmark = pytest.mark.django_db

OPERATOR_PAGES = [
    "/backoffice/accounts/users/",
    "/backoffice/accounts/users/new/",
    "/backoffice/accounts/outbox/",
]


def _log(actor: User, subject: User, purpose: str) -> None:
    access_log_record(actor=actor, subject=subject, action="view", purpose=purpose)


def test_access_log_search_filters(
    auditor: User, operator: User, learner: User, child: User
) -> None:
    _log(operator, learner, "application review")
    _log(operator, child, "evidence download")
    _log(auditor, learner, "spot check")
    client = client_for(auditor)
    page = client.get("/backoffice/accounts/access-log/", {"actor": "op"})
    rows = list(page.context["page_obj"])
    assert {r.actor_label for r in rows} == {"op"} and len(rows) == 2
    rows = list(
        client.get("/backoffice/accounts/access-log/", {"subject": "kid"}).context["page_obj"]
    )
    assert [r.purpose for r in rows] == ["evidence download"]
    rows = list(
        client.get("/backoffice/accounts/access-log/", {"purpose": "REVIEW"}).context["page_obj"]
    )
    assert [r.subject_label for r in rows] == ["teen"]
    today = dt.date.today().isoformat()
    rows = list(
        client.get(
            "/backoffice/accounts/access-log/", {"date_from": "2000-01-01", "date_to": "2000-01-02"}
        ).context["page_obj"]
    )
    assert rows == []
    rows = list(
        client.get(
            "/backoffice/accounts/access-log/", {"date_from": today, "action": "view"}
        ).context["page_obj"]
    )
    assert len(rows) >= 3
    bad = client.get(
        "/backoffice/accounts/access-log/", {"date_from": "2020-02-02", "date_to": "2020-01-01"}
    )
    assert bad.status_code == 400


def test_access_log_is_paginated(auditor: User, learner: User) -> None:
    for i in range(60):
        _log(auditor, learner, f"p{i}")
    client = client_for(auditor)
    first = client.get("/backoffice/accounts/access-log/")
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].has_next()
    second = client.get("/backoffice/accounts/access-log/?page=2")
    assert len(second.context["page_obj"]) >= 10


def test_access_log_export_csv_and_xlsx_is_logged(
    auditor: User, operator: User, learner: User
) -> None:
    _log(operator, learner, "application review")
    client = client_for(auditor)
    csv_response = client.get("/backoffice/accounts/access-log/", {"export": "csv", "actor": "op"})
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert "application review" in text and "teen" in text
    xlsx = client.get("/backoffice/accounts/access-log/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 2
    exports = AccessLog.objects.filter(actor=auditor, action="export", purpose="access log export")
    assert exports.count() == 2
    assert "actor=op" in exports.order_by("id").first().detail


def test_access_log_refuses_other_roles(learner: User, guardian: User) -> None:
    for user in (learner, guardian):
        assert client_for(user).get("/backoffice/accounts/access-log/").status_code == 403
    from django.test import Client

    assert Client().get("/backoffice/accounts/access-log/").status_code == 302


def test_auditor_is_refused_on_operator_pages(auditor: User, child: User) -> None:
    client = client_for(auditor)
    for url in [*OPERATOR_PAGES, f"/backoffice/accounts/users/{child.public_id}/"]:
        assert client.get(url).status_code == 403, url
    link, _t, _c = invite(child)
    assert (
        client.post(
            f"/backoffice/accounts/links/{link.public_id}/revoke/", {"reason": "x"}
        ).status_code
        == 403
    )


def test_learner_is_refused_on_operator_pages(learner: User) -> None:
    client = client_for(learner)
    for url in OPERATOR_PAGES:
        assert client.get(url).status_code == 403, url


def test_operator_user_list_search_export_and_detail_logging(
    operator: User, child: User, learner: User
) -> None:
    client = client_for(operator)
    page = client.get("/backoffice/accounts/users/", {"q": "kid"})
    assert [u.username for u in page.context["page_obj"]] == ["kid"]
    assert AccessLog.objects.filter(actor=operator, action="search").exists()
    csv_text = client.get(
        "/backoffice/accounts/users/", {"export": "csv", "role": "learner"}
    ).content.decode("utf-8-sig")
    assert "kid" in csv_text and "teen" in csv_text and "op," not in csv_text
    assert AccessLog.objects.filter(
        actor=operator, action="export", purpose="user list export"
    ).exists()
    detail = client.get(f"/backoffice/accounts/users/{child.public_id}/")
    assert detail.status_code == 200
    assert AccessLog.objects.filter(
        actor=operator, subject=child, purpose="operator views account"
    ).exists()


def test_operator_records_in_person_consent(operator: User, child: User) -> None:
    client = client_for(operator)
    url = f"/backoffice/accounts/users/{child.public_id}/"
    bad = client.post(url, {"in_person": "1", "relationship": "", "reason": ""})
    assert bad.status_code == 400 and not selectors.may_apply(child)
    response = client.post(
        url, {"in_person": "1", "relationship": "어머니", "reason": "서면 동의서 확인"}
    )
    assert response.status_code == 302
    assert selectors.may_apply(child)


def test_operator_revokes_guardian_link(operator: User, child: User, guardian: User) -> None:
    link = link_guardian(child, guardian)
    client = client_for(operator)
    client.post(
        f"/backoffice/accounts/links/{link.public_id}/revoke/", {"reason": "보호자 아님 확인"}
    )
    link.refresh_from_db()
    assert link.status == GuardianLink.Status.REVOKED and not selectors.may_apply(child)


def test_operator_creates_staff_account_and_reset_mail_is_sent(operator: User) -> None:
    client = client_for(operator)
    response = client.post(
        "/backoffice/accounts/users/new/",
        {
            "username": "consult1",
            "email": "c1@example.org",
            "full_name": "상담가",
            "role": "consultant",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="consult1")
    assert user.role == "consultant"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["c1@example.org"]
    dup = client.post(
        "/backoffice/accounts/users/new/",
        {"username": "consult1", "email": "c2@example.org", "full_name": "x", "role": "consultant"},
    )
    assert dup.status_code == 400 and "이미 사용 중인 아이디" in dup.content.decode()
    wrong_role = client.post(
        "/backoffice/accounts/users/new/",
        {"username": "x12345", "email": "x@example.org", "full_name": "x", "role": "learner"},
    )
    assert wrong_role.status_code == 400


def test_operator_resets_another_staff_members_mfa(operator: User, auditor: User) -> None:
    from allauth.mfa.models import Authenticator

    from seoullearn.accounts import services

    services.api_token_create(user=auditor, name="x")
    client = client_for(operator)
    url = f"/backoffice/accounts/users/{auditor.public_id}/mfa-reset/"
    client.post(url, {"reason": ""})
    assert Authenticator.objects.filter(user=auditor).exists()
    client.post(url, {"reason": "휴대전화 분실"})
    assert not Authenticator.objects.filter(user=auditor).exists()
    assert not selectors.active_api_tokens(auditor).exists()
    assert AccessLog.objects.filter(actor=operator, subject=auditor, purpose="mfa reset").exists()
    # Not one's own, and never by an auditor.
    client.post(f"/backoffice/accounts/users/{operator.public_id}/mfa-reset/", {"reason": "x"})
    assert Authenticator.objects.filter(user=operator, type="totp").exists()
    assert client_for(operator).post(url, {"reason": "x"}).status_code == 302
    services.mfa_totp_enrol(user=auditor, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    response = client_for(auditor).post(
        f"/backoffice/accounts/users/{operator.public_id}/mfa-reset/", {"reason": "x"}
    )
    assert response.status_code == 403


def test_outbox_shows_sandbox_messages_and_logs_view(operator: User, child: User) -> None:
    _link, token, code = invite(child)
    page = client_for(operator).get("/backoffice/accounts/outbox/").content.decode()
    assert code in page and token in page
    assert AccessLog.objects.filter(actor=operator, purpose="sms sandbox outbox").exists()
    filtered = client_for(operator).get(
        "/backoffice/accounts/outbox/", {"purpose": "guardian_code"}
    )
    assert [m.purpose for m in filtered.context["rows"]] == ["guardian_code"]
