"""How guardian invitations reach the guardian's phone: a small, pluggable interface.

``GUARDIAN_INVITE_CHANNEL`` names either a built-in channel of ``core.services.message_send``
(``console``, ``sms_sandbox``, ``email``) or the dotted path of a class implementing
:class:`MessageChannel`, for example a real SMS gateway::

    class AcmeSmsGateway:
        name = "acme_sms"

        def send(self, *, recipient: str, subject: str, body: str, purpose: str) -> None:
            httpx.post("https://sms.example/api", json={"to": recipient, "text": body}, ...)
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from seoullearn.core.services import message_send

BUILT_IN_CHANNELS = ("console", "sms_sandbox", "email")


class MessageChannel(Protocol):
    name: str

    def send(self, *, recipient: str, subject: str, body: str, purpose: str) -> None:
        """Deliver one message or raise an exception; the caller's transaction rolls back."""


class CoreChannel:
    """One of core's channels: console log, the SMS sandbox outbox, or e-mail."""

    def __init__(self, name: str) -> None:
        if name not in BUILT_IN_CHANNELS:
            raise ValueError(f"unknown built-in channel {name!r}")
        self.name = name

    def send(self, *, recipient: str, subject: str, body: str, purpose: str) -> None:
        message_send(
            channel=self.name, recipient=recipient, subject=subject, body=body, purpose=purpose
        )


def guardian_channel() -> MessageChannel:
    """The channel configured for guardian invitations (``sms_sandbox`` by default)."""
    name: str = getattr(settings, "GUARDIAN_INVITE_CHANNEL", "sms_sandbox") or "sms_sandbox"
    if name in BUILT_IN_CHANNELS:
        return CoreChannel(name)
    channel: MessageChannel = import_string(name)()
    return channel
