"""Operator pages at /backoffice/lrs/ and the create_lrs_client command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from seoullearn.accounts.tests.factories import AuditorFactory, LearnerFactory, OperatorFactory
from seoullearn.lrs import services
from seoullearn.lrs.models import LRSClient

pytestmark = pytest.mark.django_db


def with_totp(user: Any) -> Any:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(with_totp(OperatorFactory()))
    return client


@pytest.mark.parametrize("factory", [LearnerFactory, AuditorFactory])
def test_other_roles_are_refused(factory: Any) -> None:
    user = factory()
    if factory is AuditorFactory:
        with_totp(user)
    client = Client()
    client.force_login(user)
    target, _ = services.lrs_client_create(name="P", scopes=["all"])
    for url in (
        "/backoffice/lrs/",
        "/backoffice/lrs/clients/new",
        f"/backoffice/lrs/clients/{target.public_id}/",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/backoffice/lrs/clients/{target.public_id}/rotate").status_code == 403
    assert (
        client.post(
            f"/backoffice/lrs/clients/{target.public_id}/revoke", {"reason": "x"}
        ).status_code
        == 403
    )
    assert LRSClient.objects.get(pk=target.pk).is_active


def test_anonymous_is_sent_to_login() -> None:
    response = Client().get("/backoffice/lrs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_operator_issues_and_sees_the_secret_once(operator_client: Client) -> None:
    response = operator_client.post(
        "/backoffice/lrs/clients/new",
        {
            "name": "메가스터디",
            "scopes": ["statements/write", "statements/read/mine"],
            "with_oauth": "on",
        },
    )
    assert response.status_code == 200
    client = LRSClient.objects.get(name="메가스터디")
    secret = response.context["secret"]
    assert client.check_secret(secret) and client.oauth_enabled
    assert response["Cache-Control"] == "no-store"
    detail = operator_client.get(f"/backoffice/lrs/clients/{client.public_id}/")
    assert secret.encode() not in detail.content


def test_bad_input_is_explained(operator_client: Client) -> None:
    response = operator_client.post("/backoffice/lrs/clients/new", {"name": "", "scopes": []})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"name", "scopes"}
    response = operator_client.post(
        "/backoffice/lrs/clients/new", {"name": "x", "scopes": ["all", "state"]}
    )
    assert "scopes" in response.context["form"].errors


def test_rotate_and_revoke(operator_client: Client) -> None:
    client, old = services.lrs_client_create(name="P", scopes=["all"])
    response = operator_client.post(f"/backoffice/lrs/clients/{client.public_id}/rotate")
    new = response.context["secret"]
    client.refresh_from_db()
    assert client.check_secret(new) and not client.check_secret(old)
    response = operator_client.post(
        f"/backoffice/lrs/clients/{client.public_id}/revoke", {"reason": ""}
    )
    client.refresh_from_db()
    assert client.is_active
    operator_client.post(
        f"/backoffice/lrs/clients/{client.public_id}/revoke", {"reason": "계약 종료"}
    )
    client.refresh_from_db()
    assert not client.is_active and client.revoked_reason == "계약 종료"
    assert (
        operator_client.get(f"/backoffice/lrs/clients/{client.public_id}/rotate").status_code == 405
    )


def test_list_is_filterable_paginated_and_exportable(operator_client: Client) -> None:
    for n in range(30):
        services.lrs_client_create(name=f"client {n:02d}", scopes=["state"])
    revoked, _ = services.lrs_client_create(name="old one", scopes=["state"])
    services.lrs_client_revoke(client=revoked, reason="old")
    page = operator_client.get("/backoffice/lrs/")
    assert page.status_code == 200 and len(page.context["page"].object_list) == 25
    assert operator_client.get("/backoffice/lrs/?page=2").context["page"].number == 2
    filtered = operator_client.get("/backoffice/lrs/?status=revoked")
    assert [c.name for c in filtered.context["page"]] == ["old one"]
    csv = operator_client.get("/backoffice/lrs/?q=client 0&export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").count("\n") == 11
    xlsx = operator_client.get("/backoffice/lrs/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_create_lrs_client_command_prints_key_and_secret_last() -> None:
    out = io.StringIO()
    call_command(
        "create_lrs_client",
        "Test provider",
        "--scopes",
        "statements/write,statements/read/mine",
        stdout=out,
    )
    key, secret = out.getvalue().strip().splitlines()[-1].split(" ")
    client = LRSClient.objects.get(key=key)
    assert client.check_secret(secret)
    assert client.scopes == ["statements/write", "statements/read/mine"]
    with pytest.raises(CommandError):
        call_command("create_lrs_client", "x", "--scopes", "nonsense", stdout=io.StringIO())
