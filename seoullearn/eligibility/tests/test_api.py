"""The eligibility API: every endpoint against the right role, the wrong role and the wrong
owner; the error shape; bad input."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from seoullearn.accounts.models import ApiToken
from seoullearn.accounts.tests.factories import GuardianFactory
from seoullearn.core.models import AccessLog
from seoullearn.eligibility import services
from seoullearn.eligibility.models import Application, Membership
from seoullearn.eligibility.tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    png_bytes,
    sandbox_record,
)

pytestmark = pytest.mark.django_db
API = "/api/eligibility"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def patch_json(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def in_review(*, verified: bool = False, **kwargs: Any) -> Application:
    app: Any = ApplicationFactory(**kwargs)
    services.evidence_add(
        application=app,
        actor=app.applicant,
        kind="near_poor_certificate",
        upload=io.BytesIO(PDF_BYTES),
        filename="a.pdf",
    )
    services.application_submit(application=app, actor=app.applicant)
    if verified:
        sandbox_record(app)
    services.application_verify(application_id=str(app.public_id), round=1)
    app.refresh_from_db()
    return app  # type: ignore[no-any-return]


# --- the learner's journey through the API -------------------------------------------------


def test_learner_journey_via_api(
    learner: Any, programme: Any, learner_client: Client, run_tasks: Any
) -> None:
    created = post_json(learner_client, f"{API}/applications", {})
    assert created.status_code == 201, created.content
    app_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    again = post_json(learner_client, f"{API}/applications", {})
    assert again.status_code == 409
    assert again.json()["code"] == "application_already_open"
    assert again.json()["details"]["application"] == app_id

    bad = patch_json(
        learner_client,
        f"{API}/applications/{app_id}",
        {"applicant_name": "김서울", "school_level": "high", "grade": 9, "district_code": "11350"},
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message", "details"}
    assert "grade" in bad.json()["details"]["fields"]

    updated = patch_json(
        learner_client,
        f"{API}/applications/{app_id}",
        {
            "applicant_name": "김서울",
            "school_level": "high",
            "grade": 2,
            "district_code": "11350",
            "category": "near_poor",
            "household_size": 3,
            "monthly_income_krw": 2_100_000,
        },
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["step"] == 2
    assert updated.json()["category"] == "near_poor"

    not_yet = learner_client.post(f"{API}/applications/{app_id}/submit")
    assert not_yet.status_code == 422
    assert not_yet.json()["code"] == "evidence_missing"

    disguised = learner_client.post(
        f"{API}/applications/{app_id}/evidence",
        {
            "kind": "near_poor_certificate",
            "file": SimpleUploadedFile("x.pdf", png_bytes(), "application/pdf"),
        },
    )
    assert disguised.status_code == 400
    assert disguised.json()["code"] == "file_disguised"

    uploaded = learner_client.post(
        f"{API}/applications/{app_id}/evidence",
        {
            "kind": "near_poor_certificate",
            "file": SimpleUploadedFile("c.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["content_type"] == "application/pdf"

    submitted = learner_client.post(f"{API}/applications/{app_id}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    run_tasks()
    status = learner_client.get(f"{API}/applications/{app_id}").json()
    assert status["status"] == "in_review"
    assert [e["action"] for e in status["events"]] == ["create", "submit", "verify"]
    mine = learner_client.get(f"{API}/applications/mine").json()
    assert [a["id"] for a in mine] == [app_id]
    assert learner_client.get(f"{API}/memberships/mine").json() == []


def test_oversize_upload_is_refused(
    settings: Any, learner: Any, programme: Any, learner_client: Client
) -> None:
    settings.EVIDENCE_MAX_BYTES = 50
    app: Any = ApplicationFactory(applicant=learner, programme=programme)
    response = learner_client.post(
        f"{API}/applications/{app.public_id}/evidence",
        {
            "kind": "near_poor_certificate",
            "file": SimpleUploadedFile("c.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


def test_token_auth_for_scripts(learner: Any, programme: Any) -> None:
    token = ApiToken.generate()
    ApiToken.objects.create(
        user=learner, name="script", token_hash=ApiToken.hash(token), prefix=token[:8]
    )
    client = Client()
    response = client.post(
        f"{API}/applications",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    assert Client().get(f"{API}/applications/mine").status_code == 401


# --- learner endpoints: wrong owner, wrong role ----------------------------------------------


def test_learner_a_never_sees_learner_b(learner: Any, other_learner: Any, programme: Any) -> None:
    theirs: Any = ApplicationFactory(applicant=other_learner, programme=programme)
    evidence = services.evidence_add(
        application=theirs,
        actor=other_learner,
        kind="near_poor_certificate",
        upload=io.BytesIO(PDF_BYTES),
        filename="a.pdf",
    )
    me = client_for(learner)
    url = f"{API}/applications/{theirs.public_id}"
    responses = [
        me.get(url),
        patch_json(me, url, {"category": "defector"}),
        me.post(
            f"{url}/evidence", {"kind": "other", "file": SimpleUploadedFile("c.pdf", PDF_BYTES)}
        ),
        me.delete(f"{url}/evidence/{evidence.public_id}"),
        me.post(f"{url}/submit"),
        post_json(me, f"{url}/withdraw", {"reason": "x"}),
        me.get(f"{API}/evidence/{evidence.public_id}"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert all(r.json()["code"] == "not_found" for r in responses)
    assert me.get(f"{API}/applications/mine").json() == []
    theirs.refresh_from_db()
    assert theirs.status == "draft" and theirs.category == "near_poor"
    assert not AccessLog.objects.exists()


def test_learner_endpoints_refuse_other_roles(operator: Any, learner: Any, programme: Any) -> None:
    app: Any = ApplicationFactory(applicant=learner, programme=programme)
    url = f"{API}/applications/{app.public_id}"
    for user in (operator, GuardianFactory()):
        client = client_for(user)
        responses = [
            client.get(f"{API}/applications/mine"),
            post_json(client, f"{API}/applications", {}),
            client.get(url),
            patch_json(client, url, {"category": "defector"}),
            client.post(
                f"{url}/evidence", {"kind": "other", "file": SimpleUploadedFile("c.pdf", PDF_BYTES)}
            ),
            client.post(f"{url}/submit"),
            post_json(client, f"{url}/withdraw", {"reason": "x"}),
            client.get(f"{API}/memberships/mine"),
        ]
        assert [r.status_code for r in responses] == [403] * len(responses)
        assert responses[0].json()["code"] == "wrong_role"


def test_own_evidence_download_and_delete(
    learner: Any, programme: Any, learner_client: Client
) -> None:
    app: Any = ApplicationFactory(applicant=learner, programme=programme)
    evidence = services.evidence_add(
        application=app,
        actor=learner,
        kind="near_poor_certificate",
        upload=io.BytesIO(PDF_BYTES),
        filename="a.pdf",
    )
    download = learner_client.get(f"{API}/evidence/{evidence.public_id}")
    assert download.status_code == 200 and download.content == PDF_BYTES
    assert (
        learner_client.delete(
            f"{API}/applications/{app.public_id}/evidence/{evidence.public_id}"
        ).status_code
        == 204
    )
    assert not app.evidence.exists()


def test_withdraw_via_api(learner: Any, programme: Any, learner_client: Client) -> None:
    app: Any = ApplicationFactory(applicant=learner, programme=programme)
    response = post_json(
        learner_client, f"{API}/applications/{app.public_id}/withdraw", {"reason": "다음에"}
    )
    assert response.json()["status"] == "withdrawn"
    again = post_json(
        learner_client, f"{API}/applications/{app.public_id}/withdraw", {"reason": "다음에"}
    )
    assert again.status_code == 409


# --- operator review -----------------------------------------------------------------------


def test_review_list_filters_paginates_and_logs(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    apps = [in_review(programme=programme) for _ in range(3)]
    page = operator_client.get(f"{API}/review/applications?limit=2&offset=0").json()
    assert page["count"] == 3 and len(page["items"]) == 2
    rest = operator_client.get(f"{API}/review/applications?limit=2&offset=2").json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [str(a.public_id) for a in apps]
    filtered = operator_client.get(f"{API}/review/applications?verification=auto_verified").json()
    assert filtered["count"] == 0
    bad = operator_client.get(f"{API}/review/applications?status=bogus")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"
    assert operator_client.get(f"{API}/review/applications?limit=1000").status_code == 400
    assert AccessLog.objects.filter(actor=operator, action="search").count() == 3


def test_review_detail_claim_decide(
    operator: Any, other_operator: Any, operator_client: Client, programme: Any
) -> None:
    app = in_review(programme=programme, verified=True)
    url = f"{API}/review/applications/{app.public_id}"
    detail = operator_client.get(url).json()
    assert detail["verification"] == "auto_verified"
    assert detail["monthly_income_krw"] == 2_000_000
    assert {r["verifier"] for r in detail["verification_runs"]} == {
        "rules",
        "sandbox_welfare_registry",
    }
    assert AccessLog.objects.filter(action="view", subject=app.applicant).count() == 1
    assert operator_client.post(f"{url}/claim").json()["claimed_by"] == operator.username
    other = client_for(other_operator)
    assert other.post(f"{url}/claim").status_code == 409
    assert (
        post_json(other, f"{url}/decision", {"decision": "approve", "reason": "x"}).status_code
        == 409
    )
    assert other.post(f"{url}/release").status_code == 409
    missing = post_json(operator_client, f"{url}/decision", {"decision": "approve", "reason": ""})
    assert missing.status_code == 400
    wrong = post_json(operator_client, f"{url}/decision", {"decision": "maybe", "reason": "x"})
    assert wrong.status_code == 400
    decided = post_json(
        operator_client, f"{url}/decision", {"decision": "approve", "reason": "자동 확인"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    late = post_json(other, f"{url}/decision", {"decision": "reject", "reason": "늦음"})
    assert late.status_code == 409
    assert late.json()["code"] == "already_decided"


def test_bulk_approve_api(operator_client: Client, programme: Any) -> None:
    verified = in_review(programme=programme, verified=True)
    manual = in_review(programme=programme)
    response = post_json(
        operator_client,
        f"{API}/review/bulk-approve",
        {"applications": [str(verified.public_id), str(manual.public_id)], "reason": "일괄"},
    )
    assert response.status_code == 200
    assert response.json()["approved"] == [str(verified.public_id)]
    assert list(response.json()["skipped"]) == [str(manual.public_id)]
    assert (
        post_json(
            operator_client, f"{API}/review/bulk-approve", {"applications": [], "reason": "x"}
        ).status_code
        == 400
    )


def test_review_endpoints_refuse_other_roles(learner: Any, programme: Any) -> None:
    app = in_review(programme=programme)
    url = f"{API}/review/applications/{app.public_id}"
    for user in (app.applicant, learner, GuardianFactory()):
        client = client_for(user)
        responses = [
            client.get(f"{API}/review/applications"),
            client.get(url),
            client.post(f"{url}/claim"),
            client.post(f"{url}/release"),
            post_json(client, f"{url}/decision", {"decision": "approve", "reason": "me"}),
            post_json(
                client,
                f"{API}/review/bulk-approve",
                {"applications": [str(app.public_id)], "reason": "x"},
            ),
            client.get(f"{API}/review/memberships"),
        ]
        assert [r.status_code for r in responses] == [403] * len(responses)
    app.refresh_from_db()
    assert app.status == "in_review"


def test_operator_without_mfa_is_refused(programme: Any) -> None:
    from seoullearn.accounts.tests.factories import OperatorFactory

    response = client_for(OperatorFactory()).get(f"{API}/review/applications")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


# --- memberships ---------------------------------------------------------------------------


def test_memberships_own_and_operator_list(
    operator: Any, operator_client: Client, programme: Any, other_learner: Any
) -> None:
    app = in_review(programme=programme)
    services.application_decide(application=app, actor=operator, decision="approve", reason="ok")
    membership = Membership.objects.get(application=app)
    mine = client_for(app.applicant).get(f"{API}/memberships/mine").json()
    assert [m["id"] for m in mine] == [str(membership.public_id)]
    assert mine[0]["category"] == "near_poor"
    assert client_for(other_learner).get(f"{API}/memberships/mine").json() == []
    listing = operator_client.get(
        f"{API}/review/memberships?category=near_poor&status=active"
    ).json()
    assert listing["count"] == 1 and listing["items"][0]["username"] == app.applicant.username
    assert operator_client.get(f"{API}/review/memberships?status=zombie").status_code == 400
    url = f"{API}/review/memberships/{membership.public_id}/revoke"
    assert post_json(client_for(app.applicant), url, {"reason": "x"}).status_code == 403
    revoked = post_json(operator_client, url, {"reason": "허위 서류"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert post_json(operator_client, url, {"reason": "again"}).status_code == 409


# --- policy --------------------------------------------------------------------------------


def test_policy_read_is_public_and_write_is_for_operators(
    operator_client: Client, programme: Any, learner: Any
) -> None:
    policy = Client().get(f"{API}/policy").json()
    assert policy["programme"] == programme.code
    assert len(policy["policy"]["district_codes"]) == 25
    document = policy["policy"] | {"age_max": 19}
    assert (
        client_for(learner)
        .put(
            f"{API}/policy",
            json.dumps({"policy": document, "reason": "x"}),
            content_type="application/json",
        )
        .status_code
        == 403
    )
    ok = operator_client.put(
        f"{API}/policy",
        json.dumps({"policy": document, "reason": "청소년만"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["policy"]["age_max"] == 19
    bad = operator_client.put(
        f"{API}/policy",
        json.dumps({"policy": document | {"district_codes": ["00000"]}, "reason": "x"}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_policy"
    assert "district_codes" in bad.json()["details"]["fields"]


def test_errors_in_english(learner: Any, programme: Any, learner_client: Client) -> None:
    post_json(learner_client, f"{API}/applications", {})
    response = learner_client.post(
        f"{API}/applications", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "already" in response.json()["message"].lower()


def test_openapi_lists_the_eligibility_endpoints(client: Client, programme: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/eligibility/")]
    assert "/api/eligibility/review/applications/{application_id}/decision" in paths
    assert len(paths) >= 14


def test_bulk_approve_all_api(
    operator_client: Client, programme: Any, learner: Any, run_tasks: Any
) -> None:
    in_review(programme=programme, verified=True)
    in_review(programme=programme, verified=True, district_code="11680")
    started = post_json(
        operator_client, f"{API}/review/bulk-approve-all", {"district": "11680", "reason": "일괄"}
    )
    assert started.status_code == 202
    job = started.json()
    assert (job["status"], job["total"]) == ("queued", 1)
    run_tasks()
    done = operator_client.get(f"{API}/review/bulk-jobs/{job['id']}").json()
    assert (done["status"], done["approved"], done["percent"]) == ("done", 1, 100)
    assert client_for(learner).get(f"{API}/review/bulk-jobs/{job['id']}").status_code == 403
    assert (
        post_json(
            client_for(learner), f"{API}/review/bulk-approve-all", {"reason": "x"}
        ).status_code
        == 403
    )
    assert (
        operator_client.get(
            f"{API}/review/bulk-jobs/00000000-0000-0000-0000-000000000000"
        ).status_code
        == 404
    )
