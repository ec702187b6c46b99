"""Writes owned by core: the personal-data access log and outbound messages."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest

from seoullearn.core.models import AccessLog, OutboundMessage
from seoullearn.core.timeutil import now

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a proxy the deployer sets SECURE_PROXY_SSL_HEADER and the proxy appends the
    # client address; we take REMOTE_ADDR, which the WSGI server fills from the socket.
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    actor: Any,
    subject: Any | None,
    action: str,
    purpose: str,
    request: HttpRequest | None = None,
    obj: Any | None = None,
    detail: str = "",
    actor_label: str | None = None,
) -> AccessLog:
    """Record that ``actor`` read/exported/downloaded personal data of ``subject``.

    ``actor`` is a user or None for a machine client (then ``actor_label`` names it).
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AccessLog.objects.create(
        actor=actor if is_user else None,
        actor_label=actor_label or (actor.get_username() if is_user else "system"),
        actor_role=getattr(actor, "role", "") if is_user else "machine",
        ip_address=client_ip(request),
        subject=subject,
        subject_label=subject.get_username() if subject is not None else "",
        action=action,
        purpose=purpose[:200],
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "public_id", getattr(obj, "pk", "")) or "") if obj else "",
        detail=detail[:300],
    )


def access_log_purge(*, older_than_days: int | None = None) -> int:
    days = older_than_days if older_than_days is not None else settings.ACCESS_LOG_RETENTION_DAYS
    return AccessLog.purge_before(now() - dt.timedelta(days=days))


def message_send(
    *, channel: str, recipient: str, subject: str, body: str, purpose: str
) -> OutboundMessage:
    """Send a message through a channel named in ``NOTIFICATION_CHANNELS``.

    ``console`` logs it, ``sms_sandbox`` keeps it in the outbox only (a development stand-in for
    an SMS gateway, readable at /backoffice/outbox/), ``email`` sends through Django's backend.
    """
    if channel not in settings.NOTIFICATION_CHANNELS:
        raise ValueError(f"channel {channel!r} is not enabled")
    message = OutboundMessage.objects.create(
        channel=channel, recipient=recipient, subject=subject, body=body, purpose=purpose
    )
    if channel == "console":
        logger.info("message to %s: %s\n%s", recipient, subject, body)
        print(f"[{channel}] to {recipient}: {subject}\n{body}", flush=True)
        delivered = True
    elif channel == "email":
        delivered = bool(
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)
        )
    else:
        delivered = True
    if delivered:
        OutboundMessage.objects.filter(pk=message.pk).update(delivered=True)
        message.delivered = True
    return message
