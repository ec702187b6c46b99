"""Reactions to other apps' events (connected in ``apps.py``)."""

from __future__ import annotations

import importlib
import logging
from typing import Any

logger = logging.getLogger(__name__)

_connected = False


def on_consent_withdrawn(sender: Any, **kwargs: Any) -> None:
    """A consent was withdrawn: if the learner may no longer apply (a child under 14 without
    guardian consent), stop their open applications and membership."""
    from django.utils.translation import gettext as _

    from seoullearn.eligibility.services import consent_withdrawal_apply

    learner = kwargs.get("learner") or kwargs.get("subject")
    record = kwargs.get("record") or kwargs.get("consent")
    if learner is None and record is not None:
        learner = getattr(record, "subject", None)
    if learner is None:
        return
    notice = getattr(record, "notice", None)
    kind = str(getattr(notice, "kind", "") or kwargs.get("kind") or "guardian")
    consent_withdrawal_apply(
        learner=learner, kind=kind, reason=_("동의가 철회되어 서비스를 중단합니다.")
    )


def connect() -> None:
    """Listen to ``accounts.signals.consent_withdrawn`` when the accounts app provides it."""
    global _connected
    if _connected:
        return
    try:
        module = importlib.import_module("seoullearn.accounts.signals")
    except ModuleNotFoundError:
        return
    signal = getattr(module, "consent_withdrawn", None)
    if signal is None:
        return
    signal.connect(on_consent_withdrawn, dispatch_uid="eligibility.consent_withdrawn")
    _connected = True
