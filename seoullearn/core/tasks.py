"""Core background tasks: the stuck-task sweeper and the access-log purge.

Tasks run under the DEP 14 API (``django_tasks``) with the database backend; ``manage.py
db_worker`` executes them. Every task must be idempotent: the sweeper may run one again after a
worker died mid-way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django_tasks import task
from django_tasks.base import Task

from seoullearn.core.timeutil import now

ENQUEUE_BATCH = 2000


def enqueue_many(
    task: Task[Any, Any],
    calls: Sequence[Mapping[str, Any]],
    *,
    ids: Iterator[uuid.UUID] | None = None,
) -> int:
    """Enqueue one run of ``task`` per keyword-argument mapping in ``calls``.

    On the database backend the runs are inserted in bulk, exactly as ``task.enqueue(**call)``
    would store each (bulk writers such as the demo data enqueue tens of thousands); ``ids``
    gives them chosen ids (deterministic demo data). Other backends enqueue one by one.
    """
    from django_tasks.utils import normalize_json
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for call in calls:
            task.enqueue(**call)
        return len(calls)
    backend.validate_task(task)
    rows = [
        DBTaskResult(
            id=next(ids) if ids is not None else uuid.uuid4(),
            args_kwargs=normalize_json({"args": [], "kwargs": dict(call)}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for call in calls
    ]
    DBTaskResult.objects.bulk_create(rows, batch_size=ENQUEUE_BATCH)
    return len(rows)


def sweep_stuck_tasks_now(*, stuck_after_seconds: int | None = None) -> int:
    """Put tasks that have been RUNNING too long (their worker died) back in the queue."""
    from django_tasks_db.models import DBTaskResult

    limit = stuck_after_seconds or settings.TASK_STUCK_AFTER_SECONDS
    cutoff = now() - dt.timedelta(seconds=limit)
    return DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(
        status="READY", started_at=None
    )


@task()
def sweep_stuck_tasks() -> int:
    return sweep_stuck_tasks_now()


@task()
def purge_access_log() -> int:
    from seoullearn.core.services import access_log_purge

    return access_log_purge()


@task()
def prune_finished_tasks(days: int = 14) -> int:
    from django_tasks_db.models import DBTaskResult

    cutoff = now() - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL"], finished_at__lt=cutoff
    ).delete()
    return deleted
