"""Operator pages: review queue, detail with evidence viewer, decisions, members, policy."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from seoullearn.accounts.tests.factories import (
    AuditorFactory,
    GuardianFactory,
    LearnerFactory,
    OperatorFactory,
)
from seoullearn.core.models import AccessLog
from seoullearn.eligibility import rules, services
from seoullearn.eligibility.models import Application, EligibilityPolicy, Membership
from seoullearn.eligibility.tests.conftest import with_totp
from seoullearn.eligibility.tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    birth_date_for_age,
    png_bytes,
    sandbox_record,
    verified_guardian_consent,
)

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reviewed(*, verified: bool = False, **kwargs: Any) -> Application:
    app: Any = ApplicationFactory(**kwargs)
    if app.applicant.is_under(14):
        verified_guardian_consent(app.applicant)
    for kind in rules.default_policy([]).category(app.category).evidence:  # type: ignore[union-attr]
        services.evidence_add(
            application=app,
            actor=app.applicant,
            kind=kind,
            upload=io.BytesIO(PDF_BYTES),
            filename="a.pdf",
        )
    services.evidence_add(
        application=app,
        actor=app.applicant,
        kind="other",
        upload=io.BytesIO(png_bytes()),
        filename="b.png",
    )
    services.application_submit(application=app, actor=app.applicant)
    if verified:
        sandbox_record(app)
    services.application_verify(application_id=str(app.public_id), round=1)
    app.refresh_from_db()
    return app  # type: ignore[no-any-return]


OPERATOR_PAGES = [
    "/backoffice/eligibility/applications/",
    "/backoffice/eligibility/members/",
    "/backoffice/eligibility/policy/",
]


@pytest.mark.parametrize("path", OPERATOR_PAGES)
def test_operator_pages_refuse_other_roles(path: str, programme: Any, operator: Any) -> None:
    assert client_for(operator).get(path).status_code == 200
    for user in (LearnerFactory(), GuardianFactory(), with_totp(AuditorFactory())):
        assert client_for(user).get(path).status_code == 403
    assert Client().get(path).status_code == 302


def test_operator_without_mfa_is_sent_to_enrol(programme: Any) -> None:
    response = client_for(OperatorFactory()).get("/backoffice/eligibility/applications/")
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_queue_lists_filters_and_logs(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    young = reviewed(
        programme=programme,
        applicant=LearnerFactory(full_name="이초등", birth_date=birth_date_for_age(9)),
        school_level="elementary",
        grade=3,
    )
    old = reviewed(
        programme=programme,
        applicant=LearnerFactory(full_name="박고등", birth_date=birth_date_for_age(17)),
        school_level="high",
        grade=2,
        district_code="11680",
        category="single_parent",
    )
    ApplicationFactory(
        programme=programme, applicant=LearnerFactory(full_name="최초안")
    )  # a draft is never listed
    body = operator_client.get("/backoffice/eligibility/applications/").content.decode()
    assert "이초등" in body and "박고등" in body and "최초안" not in body
    checks = {
        "age_max=12": ("이초등", "박고등"),
        "age_min=15": ("박고등", "이초등"),
        "district=11680": ("박고등", "이초등"),
        "category=single_parent": ("박고등", "이초등"),
        "school_level=elementary": ("이초등", "박고등"),
        "q=이초": ("이초등", "박고등"),
    }
    for query, (present, absent) in checks.items():
        body = operator_client.get(
            f"/backoffice/eligibility/applications/?{query}"
        ).content.decode()
        assert present in body and absent not in body, query
    assert young.verification == "needs_review" and old.verification == "needs_review"
    assert AccessLog.objects.filter(actor=operator, action="search").count() == 7


def test_queue_shows_what_awaits_a_decision_by_default(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    waiting = reviewed(programme=programme, applicant=LearnerFactory(full_name="대기중"))
    done = reviewed(programme=programme, applicant=LearnerFactory(full_name="승인됨"))
    services.application_decide(application=done, actor=operator, decision="approve", reason="ok")
    default = operator_client.get("/backoffice/eligibility/applications/").content.decode()
    assert "대기중" in default and "승인됨" not in default
    everything = operator_client.get(
        "/backoffice/eligibility/applications/?status=all"
    ).content.decode()
    assert "대기중" in everything and "승인됨" in everything
    approved = operator_client.get(
        "/backoffice/eligibility/applications/?status=approved"
    ).content.decode()
    assert "대기중" not in approved and "승인됨" in approved
    assert waiting.status == "in_review"


def test_queue_bad_filters_are_reported(operator_client: Client, programme: Any) -> None:
    body = operator_client.get(
        "/backoffice/eligibility/applications/?age_min=abc&submitted_from=2026-13-01&status=nope"
    ).content.decode()
    assert "나이는 0~120" in body and "YYYY-MM-DD" in body and "알 수 없는 값" in body


def test_queue_paginates(operator_client: Client, programme: Any) -> None:
    for _ in range(52):
        app: Any = ApplicationFactory(programme=programme, status="in_review")
    first = operator_client.get("/backoffice/eligibility/applications/").content.decode()
    second = operator_client.get("/backoffice/eligibility/applications/?page=2").content.decode()
    assert "1 / 2" in first and "2 / 2" in second
    assert str(app.public_id) in first + second


def test_export_csv_and_xlsx_are_logged(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    reviewed(programme=programme, applicant=LearnerFactory(full_name="=cmd|'/c calc'!A1"))
    csv = operator_client.get("/backoffice/eligibility/applications/?export=csv")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,submitted_at,status")
    assert "차상위계층" in text
    assert "'=cmd" in text  # formula injection neutralised
    xlsx = operator_client.get(
        "/backoffice/eligibility/applications/?export=xlsx&category=near_poor"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 2
    exports = AccessLog.objects.filter(action="export", actor=operator)
    assert exports.count() == 2
    assert exports.first().detail.startswith("1 rows")  # type: ignore[union-attr]


def test_detail_shows_everything_and_logs_the_view(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    app = reviewed(programme=programme, verified=True)
    response = operator_client.get(f"/backoffice/eligibility/applications/{app.public_id}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert app.applicant_name in body
    assert "2,000,000" in body  # decrypted household income
    assert "복지 자격 정보(샌드박스)에서" in body
    assert "자동 확인됨" in body
    assert body.count("/backoffice/eligibility/evidence/") >= 4  # viewer + download for two files
    log = AccessLog.objects.get(action="view", actor=operator)
    assert (log.subject, log.object_id) == (app.applicant, str(app.public_id))


def test_draft_detail_is_not_visible(operator_client: Client, programme: Any) -> None:
    draft: Any = ApplicationFactory(programme=programme)
    assert (
        operator_client.get(f"/backoffice/eligibility/applications/{draft.public_id}/").status_code
        == 404
    )


def test_evidence_viewer_inline_and_download_are_logged(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    app = reviewed(programme=programme)
    png = app.evidence.get(kind="other")
    inline = operator_client.get(f"/backoffice/eligibility/evidence/{png.public_id}/")
    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" in inline["Content-Security-Policy"]
    download = operator_client.get(f"/backoffice/eligibility/evidence/{png.public_id}/?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content == png_bytes()
    actions = list(
        AccessLog.objects.filter(actor=operator, subject=app.applicant).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["download", "view"]
    assert (
        client_for(LearnerFactory())
        .get(f"/backoffice/eligibility/evidence/{png.public_id}/")
        .status_code
        == 403
    )
    assert (
        client_for(app.applicant)
        .get(f"/backoffice/eligibility/evidence/{png.public_id}/")
        .status_code
        == 403
    )


def test_claim_decide_and_conflict(
    operator: Any, other_operator: Any, operator_client: Client, programme: Any
) -> None:
    app = reviewed(programme=programme)
    base = f"/backoffice/eligibility/applications/{app.public_id}/"
    assert operator_client.post(base + "claim/").status_code == 302
    other = client_for(other_operator)
    blocked = other.post(base + "decide/", {"decision": "approve", "reason": "ok"})
    assert blocked.status_code == 409
    assert "검토 중입니다" in blocked.content.decode()
    missing_reason = operator_client.post(base + "decide/", {"decision": "approve", "reason": ""})
    assert missing_reason.status_code == 400
    assert (
        operator_client.post(
            base + "decide/", {"decision": "approve", "reason": "서류 확인"}
        ).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == "approved"
    again = other.post(base + "decide/", {"decision": "reject", "reason": "늦은 결정"})
    assert again.status_code == 409
    assert "이미 처리된 신청서" in again.content.decode()
    page = operator_client.get(base).content.decode()
    assert "결정 기록" in page and "서류 확인" in page


def test_bulk_approve_page(operator: Any, operator_client: Client, programme: Any) -> None:
    verified = reviewed(programme=programme, verified=True)
    manual = reviewed(programme=programme)
    queue = operator_client.get("/backoffice/eligibility/applications/").content.decode()
    assert f'value="{verified.public_id}"' in queue
    assert f'value="{manual.public_id}"' not in queue  # only auto-verified can be ticked
    response = operator_client.post(
        "/backoffice/eligibility/applications/bulk-approve/",
        {"applications": [verified.public_id, manual.public_id], "reason": "일괄 승인"},
        follow=True,
    )
    body = response.content.decode()
    assert "1건을 승인했습니다" in body and "1건은 승인하지 않았습니다" in body
    assert Membership.objects.filter(application=verified).exists()
    assert not Membership.objects.filter(application=manual).exists()
    learner_post = client_for(LearnerFactory()).post(
        "/backoffice/eligibility/applications/bulk-approve/",
        {"applications": [manual.public_id], "reason": "x"},
    )
    assert learner_post.status_code == 403


def test_member_search_detail_and_revoke(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    app = reviewed(
        programme=programme, applicant=LearnerFactory(full_name="정회원", username="member01")
    )
    services.application_decide(application=app, actor=operator, decision="approve", reason="ok")
    membership = Membership.objects.get(application=app)
    for query in (
        "q=정회원",
        "q=member01",
        "district=11350",
        "category=near_poor",
        "status=active",
    ):
        assert (
            "정회원"
            in operator_client.get(f"/backoffice/eligibility/members/?{query}").content.decode()
        ), query
    assert (
        "정회원"
        not in operator_client.get(
            "/backoffice/eligibility/members/?category=defector"
        ).content.decode()
    )
    assert AccessLog.objects.filter(action="search", purpose="회원 검색").count() == 6
    csv = operator_client.get("/backoffice/eligibility/members/?export=csv").content.decode(
        "utf-8-sig"
    )
    assert "member01" in csv
    detail = operator_client.get(f"/backoffice/eligibility/members/{membership.public_id}/")
    assert detail.status_code == 200
    assert AccessLog.objects.filter(
        action="view", subject=app.applicant, object_type="Membership"
    ).exists()
    url = f"/backoffice/eligibility/members/{membership.public_id}/revoke/"
    assert operator_client.post(url, {"reason": ""}).status_code == 400
    assert client_for(app.applicant).post(url, {"reason": "x"}).status_code == 403
    assert operator_client.post(url, {"reason": "거주지 이전(경기도)"}).status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.end_reason) == ("revoked", "거주지 이전(경기도)")
    assert operator_client.post(url, {"reason": "again"}).status_code == 409


def test_policy_page_edits_and_validates(
    operator: Any, operator_client: Client, programme: Any
) -> None:
    page = operator_client.get("/backoffice/eligibility/policy/")
    form = page.context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value
    data["age_max"] = 21
    data["reason"] = "2027년 기준 변경"
    response = operator_client.post("/backoffice/eligibility/policy/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = EligibilityPolicy.objects.get(programme=programme)
    assert stored.data["age_max"] == 21
    assert stored.data == {**stored.data, "district_codes": sorted(data["district_codes"])}
    data["near_poor__income_max_pct"] = ""
    bad = operator_client.post("/backoffice/eligibility/policy/", data)
    assert bad.status_code == 400
    assert "소득 확인이 필요한 유형" in bad.content.decode()
    data["near_poor__income_max_pct"] = 50
    data["age_min"] = 30
    bad = operator_client.post("/backoffice/eligibility/policy/", data)
    assert "최대 나이는 최소 나이보다 작을 수 없습니다" in bad.content.decode()
    assert stored.history.count() == 1


def test_approve_all_matching_runs_as_a_job_with_progress_page(
    operator: Any, operator_client: Client, programme: Any, run_tasks: Any
) -> None:
    verified = [reviewed(programme=programme, verified=True) for _ in range(2)]
    queue = operator_client.get(
        "/backoffice/eligibility/applications/?district=11350"
    ).content.decode()
    assert "자동 확인 신청서 2건 모두 승인" in queue
    response = operator_client.post(
        "/backoffice/eligibility/applications/bulk-approve-all/",
        {"district": "11350", "reason": "자동 확인 일괄 승인"},
    )
    assert response.status_code == 302
    job_url = response["Location"]
    page = operator_client.get(job_url).content.decode()
    assert "0 / 2" in page and 'hx-trigger="every 2s"' in page
    run_tasks()
    partial = operator_client.get(job_url, HTTP_HX_REQUEST="true").content.decode()
    assert "2 / 2" in partial and "hx-trigger" not in partial and "<html" not in partial
    assert Membership.objects.filter(application__in=verified).count() == 2
    assert client_for(LearnerFactory()).get(job_url).status_code == 403
    empty = operator_client.post(
        "/backoffice/eligibility/applications/bulk-approve-all/", {"reason": "again"}, follow=True
    )
    assert "조건에 맞는 자동 확인 신청서가 없습니다" in empty.content.decode()
