"""Credentials, scopes and authority (Communication 4, Data 2.4.9)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from seoullearn.core.errors import InvalidInput
from seoullearn.lrs import auth, services
from seoullearn.lrs.models import LRSClient
from seoullearn.lrs.tests.conftest import XAPI, make_statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_task_queue(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False


def test_secret_is_stored_only_as_a_hash() -> None:
    client, secret = services.lrs_client_create(name="Provider A", scopes=["statements/write"])
    assert secret not in client.secret_hash
    assert client.check_secret(secret) and not client.check_secret(secret + "x")


def test_unknown_scope_and_empty_name_are_refused() -> None:
    with pytest.raises(InvalidInput):
        services.lrs_client_create(name="x", scopes=["statements/everything"])
    with pytest.raises(InvalidInput):
        services.lrs_client_create(name=" ", scopes=["all"])


def test_write_only_client_cannot_read(make_xapi: Any) -> None:
    writer = make_xapi(scopes=("statements/write",))
    assert writer.post("statements", make_statement()).status_code == 200
    assert writer.get("statements").status_code == 403
    assert (
        writer.get(
            "activities/state",
            {"activityId": "http://x.org/a", "agent": '{"mbox":"mailto:a@b.org"}'},
        ).status_code
        == 403
    )


def test_read_only_client_cannot_write(make_xapi: Any) -> None:
    reader = make_xapi(scopes=("all/read",))
    assert reader.post("statements", make_statement()).status_code == 403
    assert reader.get("statements").status_code == 200


def test_read_mine_sees_only_its_own_statements(make_xapi: Any) -> None:
    mine = make_xapi(scopes=("statements/write", "statements/read/mine"))
    other = make_xapi(scopes=("statements/write", "statements/read/mine"))
    own_id = mine.post("statements", make_statement()).json()[0]
    other_id = other.post("statements", make_statement()).json()[0]
    listed = [s["id"] for s in mine.get("statements").json()["statements"]]
    assert own_id in listed and other_id not in listed
    assert mine.get("statements", {"statementId": other_id}).status_code == 404
    assert mine.get("statements", {"statementId": own_id}).status_code == 200


def test_authority_comes_from_the_credential_and_survives_rotation(make_xapi: Any) -> None:
    api = make_xapi(scopes=("all",))
    first = api.post("statements", make_statement()).json()[0]
    secret = services.lrs_client_rotate(client=api.model)
    assert api.post("statements", make_statement()).status_code == 401  # old secret refused
    rotated = XAPI(api.model.key, secret)
    second = rotated.post("statements", make_statement()).json()[0]
    authorities = {
        json.dumps(
            rotated.get("statements", {"statementId": sid}).json()["authority"], sort_keys=True
        )
        for sid in (first, second)
    }
    assert len(authorities) == 1


def test_revoked_credential_is_refused(make_xapi: Any) -> None:
    api = make_xapi()
    services.lrs_client_revoke(client=api.model, reason="contract ended")
    assert api.get("statements").status_code == 401
    with pytest.raises(InvalidInput):
        services.lrs_client_revoke(client=LRSClient.objects.get(pk=api.model.pk), reason="again")
    with pytest.raises(InvalidInput):
        services.lrs_client_rotate(client=LRSClient.objects.get(pk=api.model.pk))


def test_platform_credential_cannot_be_revoked() -> None:
    platform = services.platform_client()
    assert platform.is_platform and services.platform_client().pk == platform.pk
    with pytest.raises(InvalidInput):
        services.lrs_client_revoke(client=platform, reason="no")


def test_oauth2_client_credentials_bearer_token(settings: Any) -> None:
    client, secret = services.lrs_client_create(
        name="Provider OAuth", scopes=["statements/write", "statements/read/mine"], with_oauth=True
    )
    http = Client()
    basic = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    token_response = http.post(
        "/xapi/oauth/token",
        data={"grant_type": "client_credentials", "scope": "statements/write statements/read/mine"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert token_response.status_code == 200, token_response.content
    token = token_response.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Experience-API-Version": "2.0.0"}
    posted = http.post(
        "/xapi/statements",
        data=json.dumps(make_statement()),
        content_type="application/json",
        headers=headers,
    )
    assert posted.status_code == 200
    statement = http.get(
        "/xapi/statements", {"statementId": posted.json()[0]}, headers=headers
    ).json()
    assert statement["authority"]["account"]["name"] == str(client.public_id)
    # a token never grants more than the credential holds
    assert auth.implied_scopes(frozenset({"statements/read/mine"})) == {"statements/read/mine"}
    bad = http.get(
        "/xapi/statements",
        headers={"Authorization": "Bearer nope", "X-Experience-API-Version": "2.0.0"},
    )
    assert bad.status_code == 401
    services.lrs_client_revoke(client=client, reason="ended")
    auth.forget(client.key)
    after = http.get("/xapi/statements", headers=headers)
    assert after.status_code == 401


def test_token_without_scope_gets_the_spec_default(settings: Any) -> None:
    client, secret = services.lrs_client_create(
        name="Default scopes", scopes=["all"], with_oauth=True
    )
    http = Client()
    basic = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    token = http.post(
        "/xapi/oauth/token",
        data={"grant_type": "client_credentials", "scope": "statements/write statements/read/mine"},
        headers={"Authorization": f"Basic {basic}"},
    ).json()["access_token"]
    credential = auth.authenticate(f"Bearer {token}")
    assert credential.scopes == {"statements/write", "statements/read/mine"}


def test_members_are_never_identified_by_email(make_xapi: Any, django_user_model: Any) -> None:
    from seoullearn.accounts.tests.factories import LearnerFactory

    learner = LearnerFactory(email="minor@example.org")
    api = make_xapi(scopes=("statements/write",))
    response = api.post("statements", make_statement(actor={"mbox": "mailto:Minor@example.org"}))
    assert response.status_code == 400
    assert "pseudonymous account" in response.json()["message"]
    pseudonymous = {"account": {"homePage": settings_site(), "name": str(learner.pseudonym)}}
    assert api.post("statements", make_statement(actor=pseudonymous)).status_code == 200


def settings_site() -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/")
