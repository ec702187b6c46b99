"""Background work of the LRS: delivering the outbox to consumers, pruning delivered rows."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from seoullearn.lrs import outbox

logger = logging.getLogger(__name__)


@task(queue_name="lrs")
def deliver_outbox() -> int:
    """Deliver every pending outbox batch to every registered consumer (idempotent)."""
    return outbox.deliver_pending()


@task(queue_name="lrs")
def prune_outbox(days: int = 7) -> int:
    return outbox.prune(older_than=dt.timedelta(days=days))
