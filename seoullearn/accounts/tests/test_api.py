"""Every accounts API endpoint: happy path, wrong role, wrong owner, bad input, one error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from seoullearn.accounts import selectors, services
from seoullearn.accounts.models import ConsentRecord, User
from seoullearn.accounts.tests.conftest import client_for, invite, link_guardian
from seoullearn.core.models import AccessLog

pytestmark = pytest.mark.django_db
Kind = services.Kind


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


def _is_error(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    if code:
        assert body["code"] == code


def test_anonymous_gets_401_except_notices() -> None:
    client = Client()
    for url in (
        "/api/accounts/me",
        "/api/accounts/tokens",
        "/api/accounts/consents",
        "/api/accounts/children",
    ):
        _is_error(client.get(url), 401, "not_authenticated")
    assert client.get("/api/accounts/notices").status_code == 200


def test_notices_in_korean_and_english() -> None:
    ko = Client().get("/api/accounts/notices").json()
    assert {n["kind"] for n in ko} == set(Kind.values)
    en = Client().get("/api/accounts/notices", HTTP_ACCEPT_LANGUAGE="en").json()
    assert any(n["title"] == "Seoul Learn terms of use" for n in en)


def test_me_get_and_patch(learner: User) -> None:
    from seoullearn.programmes.models import District

    client = client_for(learner)
    me = client.get("/api/accounts/me").json()
    assert me["username"] == "teen" and me["may_apply"] is True and me["learner_profile"]
    code = District.objects.first().code
    patched = _json(
        client,
        "patch",
        "/api/accounts/me",
        {"phone": "01077778888", "school_level": "high", "grade": 2, "district_code": code},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["phone"] == "010-7777-8888"
    assert patched.json()["learner_profile"]["district_code"] == code
    learner.refresh_from_db()
    assert learner.phone_index == selectors.phone_index("01077778888")
    _is_error(_json(client, "patch", "/api/accounts/me", {"phone": "12"}), 400, "invalid_phone")
    _is_error(_json(client, "patch", "/api/accounts/me", {"grade": 9}), 400, "invalid_grade")
    _is_error(_json(client, "patch", "/api/accounts/me", {"grade": "x"}), 400, "invalid_input")


def test_me_patch_learner_fields_refused_for_guardian(guardian: User) -> None:
    response = _json(client_for(guardian), "patch", "/api/accounts/me", {"school_level": "high"})
    _is_error(response, 403, "wrong_role")


def test_tokens_create_list_revoke_and_use(learner: User, child: User) -> None:
    client = client_for(learner)
    created = _json(client, "post", "/api/accounts/tokens", {"name": "cron", "expires_in_days": 7})
    assert created.status_code == 201
    raw = created.json()["token"]
    listed = client.get("/api/accounts/tokens").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]
    assert client_for(child).get("/api/accounts/tokens").json()["count"] == 0  # wrong owner
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/accounts/me").json()["username"] == "teen"
    public_id = created.json()["public_id"]
    # Wrong owner.
    _is_error(client_for(child).post(f"/api/accounts/tokens/{public_id}/revoke"), 404)
    assert client.post(f"/api/accounts/tokens/{public_id}/revoke").json()["revoked_at"]
    _is_error(bearer.get("/api/accounts/me"), 401)
    _is_error(
        _json(client, "post", "/api/accounts/tokens", {"name": "", "expires_in_days": 7}), 400
    )
    _is_error(Client(HTTP_AUTHORIZATION="Bearer slt_nonsense").get("/api/accounts/me"), 401)


def test_staff_token_creation_needs_mfa_but_session_is_blocked_first(operator: User) -> None:
    from seoullearn.accounts.tests.factories import OperatorFactory

    bare = OperatorFactory(username="bare")
    _is_error(
        _json(client_for(bare), "post", "/api/accounts/tokens", {"name": "x"}), 403, "mfa_required"
    )
    assert (
        _json(client_for(operator), "post", "/api/accounts/tokens", {"name": "x"}).status_code
        == 201
    )


def test_consents_list_give_withdraw(learner: User, child: User) -> None:
    client = client_for(learner)
    listed = client.get("/api/accounts/consents").json()
    assert {c["notice_kind"] for c in listed} >= {Kind.TERMS, Kind.PRIVACY}
    given = _json(client, "post", "/api/accounts/consents", {"notice_kind": Kind.LEARNING_DATA})
    assert given.status_code == 201 and given.json()["active"]
    _is_error(
        _json(client, "post", "/api/accounts/consents", {"notice_kind": "nope"}),
        400,
        "unknown_notice",
    )
    _is_error(
        _json(client, "post", "/api/accounts/consents", {"notice_kind": Kind.GUARDIAN}),
        400,
        "guardian_consent_by_guardian_only",
    )
    record_id = given.json()["public_id"]
    # Wrong owner: another learner cannot withdraw it or read it.
    _is_error(
        _json(
            client_for(child),
            "post",
            f"/api/accounts/consents/{record_id}/withdraw",
            {"reason": "x"},
        ),
        404,
    )
    _is_error(client_for(child).get(f"/api/accounts/consents?subject={learner.public_id}"), 404)
    _is_error(
        _json(client, "post", f"/api/accounts/consents/{record_id}/withdraw", {"reason": ""}), 400
    )
    done = _json(
        client, "post", f"/api/accounts/consents/{record_id}/withdraw", {"reason": "싫어요"}
    )
    assert done.status_code == 200 and done.json()["active"] is False
    assert done.json()["withdrawal_effect"]
    _is_error(
        _json(client, "post", f"/api/accounts/consents/{record_id}/withdraw", {"reason": "x"}),
        409,
        "already_withdrawn",
    )


def test_guardian_reads_and_withdraws_only_own_childs_consents(
    child: User, other_child: User, guardian: User, other_guardian: User
) -> None:
    link_guardian(child, guardian)
    client = client_for(guardian)
    listed = client.get(f"/api/accounts/consents?subject={child.public_id}").json()
    assert any(c["notice_kind"] == Kind.GUARDIAN for c in listed)
    assert AccessLog.objects.filter(actor=guardian, subject=child).exists()
    _is_error(client.get(f"/api/accounts/consents?subject={other_child.public_id}"), 404)
    _is_error(
        client_for(other_guardian).get(f"/api/accounts/consents?subject={child.public_id}"), 404
    )
    children = client.get("/api/accounts/children").json()
    assert [c["public_id"] for c in children] == [str(child.public_id)]
    assert children[0]["may_apply"] is True
    assert client_for(other_guardian).get("/api/accounts/children").json() == []
    _is_error(client_for(child).get("/api/accounts/children"), 403, "wrong_role")
    record = ConsentRecord.objects.get(
        subject=child, notice__kind=Kind.GUARDIAN, withdrawn_at__isnull=True
    )
    _is_error(
        _json(
            client_for(other_guardian),
            "post",
            f"/api/accounts/consents/{record.public_id}/withdraw",
            {"reason": "x"},
        ),
        404,
    )
    ok = _json(
        client, "post", f"/api/accounts/consents/{record.public_id}/withdraw", {"reason": "철회"}
    )
    assert ok.status_code == 200 and not selectors.may_apply(child)


def test_invitation_create_list_resend_revoke(
    child: User, other_child: User, guardian: User
) -> None:
    client = client_for(child)
    created = _json(
        client,
        "post",
        "/api/accounts/guardian-invitations",
        {"guardian_name": "김보호", "relationship": "어머니", "phone": "010-3333-4444"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["phone_masked"] == "010-****-4444" and body["status"] == "invited"
    assert len(client.get("/api/accounts/guardian-invitations").json()) == 1
    # Wrong role: a guardian cannot create invitations; wrong owner: another learner.
    bad_role = _json(
        client_for(guardian),
        "post",
        "/api/accounts/guardian-invitations",
        {"guardian_name": "x", "relationship": "x", "phone": "010-3333-4444"},
    )
    _is_error(bad_role, 403, "wrong_role")
    other = client_for(other_child)
    assert other.get("/api/accounts/guardian-invitations").json() == []
    _is_error(other.post(f"/api/accounts/guardian-invitations/{body['public_id']}/resend"), 404)
    _is_error(
        _json(
            other,
            "post",
            f"/api/accounts/guardian-invitations/{body['public_id']}/revoke",
            {"reason": "x"},
        ),
        404,
    )
    resent = client.post(f"/api/accounts/guardian-invitations/{body['public_id']}/resend")
    assert resent.status_code == 200 and resent.json()["sent_count"] == 2
    revoked = _json(
        client,
        "post",
        f"/api/accounts/guardian-invitations/{body['public_id']}/revoke",
        {"reason": "취소"},
    )
    assert revoked.json()["status"] == "revoked"
    _is_error(
        _json(
            client,
            "post",
            "/api/accounts/guardian-invitations",
            {"guardian_name": "x", "relationship": "x", "phone": "02-111-2222"},
        ),
        400,
        "invalid_phone",
    )


def test_invitation_accept_by_api(child: User, guardian: User, learner: User) -> None:
    _link, token, code = invite(child)
    body = {"token": token, "code": code, "consents": list(services.GUARDIAN_NOTICE_KINDS)}
    _is_error(
        _json(client_for(learner), "post", "/api/accounts/guardian-invitations/accept", body), 403
    )
    wrong = {**body, "code": "000000" if code != "000000" else "111111"}
    _is_error(
        _json(client_for(guardian), "post", "/api/accounts/guardian-invitations/accept", wrong),
        400,
        "wrong_code",
    )
    _is_error(
        _json(
            client_for(guardian),
            "post",
            "/api/accounts/guardian-invitations/accept",
            {**body, "code": "12"},
        ),
        400,
        "invalid_input",
    )
    ok = _json(client_for(guardian), "post", "/api/accounts/guardian-invitations/accept", body)
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    assert selectors.may_apply(child)
    again = _json(client_for(guardian), "post", "/api/accounts/guardian-invitations/accept", body)
    _is_error(again, 409, "link_verified")
    listed = client_for(guardian).get("/api/accounts/guardian-invitations").json()
    assert [i["learner"] for i in listed] == [str(child.public_id)]


def test_session_api_writes_need_csrf(learner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = _json(client, "post", "/api/accounts/tokens", {"name": "x"})
    assert response.status_code in (401, 403)


def test_english_error_messages(learner: User) -> None:
    response = client_for(learner).patch(
        "/api/accounts/me",
        data=json.dumps({"phone": "12"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Enter the mobile number as 010-1234-5678."
