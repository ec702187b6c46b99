"""Exports of the review queue and the member list (CSV/XLSX).

Small exports are sent at once; larger ones are built by a task (``run_export``) whose
progress the operator follows, stored encrypted and deleted after ``EXPORT_KEEP``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from seoullearn.core.errors import InvalidInput
from seoullearn.core.exports import export_response
from seoullearn.core.files import delete_encrypted, store_encrypted
from seoullearn.core.permissions import require_role
from seoullearn.core.timeutil import SEOUL, now
from seoullearn.eligibility import selectors
from seoullearn.eligibility.models import ExportJob
from seoullearn.programmes.models import Programme

# Up to this many rows an export is sent in the response; beyond, a task builds it.
INLINE_MAX_ROWS = 2000
EXPORT_KEEP = dt.timedelta(hours=24)
FORMATS = ("csv", "xlsx")

APPLICATION_HEADERS = [
    "id",
    "submitted_at",
    "status",
    "kind",
    "verification",
    "username",
    "name",
    "age",
    "school_level",
    "grade",
    "district",
    "category",
    "household_size",
    "monthly_income_krw",
    "claimed_by",
    "decided_at",
    "decision_reason",
]

MEMBER_HEADERS = [
    "id",
    "username",
    "name",
    "status",
    "category",
    "district",
    "school_level",
    "starts_on",
    "ends_on",
    "reverify_due_on",
    "grace_until",
    "end_reason",
]


def _local(value: Any) -> str:
    return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") if value else ""


def application_rows(qs: Any, districts: dict[str, str]) -> Iterator[list[Any]]:
    for app in qs.iterator(chunk_size=500):
        yield [
            str(app.public_id),
            _local(app.submitted_at),
            app.get_status_display(),
            app.get_kind_display(),
            app.get_verification_display(),
            app.applicant.username,
            app.applicant_name or app.applicant.full_name,
            app.age(),
            app.get_school_level_display(),
            app.grade or "",
            districts.get(app.district_code, app.district_code),
            app.category_label,
            app.household_size or "",
            app.monthly_income_krw if app.monthly_income_krw is not None else "",
            app.claimed_by.username if app.claimed_by else "",
            _local(app.decided_at),
            app.decision_reason,
        ]


def member_rows(qs: Any, districts: dict[str, str]) -> Iterator[list[Any]]:
    for m in qs.iterator(chunk_size=500):
        yield [
            str(m.public_id),
            m.user.username,
            m.user.full_name,
            m.get_status_display(),
            m.category_label,
            districts.get(m.district_code, m.district_code),
            m.get_school_level_display(),
            m.starts_on,
            m.ends_on,
            m.reverify_due_on,
            m.grace_until,
            m.end_reason,
        ]


def source(
    kind: str, user: Any, filters: dict[str, Any], programme: Programme | None
) -> tuple[Any, list[str], Callable[[Any, dict[str, str]], Iterator[list[Any]]]]:
    """(queryset, headers, row builder) of an export kind with the list page's filters."""
    if kind == ExportJob.Kind.APPLICATIONS:
        review = selectors.ReviewFilters.from_query(filters)
        return (
            selectors.review_queue(user, review, programme=programme),
            APPLICATION_HEADERS,
            application_rows,
        )
    members = selectors.MemberFilters.from_query(filters)
    return selectors.member_search(user, members, programme=programme), MEMBER_HEADERS, member_rows


def export_start(
    *, actor: Any, kind: str, fmt: str, filters: dict[str, Any], programme: Programme | None
) -> ExportJob:
    require_role(actor, *selectors.REVIEWER_ROLES)
    if kind not in ExportJob.Kind.values or fmt not in FORMATS:
        raise InvalidInput(_("내보내기 형식을 확인해 주세요."), code="invalid_export")
    from seoullearn.eligibility.tasks import run_export

    qs, _headers, _rows = source(kind, actor, filters, programme)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            kind=kind,
            fmt=fmt,
            filters=filters,
            programme=programme,
            total=qs.count(),
        )
        run_export.enqueue(str(job.public_id))
    return job


def export_run(*, job_id: str) -> ExportJob | None:
    """Build the file. Idempotent: a finished job is left alone; a job interrupted half-way
    is built again from the start."""
    job = (
        ExportJob.objects.select_related("requested_by", "programme")
        .filter(public_id=job_id)
        .first()
    )
    if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, done=0)
    qs, headers, rows = source(job.kind, job.requested_by, job.filters, job.programme)
    districts = selectors.district_names(job.programme)

    def counted() -> Iterator[list[Any]]:
        for index, row in enumerate(rows(qs, districts), start=1):
            if index % 500 == 0:
                ExportJob.objects.filter(pk=job.pk).update(done=index)
            yield row

    content = export_response(
        filename=job.kind, headers=headers, rows=counted(), fmt=job.fmt
    ).content
    name = store_encrypted(content, folder="exports")
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.file:
            delete_encrypted(locked.file)
        locked.file = name
        locked.done = locked.total
        locked.status = ExportJob.Status.DONE
        locked.finished_at = now()
        locked.save()
    return locked


def exports_purge(*, older_than: dt.timedelta = EXPORT_KEEP) -> int:
    """Delete export files older than the retention (they hold personal data)."""
    count = 0
    for job in ExportJob.objects.filter(created_at__lt=now() - older_than).exclude(
        status=ExportJob.Status.EXPIRED
    ):
        if job.file:
            delete_encrypted(job.file)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        count += 1
    return count
