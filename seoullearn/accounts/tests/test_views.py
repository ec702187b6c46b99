from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from seoullearn.accounts import selectors, services
from seoullearn.accounts.models import ApiToken, ConsentRecord, GuardianLink, User
from seoullearn.accounts.tests.conftest import client_for, invite, link_guardian, years_ago
from seoullearn.accounts.tests.factories import TEST_PASSWORD
from seoullearn.core.models import AccessLog

pytestmark = pytest.mark.django_db
Kind = services.Kind


def _signup_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "role": "learner",
        "full_name": "김서울",
        "birth_date": years_ago(12).isoformat(),
        "username": "seoulkid",
        "email": "kid@example.org",
        "password1": "a-long-secret-9876",
        "password2": "a-long-secret-9876",
        "consent_terms": "on",
        "consent_privacy": "on",
        "consent_sensitive": "on",
        "consent_provider_sharing": "on",
    }
    data.update(overrides)
    return data


def test_signup_page_lists_notices_and_preselects_role(client: Client) -> None:
    page = client.get("/accounts/signup/?role=guardian").content.decode()
    assert (
        "서울런 이용약관" in page
        and "법정대리인" not in page.split("<form", 1)[1].split("</form>")[0]
    )
    assert 'value="guardian" selected' in page


def test_signup_creates_learner_with_consents(client: Client) -> None:
    response = client.post("/accounts/signup/", _signup_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="seoulkid")
    assert user.role == "learner" and user.full_name == "김서울"
    kinds = set(ConsentRecord.objects.filter(subject=user).values_list("notice__kind", flat=True))
    assert kinds == {Kind.TERMS, Kind.PRIVACY, Kind.SENSITIVE, Kind.PROVIDER_SHARING}
    assert user.password.startswith(("md5$", "argon2"))  # hashed, whatever the test hasher


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"consent_sensitive": ""}, "consent_sensitive", "필수 동의 항목입니다."),
        ({"birth_date": "2999-01-01"}, "birth_date", "생년월일은 오늘보다 늦을 수 없습니다."),
        ({"birth_date": "31/02/2010"}, "birth_date", ""),
        ({"role": "operator"}, "role", ""),
        ({"role": "guardian", "birth_date": years_ago(15).isoformat()}, "birth_date", "만 19세"),
    ],
)
def test_signup_bad_input_shows_field_errors(
    client: Client, override: dict[str, str], field: str, message: str
) -> None:
    response = client.post("/accounts/signup/", _signup_data(**override))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.filter(username="seoulkid").exists()


def test_guardian_signup_needs_only_terms_and_privacy(client: Client) -> None:
    data = _signup_data(
        role="guardian",
        birth_date=years_ago(40).isoformat(),
        username="parent",
        email="parent@example.org",
        consent_sensitive="",
        consent_provider_sharing="",
    )
    assert client.post("/accounts/signup/", data).status_code == 302
    assert User.objects.get(username="parent").role == "guardian"


def test_login_by_username_and_by_email(learner: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"login": "teen", "password": TEST_PASSWORD})
    assert response.status_code == 302
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "teen@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


