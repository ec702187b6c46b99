"""Core background tasks: the stuck-task sweeper and the access-log purge.

Tasks run under the DEP 14 API (``django_tasks``) with the database backend; ``manage.py
db_worker`` executes them. Every task must be idempotent: the sweeper may run one again after a
worker died mid-way.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from seoullearn.core.timeutil import now


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
