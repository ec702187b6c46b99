"""Single sign-on end to end over HTTP: the platform signs, the sandbox provider verifies
against the platform's JWKS, refuses replays and reports usage back (also twice)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from seoullearn.enrollment import services, sso
from seoullearn.enrollment.models import Seat, SigningKey, SsoLaunch, UsageEvent, UsageRecord
from seoullearn.enrollment.tests.factories import member, world
from seoullearn.enrollment.tests.sandbox import SandboxProcess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def platform(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[SandboxProcess]:
    settings.SITE_URL = live_server.url
    proc = SandboxProcess(tmp_path, platform_url=live_server.url).start()
    yield proc
    proc.stop()


def _active_seat(w: Any, run_tasks: Callable[[], None]) -> tuple[Any, Seat]:
    learner = member(w.programme)
    selection = services.selection_select(actor=learner, offering=w.offerings["mbest"])
    run_tasks()
    seat = Seat.objects.get(selection=selection)
    assert seat.status == Seat.Status.ACTIVE
    return learner, seat


def _launch(url: str, token: str) -> httpx.Response:
    return httpx.post(url, data={"id_token": token}, follow_redirects=False, timeout=10)


def test_launch_lands_on_the_lesson_page_as_the_pseudonymous_learner(
    platform: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=platform.url)
    learner, seat = _active_seat(w, run_tasks)
    launch = services.sso_launch_create(actor=learner, seat=seat)
    assert launch.url == platform.url + "/sso/launch"
    claims = jwt.decode(launch.id_token, options={"verify_signature": False})
    assert claims["sub"] == str(learner.pseudonym) and claims["aud"] == "mbest"
    assert claims["exp"] - claims["iat"] <= 120
    assert not {"name", "email", "phone_number"} & set(claims)
    response = _launch(launch.url, launch.id_token)
    assert response.status_code == 303, response.text
    lesson = httpx.get(platform.url + "/lesson", cookies=response.cookies, timeout=10)
    assert lesson.status_code == 200
    assert str(learner.pseudonym) in lesson.text
    assert learner.full_name not in lesson.text
    seat.refresh_from_db()
    assert seat.last_activity_at is not None  # a launch counts as activity
    assert SsoLaunch.objects.filter(seat=seat).count() == 1


def test_replayed_expired_and_forged_launches_are_refused(
    platform: SandboxProcess, run_tasks: Callable[[], None], settings: Any
) -> None:
    w = world(base_url=platform.url)
    learner, seat = _active_seat(w, run_tasks)
    launch = services.sso_launch_create(actor=learner, seat=seat)
    assert _launch(launch.url, launch.id_token).status_code == 303
    replay = _launch(launch.url, launch.id_token)
    assert replay.status_code == 401 and "nonce already used" in replay.text
    settings.SSO_TOKEN_TTL_SECONDS = -30
    expired = services.sso_launch_create(actor=learner, seat=seat)
    refused = _launch(expired.url, expired.id_token)
    assert refused.status_code == 401 and "expired" in refused.text.lower()
    forged = jwt.encode(
        {**jwt.decode(launch.id_token, options={"verify_signature": False}), "nonce": "n2"},
        sso.generate_pem(),
        algorithm="RS256",
        headers={"kid": sso.signing_key()[0]},
    )
    assert _launch(launch.url, forged).status_code == 401


def test_rotated_key_keeps_launches_in_flight_valid(
    platform: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=platform.url)
    learner, seat = _active_seat(w, run_tasks)
    before = services.sso_launch_create(actor=learner, seat=seat)
    old_kid = sso.signing_key()[0]
    sso.rotate_key()
    assert sso.signing_key()[0] != old_kid
    kids = {k["kid"] for k in sso.jwks()["keys"]}
    assert old_kid in kids and len(kids) == 2
    assert _launch(before.url, before.id_token).status_code == 303
    after = services.sso_launch_create(actor=learner, seat=seat)
    assert jwt.get_unverified_header(after.id_token)["kid"] != old_kid
    assert _launch(after.url, after.id_token).status_code == 303
    assert SigningKey.objects.filter(is_active=True).count() == 1


def test_duplicate_usage_callbacks_are_counted_once_and_usage_can_be_pulled(
    platform: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=platform.url)
    learner, seat = _active_seat(w, run_tasks)
    platform.control(duplicate_callbacks=True)
    launch = services.sso_launch_create(actor=learner, seat=seat)
    cookies = _launch(launch.url, launch.id_token).cookies
    assert httpx.get(platform.url + "/lesson", cookies=cookies, timeout=10).status_code == 200
    deadline = time.monotonic() + 10
    while platform.state()["callbacks_sent"] < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert platform.state()["callbacks_sent"] == 2
    assert UsageEvent.objects.filter(seat=seat).count() == 1
    from datetime import UTC, datetime

    day = datetime.now(UTC).date()
    result = services.usage_pull(provider=seat.contract.provider, day=day)
    assert result is not None and result.report.rows_ok == 1
    assert UsageRecord.objects.get(seat=seat).minutes == 10
    again = services.usage_pull(provider=seat.contract.provider, day=day)
    assert again is not None and again.duplicate


def test_unsigned_callbacks_are_refused(live_server: Any) -> None:
    response = httpx.post(
        live_server.url + "/api/enrollment/provider-callbacks/usage-events",
        json={"events": []},
        headers={"X-SL-Key-Id": "mbest"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"


def test_jwks_is_public_and_lists_the_signing_key(client: Any) -> None:
    response = client.get("/enrollment/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # never the private part
    stored = SigningKey.objects.get(kid=keys[0]["kid"])
    assert "PRIVATE KEY" in stored.private_pem
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT private_pem FROM enrollment_signingkey")
        raw = cursor.fetchone()[0]
    assert "PRIVATE KEY" not in raw  # encrypted at rest


def test_key_from_a_file_is_used_in_production(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "sso.pem"
    path.write_text(sso.generate_pem())
    settings.SSO_PRIVATE_KEY_PATH = str(path)
    settings.SSO_KEY_ID = ""
    kid, pem = sso.signing_key()
    assert pem == path.read_text()
    assert [k["kid"] for k in sso.jwks()["keys"]] == [kid]
    assert not SigningKey.objects.exists()


def test_rotate_command_makes_a_new_active_key() -> None:
    from io import StringIO

    from django.core.management import call_command

    first = sso.signing_key()[0]
    out = StringIO()
    call_command("rotate_sso_key", stdout=out)
    assert sso.signing_key()[0] != first and "new signing key" in out.getvalue()