def test_logout_and_password_pages_render_in_krds_layout(learner: User) -> None:
    client = client_for(learner)
    for url in ("/accounts/logout/", "/accounts/password/change/", "/accounts/2fa/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "sl-header" in page.content.decode() and "sl-account-page" in page.content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 302


def test_password_reset_mails_a_link(client: Client, learner: User) -> None:
    assert "sl-form" in client.get("/accounts/password/reset/").content.decode()
    response = client.post("/accounts/password/reset/", {"email": "teen@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_link_sets_a_new_password(client: Client, learner: User) -> None:
    import re

    client.post("/accounts/password/reset/", {"email": "teen@example.org"})
    url = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert url is not None
    form_page = client.get(url.group(1), follow=True)
    assert form_page.status_code == 200 and "sl-form" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else url.group(1)
    weak = client.post(action, {"password1": "short", "password2": "short"})
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    done = client.post(action, {"password1": "brand-new-pass-42", "password2": "brand-new-pass-42"})
    assert done.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("brand-new-pass-42")


def test_password_change(learner: User) -> None:
    client = client_for(learner)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "new-secret-4567x",
            "password2": "new-secret-4567x",
        },
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("new-secret-4567x")


def test_profile_edit(learner: User) -> None:
    from seoullearn.programmes.models import District

    client = client_for(learner)
    assert "학교·거주 정보" in client.get("/accounts/profile/").content.decode()
    response = client.post(
        "/accounts/profile/",
        {
            "save_profile": "1",
            "full_name": "정하늘",
            "phone": "010-2222-3333",
            "preferred_language": "ko",
        },
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.phone == "01022223333" and learner.phone_index
    bad = client.post(
        "/accounts/profile/",
        {"save_profile": "1", "full_name": "정하늘", "phone": "999", "preferred_language": "ko"},
    )
    assert bad.status_code == 400 and "010-1234-5678" in bad.content.decode()
    code = District.objects.first().code
    response = client.post(
        "/accounts/profile/",
        {"save_learner": "1", "school_level": "high", "grade": "1", "district_code": code},
    )
    assert response.status_code == 302
    assert learner.learner_profile.district_code == code


def test_profile_requires_login(client: Client) -> None:
    assert client.get("/accounts/profile/").status_code == 302


def test_notices_page_shows_every_kind(client: Client) -> None:
    page = client.get("/accounts/notices/").content.decode()
    for notice in selectors.current_notices():
        assert notice.title_ko in page
    assert "주민등록번호" in page
    english = client.get("/accounts/notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Seoul Learn terms of use" in english


def test_my_consents_and_withdraw(learner: User, child: User) -> None:
    client = client_for(learner)
    page = client.get("/accounts/consents/").content.decode()
    assert "철회하면" in page
    record = ConsentRecord.objects.get(subject=learner, notice__kind=Kind.PROVIDER_SHARING)
    assert (
        client.post(f"/accounts/consents/{record.public_id}/withdraw/", {"reason": ""}).status_code
        == 302
    )
    record.refresh_from_db()
    assert record.withdrawn_at is None
    client.post(f"/accounts/consents/{record.public_id}/withdraw/", {"reason": "이용 안 함"})
    record.refresh_from_db()
    assert record.withdrawn_at is not None
    # Wrong owner: another learner cannot withdraw it.
    other = ConsentRecord.objects.filter(subject=child, withdrawn_at__isnull=True).first()
    response = client.post(f"/accounts/consents/{other.public_id}/withdraw/", {"reason": "x"})
    assert response.status_code == 404


def test_guardian_invite_page_learner_only(child: User, guardian: User) -> None:
    assert client_for(guardian).get("/accounts/guardian/invite/").status_code == 403
    client = client_for(child)
    assert "보호자 동의 요청" in client.get("/accounts/guardian/invite/").content.decode()
    response = client.post(
        "/accounts/guardian/invite/",
        {"guardian_name": "김보호", "relationship": "어머니", "phone": "010-5555-6666"},
    )
    assert response.status_code == 302
    link = GuardianLink.objects.get(learner=child)
    page = client.get("/accounts/guardian/invite/").content.decode()
    assert "010-****-6666" in page and "010-5555-6666" not in page
    bad = client.post(
        "/accounts/guardian/invite/",
        {"guardian_name": "김보호", "relationship": "어머니", "phone": "1"},
    )
    assert bad.status_code == 400
    assert client.post(f"/accounts/guardian/invite/{link.public_id}/resend/").status_code == 302
    link.refresh_from_db()
    assert link.sent_count == 2


def test_resend_and_revoke_refuse_wrong_owner(child: User, other_child: User) -> None:
    link, _t, _c = invite(child)
    client = client_for(other_child)
    assert client.post(f"/accounts/guardian/invite/{link.public_id}/resend/").status_code == 404
    response = client.post(f"/accounts/guardian/links/{link.public_id}/revoke/", {"reason": "x"})
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.status == "invited"


def test_guardian_accept_flow_through_pages(child: User, guardian: User, learner: User) -> None:
    _link, token, code = invite(child)
    url = f"/accounts/guardian/accept/{token}/"
    anonymous = Client().get(url).content.decode()
    assert "보호자로 가입하기" in anonymous and "role=guardian" in anonymous
    assert client_for(learner).get(url).status_code == 403
    client = client_for(guardian)
    page = client.get(url)
    assert page.status_code == 200 and "010-****-5678" in page.content.decode()
    data = {f"consent_{kind}": "on" for kind in services.GUARDIAN_NOTICE_KINDS}
    wrong = client.post(url, {**data, "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "남은 시도 횟수" in wrong.content.decode()
    response = client.post(url, {**data, "code": code})
    assert response.status_code == 302 and response["Location"] == "/accounts/guardian/"
    assert selectors.may_apply(child)
    assert Client().get(url).status_code == 410
    assert Client().get("/accounts/guardian/accept/bogus-token-value/").status_code == 404


def test_guardian_home_and_child_page_only_own_children(
    child: User, other_child: User, guardian: User, other_guardian: User, learner: User
) -> None:
    link_guardian(child, guardian)
    client = client_for(guardian)
    home = client.get("/accounts/guardian/").content.decode()
    assert child.full_name in home and other_child.full_name not in home
    response = client.get(f"/accounts/guardian/children/{child.public_id}/")
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=guardian, subject=child, action="view").exists()
    assert client.get(f"/accounts/guardian/children/{other_child.public_id}/").status_code == 404
    stranger = client_for(other_guardian)
    assert stranger.get(f"/accounts/guardian/children/{child.public_id}/").status_code == 404
    assert client_for(learner).get("/accounts/guardian/").status_code == 403
    # The guardian withdraws the child's learning-data consent.
    record = ConsentRecord.objects.get(
        subject=child, notice__kind=Kind.LEARNING_DATA, withdrawn_at__isnull=True
    )
    assert (
        stranger.post(
            f"/accounts/consents/{record.public_id}/withdraw/", {"reason": "x"}
        ).status_code
        == 404
    )
    client.post(f"/accounts/consents/{record.public_id}/withdraw/", {"reason": "원하지 않음"})
    record.refresh_from_db()
    assert record.withdrawn_by == guardian


def test_tokens_page_shows_token_once_and_revokes(learner: User, child: User) -> None:
    client = client_for(learner)
    response = client.post("/accounts/tokens/", {"name": "report", "expires_in_days": "30"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["new_token"]
    assert raw in response.content.decode()
    assert raw not in client.get("/accounts/tokens/").content.decode()
    token = ApiToken.objects.get(user=learner)
    assert client_for(child).post(f"/accounts/tokens/{token.public_id}/revoke/").status_code == 404
    client.post(f"/accounts/tokens/{token.public_id}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    bad = client.post("/accounts/tokens/", {"name": "", "expires_in_days": "999"})
    assert bad.status_code == 400


def test_dashboard_shows_guardian_status(child: User) -> None:
    page = client_for(child).get("/accounts/me/").content.decode()
    assert "보호자 동의 필요" in page


def test_signup_page_in_english(client: Client) -> None:
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Account type" in page and "Read the full text" in page
    assert "Seoul Learn terms of use" in page
