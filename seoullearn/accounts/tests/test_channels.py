from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.conf import LazySettings

from seoullearn.accounts import channels
from seoullearn.accounts.models import User


class RecordingGateway:
    """A stand-in SMS gateway class plugged in by dotted path, as a real one would be."""

    name = "recording_gateway"
    sent: ClassVar[list[dict[str, Any]]] = []

    def send(self, *, recipient: str, subject: str, body: str, purpose: str) -> None:
        RecordingGateway.sent.append({"recipient": recipient, "body": body, "purpose": purpose})


def test_built_in_channels_and_unknown_names(settings: LazySettings) -> None:
    settings.GUARDIAN_INVITE_CHANNEL = "console"
    assert channels.guardian_channel().name == "console"
    with pytest.raises(ValueError):
        channels.CoreChannel("carrier_pigeon")


@pytest.mark.django_db
def test_a_gateway_class_plugs_in_by_dotted_path(settings: LazySettings, child: User) -> None:
    settings.GUARDIAN_INVITE_CHANNEL = "seoullearn.accounts.tests.test_channels.RecordingGateway"
    RecordingGateway.sent.clear()
    link = _invite_with_gateway(child)
    assert link.channel == "recording_gateway"
    assert [m["purpose"] for m in RecordingGateway.sent] == ["guardian_invitation", "guardian_code"]
    assert all(m["recipient"] == "01012345678" for m in RecordingGateway.sent)


def _invite_with_gateway(child: User) -> Any:
    from seoullearn.accounts import services

    link = services.guardian_invite(
        learner=child,
        actor=child,
        guardian_name="a",
        relationship="어머니",
        phone="010-1234-5678",
        base_url="http://testserver",
    )
    return link


@pytest.mark.django_db
def test_console_channel_records_and_prints(
    settings: LazySettings, child: User, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.GUARDIAN_INVITE_CHANNEL = "console"
    from seoullearn.core.models import OutboundMessage

    _invite_with_gateway(child)
    assert "보호자 인증번호" in capsys.readouterr().out
    assert OutboundMessage.objects.filter(channel="console").count() == 2
