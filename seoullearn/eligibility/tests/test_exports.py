"""Exports: small ones at once, large ones as a task with progress; files encrypted, only for
the operator who asked, logged on download, deleted after a day."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from openpyxl import load_workbook

from seoullearn.core.models import AccessLog
from seoullearn.core.timeutil import now
from seoullearn.eligibility import exports
from seoullearn.eligibility.models import ExportJob
from seoullearn.eligibility.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_large_export_runs_as_a_task(
    monkeypatch: Any,
    operator: Any,
    other_operator: Any,
    operator_client: Client,
    programme: Any,
    run_tasks: Any,
) -> None:
    monkeypatch.setattr(exports, "INLINE_MAX_ROWS", 2)
    for _ in range(3):
        ApplicationFactory(programme=programme, status="in_review")
    response = operator_client.get("/backoffice/eligibility/applications/?export=xlsx")
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/backoffice/eligibility/exports/{job.public_id}/"
    assert (job.status, job.total, job.kind, job.fmt) == ("queued", 3, "applications", "xlsx")
    assert not AccessLog.objects.filter(action="export").exists()
    page = operator_client.get(response["Location"]).content.decode()
    assert "0 / 3" in page and 'hx-trigger="every 2s"' in page
    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.done, job.percent) == ("done", 3, 100)
    with default_storage.open(job.file, "rb") as handle:
        assert not handle.read().startswith(b"PK")  # encrypted at rest
    partial = operator_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "파일 내려받기" in partial and "hx-trigger" not in partial
    download = operator_client.get(f"/backoffice/eligibility/exports/{job.public_id}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet is not None and len(list(sheet.iter_rows())) == 4
    log = AccessLog.objects.get(action="export")
    assert (log.actor, log.object_id) == (operator, str(job.public_id))
    other = client_for(other_operator)
    assert other.get(f"/backoffice/eligibility/exports/{job.public_id}/").status_code == 404
    assert (
        other.get(f"/backoffice/eligibility/exports/{job.public_id}/download/").status_code == 404
    )


def test_member_export_in_the_background_as_csv(
    monkeypatch: Any, operator: Any, programme: Any, run_tasks: Any
) -> None:
    from seoullearn.eligibility.models import Membership

    monkeypatch.setattr(exports, "INLINE_MAX_ROWS", 0)
    app: Any = ApplicationFactory(programme=programme, status="approved")
    Membership.objects.create(
        user=app.applicant,
        programme=programme,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    job = exports.export_start(
        actor=operator, kind="members", fmt="csv", filters={}, programme=programme
    )
    exports.export_run(job_id=str(job.public_id))
    exports.export_run(job_id=str(job.public_id))  # a second run leaves the finished job alone
    job.refresh_from_db()
    from seoullearn.core.files import read_encrypted

    text = read_encrypted(job.file).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,username,name,status")
    assert app.applicant.username in text


def test_exports_are_deleted_after_a_day(operator: Any, programme: Any, run_tasks: Any) -> None:
    from seoullearn.eligibility.tasks import purge_exports

    job = exports.export_start(
        actor=operator, kind="applications", fmt="csv", filters={}, programme=programme
    )
    run_tasks()
    job.refresh_from_db()
    name = job.file
    assert default_storage.exists(name)
    assert purge_exports.call() == 0
    ExportJob.objects.filter(pk=job.pk).update(created_at=now() - dt.timedelta(hours=25))
    assert purge_exports.call() == 1
    job.refresh_from_db()
    assert (job.status, job.file) == ("expired", "")
    assert not default_storage.exists(name)
    assert purge_exports.call() == 0


def test_export_refuses_other_roles_and_bad_formats(
    learner: Any, operator: Any, programme: Any
) -> None:
    from seoullearn.core.errors import InvalidInput, PermissionDenied

    with pytest.raises(PermissionDenied):
        exports.export_start(
            actor=learner, kind="applications", fmt="csv", filters={}, programme=programme
        )
    with pytest.raises(InvalidInput):
        exports.export_start(
            actor=operator, kind="applications", fmt="pdf", filters={}, programme=programme
        )
