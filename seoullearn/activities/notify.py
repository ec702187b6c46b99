"""Reminders and notices to people, through the channels the deployment enables."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from seoullearn.core.services import message_send


def notify_user(*, user: Any, subject: str, body: str, purpose: str) -> bool:
    """Send through e-mail when the person has an address, else the SMS channel, else console."""
    channels = settings.NOTIFICATION_CHANNELS
    if user.email and "email" in channels:
        message_send(
            channel="email", recipient=user.email, subject=subject, body=body, purpose=purpose
        )
        return True
    if user.phone and "sms_sandbox" in channels:
        message_send(
            channel="sms_sandbox", recipient=user.phone, subject=subject, body=body, purpose=purpose
        )
        return True
    if "console" in channels:
        message_send(
            channel="console",
            recipient=user.get_username(),
            subject=subject,
            body=body,
            purpose=purpose,
        )
        return True
    return False
