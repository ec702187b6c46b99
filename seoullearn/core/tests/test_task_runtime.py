"""The task runtime really works: the database worker runs queued tasks, the sweeper puts a
task abandoned by a dead worker back in the queue, the scheduler enqueues each job once per
time slot (also with several schedulers at once, on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from seoullearn.core import scheduler, tasks
from seoullearn.core.models import ScheduledJobRun
from seoullearn.core.timeutil import SEOUL, now


@pytest.mark.django_db
def test_worker_runs_queued_tasks(run_tasks: Any) -> None:
    result = tasks.purge_access_log.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    run_tasks()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 0


@pytest.mark.django_db
def test_sweeper_requeues_a_stuck_task_which_then_runs(run_tasks: Any) -> None:
    stuck = tasks.purge_access_log.enqueue()
    recent = tasks.prune_finished_tasks.enqueue()
    long_ago = now() - dt.timedelta(hours=2)
    # A worker claimed both and died; one was claimed long ago, the other just now.
    DBTaskResult.objects.filter(id=stuck.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=["dead"]
    )
    DBTaskResult.objects.filter(id=recent.id).update(
        status="RUNNING", started_at=now(), worker_ids=["busy"]
    )

    run_tasks()  # the worker never touches RUNNING tasks
    assert DBTaskResult.objects.get(id=stuck.id).status == "RUNNING"

    assert tasks.sweep_stuck_tasks_now(stuck_after_seconds=900) == 1
    assert DBTaskResult.objects.get(id=stuck.id).status == "READY"
    assert DBTaskResult.objects.get(id=recent.id).status == "RUNNING"

    run_tasks()
    assert DBTaskResult.objects.get(id=stuck.id).status == "SUCCESSFUL"
    assert tasks.sweep_stuck_tasks_now(stuck_after_seconds=900) == 0


@pytest.mark.django_db
def test_sweep_command(capsys: Any) -> None:
    result = tasks.purge_access_log.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=now() - dt.timedelta(days=1)
    )
    call_command("sweep_tasks", "--stuck-after", "60")
    assert "requeued 1 task(s)" in capsys.readouterr().out


def test_slots_of_a_job() -> None:
    job = scheduler.Job("x", tasks.purge_access_log, dt.timedelta(minutes=5))
    at = dt.datetime(2026, 3, 1, 10, 2, tzinfo=SEOUL)
    assert job.slot(at) == job.slot(at + dt.timedelta(minutes=2))
    assert job.slot(at) != job.slot(at + dt.timedelta(minutes=4))


@pytest.mark.django_db
def test_scheduler_enqueues_once_per_slot() -> None:
    at = dt.datetime(2026, 3, 1, 10, 2, tzinfo=SEOUL)
    first = scheduler.run_due_jobs(at)
    assert "core.sweep_stuck_tasks" in first
    assert set(first) == {job.name for job in scheduler.jobs()}
    assert scheduler.run_due_jobs(at + dt.timedelta(seconds=30)) == []  # same slot for every job
    later = scheduler.run_due_jobs(at + dt.timedelta(minutes=5))
    assert "core.sweep_stuck_tasks" in later
    assert "core.purge_access_log" not in later  # daily: same slot
    sweeps = ScheduledJobRun.objects.filter(job="core.sweep_stuck_tasks")
    assert sweeps.count() == 2
    assert (
        DBTaskResult.objects.filter(task_path="seoullearn.core.tasks.sweep_stuck_tasks").count()
        == 2
    )
    assert all(run.task_result_id for run in sweeps)


@pytest.mark.django_db
def test_run_scheduler_once_command(capsys: Any) -> None:
    call_command("run_scheduler", "--once")
    out = capsys.readouterr().out
    assert "enqueued core.sweep_stuck_tasks" in out
    call_command("run_scheduler", "--once")
    assert "enqueued" not in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_slot_once() -> None:
    at = dt.datetime(2026, 3, 1, 10, 2, tzinfo=SEOUL)
    barrier = threading.Barrier(2)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(scheduler.run_due_jobs(at))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    names = [name for result in results for name in result]
    assert sorted(names) == sorted(job.name for job in scheduler.jobs())
    assert ScheduledJobRun.objects.count() == len(scheduler.jobs())
    assert DBTaskResult.objects.count() == len(scheduler.jobs())
