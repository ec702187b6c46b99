"""Background work of the mentoring app (queue "matching")."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="matching")
def run_matching(run_public_id: str) -> str:
    """Compute proposals for a matching run (idempotent: a finished run is not redone)."""
    from seoullearn.mentoring.services import matching_run_execute

    run = matching_run_execute(run_public_id=run_public_id)
    return str(run.status)
