"""Periodic account jobs (idempotent)."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_guardian_links() -> int:
    from seoullearn.accounts.services import guardian_links_expire

    return guardian_links_expire()
