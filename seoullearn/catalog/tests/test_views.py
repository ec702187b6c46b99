"""Catalog pages: the public catalog, logos, and operator management."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from seoullearn.catalog.models import Offering, Provider, SelectionPolicy
from seoullearn.catalog.tests.factories import OfferingFactory, ProviderFactory, track
from seoullearn.enrollment.tests.factories import member, operator, programme_now, staff_of

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_catalog_is_public_and_lists_offerings_with_the_rules() -> None:
    programme_now()
    offering: Any = OfferingFactory(provider=ProviderFactory(code="milkt", name_ko="밀크T"))
    body = Client().get(reverse("catalog:catalog")).content.decode()
    assert offering.title_ko in body and "최대 3개" in body
    english = Client().get(reverse("catalog:catalog"), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200


def test_logo_is_a_generated_svg_and_escapes_text() -> None:
    provider = ProviderFactory(logo_text="<b>", name_ko='"x"<script>')
    response = Client().get(reverse("catalog:logo", args=[provider.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert "<script>" not in body and "&lt;b&gt;" in body


def test_catalog_api_is_public() -> None:
    programme_now()
    OfferingFactory()
    response = Client().get("/api/catalog/offerings")
    assert response.status_code == 200
    assert response.json()["offerings"][0]["logo_url"].endswith(".svg")


BACKOFFICE = [
    ("catalog_bo:provider_list", None),
    ("catalog_bo:provider_new", None),
    ("catalog_bo:provider_edit", "provider"),
    ("catalog_bo:offering_list", None),
    ("catalog_bo:offering_new", None),
    ("catalog_bo:offering_edit", "offering"),
    ("catalog_bo:policy", None),
]


@pytest.mark.parametrize(("name", "arg"), BACKOFFICE)
def test_backoffice_pages_for_operators_only(name: str, arg: str | None) -> None:
    programme = programme_now()
    offering = OfferingFactory()
    args = {"provider": offering.provider.public_id, "offering": offering.public_id}
    url = reverse(name, args=[args[arg]] if arg else None)
    assert _client(operator()).get(url).status_code == 200
    assert _client(member(programme)).get(url).status_code == 403
    assert _client(staff_of(offering.provider)).get(url).status_code == 403
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_backoffice_lists_export(fmt: str) -> None:
    OfferingFactory()
    op = _client(operator())
    for name in ("catalog_bo:provider_list", "catalog_bo:offering_list"):
        response = op.get(reverse(name) + f"?export={fmt}")
        assert response.status_code == 200 and f".{fmt}" in response["Content-Disposition"]


def test_operator_creates_a_provider_and_an_offering_with_validation() -> None:
    op = _client(operator())
    bad = op.post(
        reverse("catalog_bo:provider_new"),
        {"code": "new co", "name_ko": "", "name_en": "N", "brand_color": "red"},
    )
    assert bad.status_code == 200 and not Provider.objects.filter(name_en="N").exists()
    ok = op.post(
        reverse("catalog_bo:provider_new"),
        {
            "code": "newco",
            "name_ko": "새업체",
            "name_en": "New Co",
            "brand_color": "#123456",
            "logo_text": "새",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    provider = Provider.objects.get(code="newco")
    made = op.post(
        reverse("catalog_bo:offering_new"),
        {
            "provider": provider.pk,
            "track": track("reading").pk,
            "title_ko": "새 독서",
            "title_en": "New reading",
            "subjects": "독서, 토론",
            "order": 1,
            "is_active": "on",
        },
    )
    assert made.status_code == 302
    offering = Offering.objects.get(provider=provider)
    assert offering.subjects == ["독서", "토론"] and offering.target_levels == []
    duplicate = op.post(
        reverse("catalog_bo:offering_new"),
        {
            "provider": provider.pk,
            "track": track("reading").pk,
            "title_ko": "또",
            "title_en": "Again",
            "order": 1,
        },
    )
    assert "이미 이 트랙의 과정이 있습니다" in duplicate.content.decode()


def test_policy_form_edits_caps_and_windows_with_line_errors() -> None:
    programme = programme_now()
    op = _client(operator())
    url = reverse("catalog_bo:policy")
    base = {
        "max_total": 3,
        "restrict_levels": "on",
        "max_switches": 2,
        "switch_period_days": 30,
        "cooldown_days": 7,
        "idle_days": 20,
        "idle_grace_days": 5,
    }
    bad = op.post(url, {**base, "groups_text": "curricular = one", "windows_text": "2026-03-01"})
    body = bad.content.decode()
    assert "1번째 줄" in body
    missing = op.post(url, {**base, "groups_text": "curricular = 1", "windows_text": ""})
    assert "certificate" in missing.content.decode()
    ok = op.post(
        url,
        {
            **base,
            "groups_text": "curricular = 1\ncertificate = 2\nreading =",
            "windows_text": "2026-03-01 ~ 2026-03-31",
        },
    )
    assert ok.status_code == 302
    row = SelectionPolicy.objects.get(programme=programme)
    assert row.max_switches == 2 and row.idle_days == 20
    assert {g["code"]: g["cap"] for g in row.groups} == {
        "curricular": 1,
        "certificate": 2,
        "reading": None,
    }
    assert row.switch_windows == [{"starts_on": "2026-03-01", "ends_on": "2026-03-31"}]
