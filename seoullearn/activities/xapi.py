"""The platform's own activities as xAPI statements.

Consulting sessions held, lecture attendance and career stages completed are learning events
like any provider's, so they go into the learning record store with the platform as authority.
Statements are built here (verbs and activity identifiers of the platform's xAPI profile) and
handed to ``seoullearn.lrs.services.platform_statement_record`` after the surrounding
transaction commits. A deployment without the record store keeps the domain rows only.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

VERB_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"

ACTIVITY_TYPE_MEETING = "http://adlnet.gov/expapi/activities/meeting"
ACTIVITY_TYPE_MODULE = "http://adlnet.gov/expapi/activities/module"


def activity_id(kind: str, *parts: object) -> str:
    """A stable IRI for one of the platform's activities."""
    base = settings.SITE_URL.rstrip("/")
    return "/".join([f"{base}/xapi/activities/{kind}", *(str(p) for p in parts)])


def _recorder() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("seoullearn.lrs.services")
    except ModuleNotFoundError:
        return None
    recorder = getattr(module, "platform_statement_record", None)
    return recorder if callable(recorder) else None


def lrs_available() -> bool:
    return _recorder() is not None


def statement_record(
    *,
    learner: Any,
    verb: str,
    object_id: str,
    name_ko: str,
    name_en: str,
    activity_type: str,
    timestamp: dt.datetime,
    duration_minutes: int | None = None,
    extensions: dict[str, Any] | None = None,
) -> bool:
    """Queue one statement about ``learner`` for the record store (after commit).

    Returns False when no record store is installed in this deployment.
    """
    recorder = _recorder()
    if recorder is None:
        return False
    kwargs: dict[str, Any] = {
        "user": learner,
        "verb": verb,
        "activity_id": object_id,
        "activity_name": {"ko-KR": name_ko, "en-US": name_en},
        "activity_type": activity_type,
        "timestamp": timestamp,
        "duration_seconds": duration_minutes * 60 if duration_minutes else None,
        "extensions": extensions or {},
    }

    def _send() -> None:
        recorder(**kwargs)

    transaction.on_commit(_send)
    return True
