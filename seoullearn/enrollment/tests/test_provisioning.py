"""Provisioning over real HTTP against the sandbox provider process: failures and recovery."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from seoullearn.core.timeutil import now
from seoullearn.enrollment import services
from seoullearn.enrollment.models import ProviderEndpoint, Seat, Selection
from seoullearn.enrollment.tasks import provision_seat
from seoullearn.enrollment.tests.factories import member, operator, world
from seoullearn.enrollment.tests.sandbox import SandboxProcess, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _due_now() -> None:
    """Move every deferred retry to now (instead of waiting for the backoff)."""
    DBTaskResult.objects.filter(status="READY").update(run_after=now())


def _select(w, code: str = "mbest"):  # type: ignore[no-untyped-def]
    learner = member(w.programme)
    selection = services.selection_select(actor=learner, offering=w.offerings[code])
    return learner, selection, Seat.objects.get(selection=selection)


def test_account_is_created_with_the_pseudonym_only(
    sandbox: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=sandbox.url)
    learner, selection, seat = _select(w)
    run_tasks()
    seat.refresh_from_db()
    selection.refresh_from_db()
    assert seat.status == Seat.Status.ACTIVE and selection.status == Selection.Status.ACTIVE
    accounts = sandbox.state()["accounts"]
    assert len(accounts) == 1
    assert accounts[0]["account_id"] == seat.external_account_id
    assert accounts[0]["learner_id"] == str(learner.pseudonym)
    assert learner.full_name not in str(accounts) and learner.username not in str(accounts)


def test_provider_down_keeps_the_selection_pending_until_it_recovers(
    tmp_path: Path, run_tasks: Callable[[], None]
) -> None:
    port = free_port()
    w = world(base_url=f"http://127.0.0.1:{port}")
    _, selection, seat = _select(w)
    run_tasks()  # nobody listens on the port
    seat.refresh_from_db()
    selection.refresh_from_db()
    assert seat.status == Seat.Status.PROVISIONING and selection.status == "pending"
    assert seat.attempts == 1 and "cannot reach" in seat.last_error
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after is not None and retry.run_after > now()
    run_tasks()  # the retry is not due yet: nothing happens
    seat.refresh_from_db()
    assert seat.attempts == 1
    proc = SandboxProcess(tmp_path, port=port).start()
    try:
        _due_now()
        run_tasks()
        seat.refresh_from_db()
        selection.refresh_from_db()
        assert seat.status == Seat.Status.ACTIVE and selection.status == "active"
        assert len(proc.state()["accounts"]) == 1
    finally:
        proc.stop()


def test_backoff_grows_exponentially_up_to_the_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PROVISIONING_RETRY_BASE_SECONDS = 10
    settings.PROVISIONING_RETRY_MAX_SECONDS = 100
    delays = [services.backoff_seconds(n) for n in range(1, 7)]
    assert 10 <= delays[0] <= 11 and 20 <= delays[1] <= 22 and 40 <= delays[2] <= 44
    assert all(100 <= d <= 110 for d in delays[4:])


@pytest.mark.parametrize(
    ("mode", "message"), [("error500", "answered 500"), ("garbage", "malformed"), ("down", "503")]
)
def test_server_errors_and_garbage_are_retried(
    sandbox: SandboxProcess, run_tasks: Callable[[], None], mode: str, message: str
) -> None:
    w = world(base_url=sandbox.url)
    _, _, seat = _select(w)
    sandbox.control(mode=mode)
    run_tasks()
    seat.refresh_from_db()
    assert seat.status == Seat.Status.PROVISIONING and message in seat.last_error
    sandbox.control(mode="normal")
    _due_now()
    run_tasks()
    seat.refresh_from_db()
    assert seat.status == Seat.Status.ACTIVE
    assert len(sandbox.state()["accounts"]) == 1


def test_slow_provider_times_out_and_the_retry_gets_the_same_account(
    sandbox: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=sandbox.url)
    ProviderEndpoint.objects.update(timeout_seconds=0.5)
    _, _, seat = _select(w)
    sandbox.control(mode="slow", delay=2)
    run_tasks()
    seat.refresh_from_db()
    assert seat.status == Seat.Status.PROVISIONING and "timeout" in seat.last_error
    # The provider made the account although we gave up waiting.
    assert len(sandbox.state()["accounts"]) == 1
    sandbox.control(mode="normal")
    _due_now()
    run_tasks()
    seat.refresh_from_db()
    accounts = sandbox.state()["accounts"]
    assert len(accounts) == 1 and seat.external_account_id == accounts[0]["account_id"]


def test_duplicate_tasks_never_make_two_accounts(
    sandbox: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=sandbox.url)
    _, _, seat = _select(w)
    provision_seat.enqueue(seat_id=seat.pk)
    provision_seat.enqueue(seat_id=seat.pk)
    run_tasks()
    assert len(sandbox.state()["accounts"]) == 1
    # Even calling the provider again directly with the seat's key gives the same account.
    from seoullearn.enrollment.registry import connector_for

    seat.refresh_from_db()
    again = connector_for(seat.contract.provider).create_account(
        idempotency_key=str(seat.idempotency_key), learner_id="x", offering_code="y"
    )
    assert again.account_id == seat.external_account_id
    assert len(sandbox.state()["accounts"]) == 1


def test_refused_request_fails_for_good_and_an_operator_can_retry(
    sandbox: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=sandbox.url)
    endpoint = ProviderEndpoint.objects.get(provider__code="mbest")
    good_secret = endpoint.secret
    endpoint.secret = "wrong-secret"
    endpoint.save()
    _, _, seat = _select(w)
    run_tasks()
    seat.refresh_from_db()
    assert seat.status == Seat.Status.FAILED and "401" in seat.last_error
    endpoint.secret = good_secret
    endpoint.save()
    services.seat_retry_provisioning(actor=operator(), seat=seat)
    run_tasks()
    seat.refresh_from_db()
    assert seat.status == Seat.Status.ACTIVE


def test_cancel_closes_the_account_at_the_provider(
    sandbox: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    w = world(base_url=sandbox.url)
    learner, selection, seat = _select(w)
    run_tasks()
    services.selection_cancel(actor=learner, selection=selection)
    run_tasks()
    seat.refresh_from_db()
    assert seat.account_state == Seat.AccountState.CLOSED
    assert sandbox.state()["accounts"][0]["status"] == "closed"


def test_unsigned_and_stale_requests_are_refused_by_the_provider(sandbox: SandboxProcess) -> None:
    import time

    import httpx

    from seoullearn.enrollment.connectors.signing import derive_secret, sign

    assert httpx.post(sandbox.url + "/v1/accounts", json={}).status_code == 401
    body = b'{"learner_id":"a","offering":"b"}'
    headers = sign(
        derive_secret("sandbox-provider-dev-secret", "mbest"),
        "POST",
        "/v1/accounts",
        body,
        now=time.time() - 3600,
    )
    response = httpx.post(
        sandbox.url + "/v1/accounts",
        content=body,
        headers={**headers, "X-SL-Key-Id": "mbest", "Idempotency-Key": "k"},
    )
    assert response.status_code == 401 and "stale" in response.text


def test_connector_suspends_reactivates_and_closes(
    sandbox: SandboxProcess, run_tasks: Callable[[], None]
) -> None:
    from seoullearn.enrollment.connectors import ConnectorError
    from seoullearn.enrollment.registry import connector_for

    w = world(base_url=sandbox.url)
    _, _, seat = _select(w)
    run_tasks()
    seat.refresh_from_db()
    connector = connector_for(seat.contract.provider)
    account = seat.external_account_id
    assert connector.suspend(account_id=account).status == "suspended"
    assert connector.reactivate(account_id=account).status == "active"
    assert connector.close(account_id=account).status == "closed"
    with pytest.raises(ConnectorError) as info:
        connector.reactivate(account_id=account)
    assert info.value.status == 409 and not info.value.transient
    with pytest.raises(ConnectorError) as info:
        connector.suspend(account_id="acc_unknown")
    assert info.value.status == 404
    # Another provider's key cannot touch this provider's accounts.
    other = connector_for(w.contracts["soobakc"].provider)
    with pytest.raises(ConnectorError):
        other.close(account_id=account)
