"""Concurrent writers on PostgreSQL: the same Statement sent at once by several requests is
stored once and every sender gets its acknowledgement; documents keep their ETag rules."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection

from seoullearn.lrs import services
from seoullearn.lrs.errors import LRSError
from seoullearn.lrs.models import Document, Statement
from seoullearn.lrs.tests.conftest import make_statement

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(workers: int, target: Any) -> list[Any]:
    results: list[Any] = [None] * workers
    barrier = threading.Barrier(workers)

    def work(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_same_statement_from_concurrent_requests_is_stored_once(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False
    client, _ = services.lrs_client_create(name="racer", scopes=["all"])
    credential = services.Credential(client=client, scopes=frozenset(client.scopes))
    shared = str(uuid.uuid4())

    def send(index: int) -> list[str]:
        batch = [make_statement(id=shared), make_statement(id=str(uuid.uuid4()))]
        return services.statements_store(statements=batch, credential=credential, version="2.0")

    results = _run(6, send)
    assert all(isinstance(result, list) for result in results), results
    assert Statement.objects.filter(statement_id=shared).count() == 1
    assert Statement.objects.count() == 7


def test_conflicting_statements_at_once_one_wins_the_others_get_409(settings: Any) -> None:
    settings.LRS_OUTBOX_KICK = False
    client, _ = services.lrs_client_create(name="racer", scopes=["all"])
    credential = services.Credential(client=client, scopes=frozenset(client.scopes))
    shared = str(uuid.uuid4())

    def send(index: int) -> list[str]:
        statement = make_statement(id=shared, result={"response": f"answer {index}"})
        return services.statements_store(
            statements=[statement], credential=credential, version="2.0"
        )

    results = _run(5, send)
    stored = [r for r in results if isinstance(r, list)]
    conflicts = [r for r in results if isinstance(r, LRSError) and r.status == 409]
    assert len(stored) == 1 and len(conflicts) == 4, results
    assert Statement.objects.filter(statement_id=shared).count() == 1


def test_concurrent_if_match_updates_only_one_succeeds() -> None:
    scope = services.DocumentScope(kind="activity_profile", activity_id="http://example.org/a")
    first = services.document_save(
        scope=scope,
        document_id="p",
        content=b"{}",
        content_type="application/json",
        merge=False,
        if_match=None,
        if_none_match="*",
        require_precondition=True,
        client=None,
    )

    def update(index: int) -> Document:
        return services.document_save(
            scope=scope,
            document_id="p",
            content=f'{{"v": {index}}}'.encode(),
            content_type="application/json",
            merge=False,
            if_match=f'"{first.etag}"',
            if_none_match=None,
            require_precondition=True,
            client=None,
        )

    results = _run(4, update)
    assert sum(isinstance(r, Document) for r in results) == 1
    assert sum(isinstance(r, LRSError) and r.status == 412 for r in results) == 3
