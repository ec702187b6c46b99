"""Periodic jobs.

Apps register jobs in their ``AppConfig.ready``; ``manage.py run_scheduler`` enqueues each job
once per time slot. The slot row is inserted with a unique constraint, so several scheduler
processes on several machines never enqueue the same slot twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from seoullearn.core.timeutil import SEOUL, now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: Any  # a django_tasks Task
    every: dt.timedelta

    def slot(self, at: dt.datetime) -> str:
        seconds = int(self.every.total_seconds())
        epoch = int(at.timestamp())
        start = epoch - epoch % seconds
        return dt.datetime.fromtimestamp(start, tz=SEOUL).strftime("%Y%m%dT%H%M%S")


_JOBS: dict[str, Job] = {}


def register(name: str, task: Any, every: dt.timedelta) -> None:
    _JOBS[name] = Job(name=name, task=task, every=every)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def run_due_jobs(at: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been enqueued yet. Returns their names."""
    from seoullearn.core.models import ScheduledJobRun

    at = at or now()
    enqueued: list[str] = []
    for job in jobs():
        slot = job.slot(at)
        try:
            with transaction.atomic():
                run = ScheduledJobRun.objects.create(job=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue
        enqueued.append(job.name)
        logger.info("scheduled %s for slot %s", job.name, slot)
    return enqueued


def register_builtin_jobs() -> None:
    from seoullearn.core import tasks

    register("core.sweep_stuck_tasks", tasks.sweep_stuck_tasks, dt.timedelta(minutes=5))
    register("core.purge_access_log", tasks.purge_access_log, dt.timedelta(days=1))
    register("core.prune_finished_tasks", tasks.prune_finished_tasks, dt.timedelta(days=1))
