"""The sandbox provider process on its own: control endpoint and request validation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seoullearn.enrollment.connectors.signing import derive_secret, sign
from seoullearn.enrollment.tests.sandbox import SandboxProcess

MASTER = "sandbox-provider-dev-secret"


@pytest.fixture
def proc(tmp_path: Path) -> Iterator[SandboxProcess]:
    sandbox = SandboxProcess(tmp_path).start()
    yield sandbox
    sandbox.stop()


def _signed_post(proc: SandboxProcess, path: str, body: bytes, **headers: str) -> httpx.Response:
    signature = sign(derive_secret(MASTER, "p1"), "POST", path, body)
    return httpx.post(
        proc.url + path, content=body, headers={"X-SL-Key-Id": "p1", **signature, **headers}
    )


def test_control_endpoint_validates_the_mode(proc: SandboxProcess) -> None:
    bad = httpx.post(proc.url + "/_control", json={"mode": "explode"})
    assert bad.status_code == 400
    assert proc.control(mode="down")["mode"] == "down"
    assert httpx.get(proc.url + "/healthz").status_code == 200  # health is never faked


def test_account_creation_needs_an_idempotency_key_and_is_idempotent(proc: SandboxProcess) -> None:
    body = b'{"learner_id":"l1","offering":"p1:middle"}'
    assert _signed_post(proc, "/v1/accounts", body).status_code == 400
    first = _signed_post(proc, "/v1/accounts", body, **{"Idempotency-Key": "k1"})
    again = _signed_post(proc, "/v1/accounts", body, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["account_id"] == again.json()["account_id"]
    assert len(proc.state()["accounts"]) == 1


def test_tampered_body_is_refused(proc: SandboxProcess) -> None:
    signature = sign(derive_secret(MASTER, "p1"), "POST", "/v1/accounts", b'{"learner_id":"a"}')
    response = httpx.post(
        proc.url + "/v1/accounts",
        content=b'{"learner_id":"b","offering":"x"}',
        headers={"X-SL-Key-Id": "p1", "Idempotency-Key": "k", **signature},
    )
    assert response.status_code == 401 and "bad signature" in response.text


def test_lesson_page_needs_a_launch(proc: SandboxProcess) -> None:
    response = httpx.get(proc.url + "/lesson")
    assert response.status_code == 401
    garbage = httpx.post(proc.url + "/sso/launch", data={"id_token": "not-a-jwt"})
    assert garbage.status_code == 401
