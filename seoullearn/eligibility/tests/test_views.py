"""Learner and guardian pages: the journey, the status page, my membership, evidence files.

Every page is checked against the wrong role and the wrong owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from seoullearn.accounts.tests.factories import GuardianFactory, LearnerFactory
from seoullearn.core.models import AccessLog
from seoullearn.eligibility import services
from seoullearn.eligibility.models import Application, Evidence, Membership
from seoullearn.eligibility.tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    birth_date_for_age,
    png_bytes,
    verified_guardian_consent,
)

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft_of(learner: Any, programme: Any, **kwargs: Any) -> Application:
    return ApplicationFactory(applicant=learner, programme=programme, **kwargs)  # type: ignore[return-value]


def add_pdf(app: Application, kind: str = "near_poor_certificate") -> Evidence:
    import io

    return services.evidence_add(
        application=app,
        actor=app.applicant,
        kind=kind,
        upload=io.BytesIO(PDF_BYTES),
        filename="a.pdf",
    )


# --- the whole journey through the pages ---------------------------------------------------


def test_journey_in_four_steps(learner: Any, programme: Any, learner_client: Client) -> None:
    page = learner_client.get("/membership/apply/")
    assert page.status_code == 200
    assert "신청서 작성 시작" in page.content.decode()

    response = learner_client.post("/membership/apply/")
    app = Application.objects.get(applicant=learner)
    assert response.status_code == 302
    assert response["Location"] == f"/membership/applications/{app.public_id}/applicant/"

    step1 = learner_client.get(response["Location"])
    assert step1.status_code == 200
    assert "신청자 정보" in step1.content.decode()
    response = learner_client.post(
        f"/membership/applications/{app.public_id}/applicant/",
        {
            "applicant_name": "김서울",
            "school_level": "middle",
            "grade": "3",
            "school_name": "노원중학교",
            "district_code": "11350",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/household/")

    response = learner_client.post(
        f"/membership/applications/{app.public_id}/household/",
        {"category": "basic_livelihood", "household_size": "3", "monthly_income_krw": "1200000"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/evidence/")

    response = learner_client.post(
        f"/membership/applications/{app.public_id}/evidence/",
        {
            "kind": "basic_livelihood_certificate",
            "file": SimpleUploadedFile(
                "certificate.pdf", PDF_BYTES, content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    review = learner_client.get(f"/membership/applications/{app.public_id}/review/")
    body = review.content.decode()
    assert review.status_code == 200
    assert "김서울" in body and "국민기초생활보장 수급권자" in body
    assert "충족" in body

    response = learner_client.post(f"/membership/applications/{app.public_id}/review/")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    status = learner_client.get(f"/membership/applications/{app.public_id}/")
    assert "신청서를 받았습니다" in status.content.decode()


def test_draft_saving_keeps_values(learner: Any, programme: Any, learner_client: Client) -> None:
    app = services.application_start(applicant=learner, programme=programme)
    response = learner_client.post(
        f"/membership/applications/{app.public_id}/applicant/",
        {
            "applicant_name": "김서울",
            "school_level": "high",
            "grade": "1",
            "district_code": "11680",
            "save_only": "1",
        },
    )
    assert response["Location"].endswith("/applicant/")
    page = learner_client.get(response["Location"]).content.decode()
    assert 'value="김서울"' in page
    assert '<option value="11680" selected>' in page


def test_form_errors_are_shown_on_fields(
    learner: Any, programme: Any, learner_client: Client
) -> None:
    app = services.application_start(applicant=learner, programme=programme)
    response = learner_client.post(
        f"/membership/applications/{app.public_id}/applicant/",
        {
            "applicant_name": "김서울",
            "school_level": "elementary",
            "grade": "",
            "district_code": "11350",
        },
    )
    assert response.status_code == 200
    assert "학년을 입력해 주세요" in response.content.decode()
    response = learner_client.post(
        f"/membership/applications/{app.public_id}/applicant/",
        {
            "applicant_name": "김서울",
            "school_level": "high",
            "grade": "2",
            "district_code": "11350",
            "school_name": "801231-2345678",
        },
    )
    assert "주민등록번호" in response.content.decode()


def test_second_application_redirects_to_the_open_one(
    learner: Any, programme: Any, learner_client: Client
) -> None:
    app = services.application_start(applicant=learner, programme=programme)
    response = learner_client.post("/membership/apply/", follow=True)
    assert response.redirect_chain[0][0] == f"/membership/applications/{app.public_id}/"
    assert "이미 진행 중인 신청서가 있습니다" in response.content.decode()
    assert Application.objects.filter(applicant=learner).count() == 1


def test_disguised_upload_shows_an_error(
    learner: Any, programme: Any, learner_client: Client
) -> None:
    app = draft_of(learner, programme)
    response = learner_client.post(
        f"/membership/applications/{app.public_id}/evidence/",
        {
            "kind": "near_poor_certificate",
            "file": SimpleUploadedFile("x.pdf", png_bytes(), "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "확장자와 실제 파일 형식이 다릅니다" in response.content.decode()
    assert not Evidence.objects.exists()


def test_under_14_sees_guardian_explanation_and_cannot_submit(programme: Any) -> None:
    child = LearnerFactory(birth_date=birth_date_for_age(10))
    app = draft_of(child, programme, school_level="elementary", grade=4)
    add_pdf(app)
    client = client_for(child)
    page = client.get(f"/membership/applications/{app.public_id}/review/").content.decode()
    assert "보호자 동의가 필요합니다" in page
    response = client.post(f"/membership/applications/{app.public_id}/review/")
    assert response.status_code == 422
    app.refresh_from_db()
    assert app.status == "draft"
    verified_guardian_consent(child)
    assert client.post(f"/membership/applications/{app.public_id}/review/").status_code == 302


def test_status_page_shows_info_request_and_allows_resubmission(
    operator: Any, learner: Any, programme: Any, learner_client: Client
) -> None:
    app = draft_of(learner, programme)
    add_pdf(app)
    services.application_submit(application=app, actor=learner)
    services.application_verify(application_id=str(app.public_id), round=1)
    services.application_decide(
        application=app,
        actor=operator,
        decision="request_info",
        reason="가족관계증명서를 추가해 주세요",
    )
    page = learner_client.get(f"/membership/applications/{app.public_id}/").content.decode()
    assert "가족관계증명서를 추가해 주세요" in page
    assert "서류 추가하고 다시 제출하기" in page
    learner_client.post(
        f"/membership/applications/{app.public_id}/evidence/",
        {
            "kind": "family_relation_certificate",
            "file": SimpleUploadedFile("f.png", png_bytes(), "image/png"),
        },
    )
    assert (
        learner_client.post(f"/membership/applications/{app.public_id}/review/").status_code == 302
    )
    app.refresh_from_db()
    assert (app.status, app.round) == ("submitted", 2)


def test_my_membership_page(
    operator: Any, learner: Any, programme: Any, learner_client: Client
) -> None:
    assert "아직 서울런 회원이 아닙니다" in learner_client.get("/membership/").content.decode()
    app = draft_of(learner, programme)
    add_pdf(app)
    services.application_submit(application=app, actor=learner)
    services.application_verify(application_id=str(app.public_id), round=1)
    services.application_decide(
        application=app, actor=operator, decision="approve", reason="확인 완료"
    )
    page = learner_client.get("/membership/").content.decode()
    membership = Membership.objects.get(user=learner)
    assert "서울런 회원입니다" in page
    assert membership.ends_on.strftime("%Y-%m-%d") in page
    assert "차상위계층" in page
    assert "최대 3개" in page  # what the membership gives


def test_english_version(learner: Any, programme: Any, learner_client: Client) -> None:
    page = learner_client.get("/membership/apply/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Near-poor household" in page


# --- permissions ---------------------------------------------------------------------------

LEARNER_PAGES = [
    "/membership/",
    "/membership/apply/",
]


@pytest.mark.parametrize("path", LEARNER_PAGES)
def test_learner_pages_refuse_other_roles(path: str, operator: Any, programme: Any) -> None:
    assert client_for(GuardianFactory()).get(path).status_code == 403
    assert client_for(operator).get(path).status_code == 403
    assert Client().get(path).status_code == 302  # to the login page


@pytest.mark.parametrize("suffix", ["", "applicant/", "household/", "evidence/", "review/"])
def test_application_pages_refuse_the_wrong_owner(
    suffix: str, learner: Any, other_learner: Any, programme: Any, operator: Any
) -> None:
    app = draft_of(learner, programme)
    url = f"/membership/applications/{app.public_id}/{suffix}"
    assert client_for(learner).get(url).status_code in (200, 302)
    assert client_for(other_learner).get(url).status_code == 404
    assert client_for(other_learner).post(url, {}).status_code == 404
    assert client_for(operator).get(url).status_code == 403


def test_withdraw_and_evidence_delete_refuse_the_wrong_owner(
    learner: Any, other_learner: Any, programme: Any
) -> None:
    app = draft_of(learner, programme)
    evidence = add_pdf(app)
    intruder = client_for(other_learner)
    assert intruder.post(f"/membership/applications/{app.public_id}/withdraw/").status_code == 404
    assert (
        intruder.post(
            f"/membership/applications/{app.public_id}/evidence/{evidence.public_id}/delete/"
        ).status_code
        == 404
    )
    app.refresh_from_db()
    assert app.status == "draft" and app.evidence.count() == 1
    owner = client_for(learner)
    owner.post(f"/membership/applications/{app.public_id}/evidence/{evidence.public_id}/delete/")
    assert app.evidence.count() == 0
    owner.post(f"/membership/applications/{app.public_id}/withdraw/", {"reason": "다음에"})
    app.refresh_from_db()
    assert app.status == "withdrawn"


def test_evidence_file_only_for_owner_and_logged(
    learner: Any, other_learner: Any, programme: Any
) -> None:
    app = draft_of(learner, programme)
    evidence = add_pdf(app)
    url = f"/membership/evidence/{evidence.public_id}/"
    response = client_for(learner).get(url)
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    log = AccessLog.objects.get(action="download")
    assert (log.actor, log.subject, log.object_id) == (learner, learner, str(evidence.public_id))
    assert client_for(other_learner).get(url).status_code == 404
    assert client_for(GuardianFactory()).get(url).status_code == 403
    assert AccessLog.objects.count() == 1


def test_guardian_sees_only_own_children(programme: Any) -> None:
    child: Any = LearnerFactory(birth_date=birth_date_for_age(9), full_name="김아이")
    stranger = LearnerFactory(birth_date=birth_date_for_age(9), full_name="박남남")
    guardian = verified_guardian_consent(child)
    draft_of(child, programme)
    draft_of(stranger, programme)
    page = client_for(guardian).get("/membership/children/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "김아이" in body and "박남남" not in body
    assert AccessLog.objects.filter(actor=guardian, subject=child, action="view").exists()
    assert client_for(child).get("/membership/children/").status_code == 403
