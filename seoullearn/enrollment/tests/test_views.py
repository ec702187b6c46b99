"""Pages: members, provider portal and operators — right role, wrong role, wrong owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from seoullearn.core.models import AccessLog
from seoullearn.core.timeutil import now, today
from seoullearn.enrollment import services
from seoullearn.enrollment.models import Contract, Seat, Selection, UsageRecord
from seoullearn.enrollment.tests.factories import member, operator, staff_of, world

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup() -> dict[str, Any]:
    w = world()
    owner, other = member(w.programme), member(w.programme)
    selection = services.selection_select(actor=owner, offering=w.offerings["mbest"])
    seat = Seat.objects.get(selection=selection)
    Seat.objects.filter(pk=seat.pk).update(
        status=Seat.Status.ACTIVE, external_account_id="acc_1", account_state="open"
    )
    Selection.objects.filter(pk=selection.pk).update(status=Selection.Status.ACTIVE)
    return {
        "w": w,
        "owner": owner,
        "other": other,
        "selection": selection,
        "seat": seat,
        "operator": operator(),
        "staff_a": staff_of(w.contracts["mbest"].provider),
        "staff_b": staff_of(w.contracts["soobakc"].provider),
    }


MEMBER_PAGES = [
    ("enrollment:offerings", None),
    ("enrollment:my_sites", None),
    ("enrollment:select", "offering"),
    ("enrollment:switch", "selection"),
    ("enrollment:cancel", "selection"),
]
OPERATOR_PAGES = [
    ("enrollment_bo:contract_list", None),
    ("enrollment_bo:contract_new", None),
    ("enrollment_bo:contract_edit", "contract"),
    ("enrollment_bo:seat_use", None),
    ("enrollment_bo:seat_list", None),
    ("enrollment_bo:reclamation", None),
    ("enrollment_bo:waiting_list", None),
    ("enrollment_bo:budget", None),
    ("enrollment_bo:integration", "provider"),
]


def _url(name: str, arg: str | None, s: dict[str, Any]) -> str:
    values = {
        "offering": s["w"].offerings["welaaa"].public_id,
        "selection": s["selection"].public_id,
        "contract": s["w"].contracts["mbest"].public_id,
        "provider": s["w"].contracts["mbest"].provider.public_id,
    }
    return reverse(name, args=[values[arg]] if arg else None)


@pytest.mark.parametrize(("name", "arg"), MEMBER_PAGES)
def test_member_pages_for_the_member_only(
    setup: dict[str, Any], name: str, arg: str | None
) -> None:
    url = _url(name, arg, setup)
    assert _client(setup["owner"]).get(url).status_code == 200
    assert _client(setup["operator"]).get(url).status_code == 403
    assert _client(setup["staff_a"]).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


@pytest.mark.parametrize("name", ["enrollment:switch", "enrollment:cancel"])
def test_other_members_selection_is_not_found(setup: dict[str, Any], name: str) -> None:
    url = reverse(name, args=[setup["selection"].public_id])
    assert _client(setup["other"]).get(url).status_code == 404
    assert _client(setup["other"]).post(url).status_code == 404
    setup["selection"].refresh_from_db()
    assert setup["selection"].status == Selection.Status.ACTIVE


def test_launch_only_for_the_seat_owner(setup: dict[str, Any]) -> None:
    url = reverse("enrollment:launch", args=[setup["seat"].public_id])
    assert _client(setup["other"]).post(url).status_code == 404
    assert _client(setup["operator"]).post(url).status_code == 403
    assert _client(setup["owner"]).get(url).status_code == 405
    response = _client(setup["owner"]).post(url)
    assert response.status_code == 200
    assert b'name="id_token"' in response.content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("name", "arg"), OPERATOR_PAGES)
def test_operator_pages_for_operators_only(
    setup: dict[str, Any], name: str, arg: str | None
) -> None:
    url = _url(name, arg, setup)
    assert _client(setup["operator"]).get(url).status_code == 200
    assert _client(setup["owner"]).get(url).status_code == 403
    assert _client(setup["staff_a"]).get(url).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "enrollment_bo:contract_list",
        "enrollment_bo:seat_use",
        "enrollment_bo:seat_list",
        "enrollment_bo:reclamation",
        "enrollment_bo:waiting_list",
        "enrollment_bo:budget",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_operator_lists_export(setup: dict[str, Any], name: str, fmt: str) -> None:
    response = _client(setup["operator"]).get(reverse(name) + f"?export={fmt}")
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]


def test_seat_list_is_logged_and_shows_the_seat(setup: dict[str, Any]) -> None:
    response = _client(setup["operator"]).get(
        reverse("enrollment_bo:seat_list") + "?provider=mbest"
    )
    assert setup["owner"].username in response.content.decode()
    assert AccessLog.objects.filter(purpose="seat administration").exists()


def test_operator_release_and_retry_are_posts_for_operators_only(setup: dict[str, Any]) -> None:
    seat = setup["seat"]
    release = reverse("enrollment_bo:seat_release", args=[seat.public_id])
    retry = reverse("enrollment_bo:seat_retry", args=[seat.public_id])
    for user in (setup["owner"], setup["staff_a"]):
        assert _client(user).post(release, {"reason": "x"}).status_code == 403
        assert _client(user).post(retry).status_code == 403
    op = _client(setup["operator"])
    assert op.get(release).status_code == 405
    op.post(release, {"reason": ""})
    seat.refresh_from_db()
    assert seat.status == Seat.Status.ACTIVE  # no reason, no release
    op.post(release, {"reason": "중복 계정", "next": "https://evil.example/"})
    seat.refresh_from_db()
    assert seat.status == Seat.Status.RELEASED


def test_contract_form_validates_and_saves(setup: dict[str, Any]) -> None:
    op = _client(setup["operator"])
    contract = setup["w"].contracts["mbest"]
    url = reverse("enrollment_bo:contract_edit", args=[contract.public_id])
    bad = op.post(
        url,
        {
            "seat_capacity": 5,
            "price_per_seat_month_krw": 0,
            "starts_on": "2026-12-01",
            "ends_on": "2026-01-01",
        },
    )
    assert bad.status_code == 200
    assert "계약 종료일이 시작일보다 빠릅니다" in bad.content.decode()
    good = op.post(
        url,
        {
            "seat_capacity": 7,
            "price_per_seat_month_krw": 15000,
            "starts_on": contract.starts_on.isoformat(),
            "ends_on": contract.ends_on.isoformat(),
        },
    )
    assert good.status_code == 302
    assert Contract.objects.get(pk=contract.pk).seat_capacity == 7


def test_select_page_explains_the_seat_and_shows_the_refusal(setup: dict[str, Any]) -> None:
    client = _client(setup["owner"])
    page = client.get(
        reverse("enrollment:select", args=[setup["w"].offerings["soobakc"].public_id])
    )
    assert "좌석 1석이 배정됩니다" in page.content.decode()
    refused = client.post(
        reverse("enrollment:select", args=[setup["w"].offerings["soobakc"].public_id])
    )
    assert refused.status_code == 422
    assert "교과 과정은 1개만" in refused.content.decode()
    ok = client.post(reverse("enrollment:select", args=[setup["w"].offerings["welaaa"].public_id]))
    assert ok.status_code == 302


def test_cancel_page_says_what_happens_then_releases(setup: dict[str, Any]) -> None:
    client = _client(setup["owner"])
    url = reverse("enrollment:cancel", args=[setup["selection"].public_id])
    assert "좌석이 반납되어" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    setup["seat"].refresh_from_db()
    assert setup["seat"].status == Seat.Status.RELEASED


def test_portal_shows_only_the_staff_members_provider(setup: dict[str, Any]) -> None:
    b_learner = setup["other"]
    services.selection_select(actor=b_learner, offering=setup["w"].offerings["soobakc"])
    page_a = _client(setup["staff_a"]).get(reverse("enrollment:portal")).content.decode()
    page_b = _client(setup["staff_b"]).get(reverse("enrollment:portal")).content.decode()
    assert str(setup["owner"].pseudonym) in page_a and str(b_learner.pseudonym) not in page_a
    assert str(b_learner.pseudonym) in page_b and str(setup["owner"].pseudonym) not in page_b
    assert setup["owner"].username not in page_a and setup["owner"].full_name not in page_a
    for user in (setup["owner"], setup["operator"]):
        assert _client(user).get(reverse("enrollment:portal")).status_code == 403
        assert _client(user).post(reverse("enrollment:portal_upload")).status_code == 403


def test_portal_upload_keeps_good_rows_and_reports_bad_ones(setup: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    day = (today() - dt.timedelta(days=1)).isoformat()
    text = (
        "date,learner_id,minutes,lessons_completed\n"
        f"{day},{setup['owner'].pseudonym},25,1\n"
        f"{day},{setup['owner'].pseudonym},abc,1\n"
    ).encode()
    client = _client(setup["staff_a"])
    response = client.post(
        reverse("enrollment:portal_upload"),
        {"file": SimpleUploadedFile("u.csv", text, "text/csv")},
        follow=True,
    )
    body = response.content.decode()
    assert "1행을 반영했고 1행은 오류가 있습니다" in body
    assert "3행:" in body
    assert UsageRecord.objects.get().minutes == 25
    again = client.post(
        reverse("enrollment:portal_upload"),
        {"file": SimpleUploadedFile("u.csv", text, "text/csv")},
        follow=True,
    )
    assert "바뀐 것은 없습니다" in again.content.decode()
    assert UsageRecord.objects.count() == 1


def test_portal_without_a_provider_link_is_refused(setup: dict[str, Any]) -> None:
    from seoullearn.accounts.tests.factories import UserFactory

    loose = UserFactory(role="provider_staff")
    assert _client(loose).get(reverse("enrollment:portal")).status_code == 403


def test_budget_page_draws_the_chart(setup: dict[str, Any]) -> None:
    services.spend_accrue(month=today())
    body = _client(setup["operator"]).get(reverse("enrollment_bo:budget")).content.decode()
    assert "<svg" in body and "7,790,000,000" in body


def test_reclamation_queue_lists_noticed_seats(setup: dict[str, Any]) -> None:
    Seat.objects.filter(pk=setup["seat"].pk).update(idle_notice_at=now())
    body = _client(setup["operator"]).get(reverse("enrollment_bo:reclamation")).content.decode()
    assert setup["owner"].username in body


def test_integration_page_links_staff_and_creates_a_client(setup: dict[str, Any]) -> None:
    from seoullearn.accounts.tests.factories import UserFactory
    from seoullearn.enrollment.models import ProviderApiClient, ProviderStaff

    provider = setup["w"].contracts["mbest"].provider
    url = reverse("enrollment_bo:integration", args=[provider.public_id])
    op = _client(setup["operator"])
    learner_name = setup["owner"].username
    refused = op.post(url, {"form": "staff", "username": learner_name})
    assert "교육업체 담당자 역할" in refused.content.decode()
    newcomer: Any = UserFactory(role="provider_staff")
    op.post(url, {"form": "staff", "username": newcomer.username})
    assert ProviderStaff.objects.get(user=newcomer).provider == provider
    made = op.post(url, {"form": "client", "name": "nightly"})
    assert "client_secret" in made.content.decode()
    assert ProviderApiClient.objects.filter(provider=provider).count() == 1


def test_waiting_list_page_lists_members_in_order(setup: dict[str, Any]) -> None:
    contract = setup["w"].contracts["welaaa"]
    contract.seat_capacity = 0
    contract.save()
    first, second = setup["owner"], setup["other"]
    services.selection_select(actor=first, offering=setup["w"].offerings["welaaa"])
    services.selection_select(actor=second, offering=setup["w"].offerings["welaaa"])
    body = (
        _client(setup["operator"])
        .get(reverse("enrollment_bo:waiting_list") + "?provider=welaaa")
        .content.decode()
    )
    assert body.index(first.username) < body.index(second.username)
    assert AccessLog.objects.filter(purpose="seat waiting list").exists()


def test_member_pages_read_in_english(setup: dict[str, Any]) -> None:
    client = _client(setup["owner"])
    page = client.get(reverse("enrollment:offerings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How to choose" in page and "You may select up to 3 offerings" in page
    assert "You may hold only 1 curricular offering(s)." in page  # why soobakc is blocked
    sites = client.get(reverse("enrollment:my_sites"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Study now" in sites and "My learning sites" in sites
