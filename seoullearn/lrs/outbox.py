"""Delivery of stored Statements to the consumers registered in ``consumers``."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction

from seoullearn.core.timeutil import now
from seoullearn.lrs import consumers
from seoullearn.lrs.consumers import StatementEvent
from seoullearn.lrs.models import OutboxBatch, OutboxDelivery, Statement

logger = logging.getLogger(__name__)

BATCHES_PER_RUN = 200


def _events(batch: OutboxBatch) -> list[StatementEvent]:
    from seoullearn.lrs.selectors import user_for_actor

    rows = Statement.objects.filter(statement_id__in=batch.statement_ids).order_by("pk")
    site = settings.SITE_URL.rstrip("/")
    users: dict[str, int | None] = {}
    events = []
    for row in rows:
        payload = row.payload
        actor = payload["actor"]
        account = actor.get("account") or {}
        user_id = None
        if str(account.get("homePage", "")).rstrip("/") == site:
            name = str(account.get("name"))
            if name not in users:
                user = user_for_actor(actor)
                users[name] = user.pk if user is not None else None
            user_id = users[name]
        obj = payload["object"]
        events.append(
            StatementEvent(
                pk=row.pk,
                statement_id=row.statement_id,
                stored=row.stored,
                timestamp=row.timestamp,
                verb_id=payload["verb"]["id"],
                activity_id=obj["id"] if obj.get("objectType", "Activity") == "Activity" else None,
                registration=row.registration,
                user_id=user_id,
                voided=row.voided,
                voids=row.ref_id if row.is_voiding else None,
                client_id=row.client_id,
                statement=payload,
            )
        )
    return events


def deliver_pending(limit: int = BATCHES_PER_RUN) -> int:
    """Deliver pending batches to each consumer; returns the number of deliveries made."""
    delivered = 0
    for name, handler in consumers.registered().items():
        pending = OutboxBatch.objects.exclude(deliveries__consumer=name).order_by("pk")[:limit]
        for batch in pending:
            try:
                with transaction.atomic():
                    _, created = OutboxDelivery.objects.get_or_create(batch=batch, consumer=name)
                    if not created:
                        continue
                    handler(_events(batch))
            except Exception:
                logger.exception("LRS consumer %s failed on outbox batch %s", name, batch.pk)
                break  # keep order: retry this batch first next time
            delivered += 1
    return delivered


def prune(*, older_than: dt.timedelta) -> int:
    """Remove batches every registered consumer has received (and old enough)."""
    names = list(consumers.registered())
    candidates = OutboxBatch.objects.filter(created_at__lt=now() - older_than)
    for name in names:
        candidates = candidates.filter(deliveries__consumer=name)
    _, per_model = OutboxBatch.objects.filter(
        pk__in=list(candidates.values_list("pk", flat=True))
    ).delete()
    return per_model.get(OutboxBatch._meta.label, 0)
