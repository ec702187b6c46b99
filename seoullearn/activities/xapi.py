"""The platform's own activities as xAPI statements (Seoul Learn xAPI profile).

Consulting sessions held, lecture attendance and career stages completed are learning events
like any provider's, so they go into the learning record store with the platform as authority,
through ``seoullearn.lrs.services.platform_statement_record`` after the surrounding transaction
commits. Statement ids are derived from what happened (learner, activity, verb), so recording the
same event twice stores it once. A deployment without the record store keeps the domain rows.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

# Identifiers of the profile (docs/xapi-profile.md); they identify, they need not resolve.
BASE = "https://slearn.seoul.go.kr/xapi"
VERB_ATTENDED = ("http://adlnet.gov/expapi/verbs/attended", "참석함", "attended")
VERB_COMPLETED = ("http://adlnet.gov/expapi/verbs/completed", "완료함", "completed")
TYPE_CONSULTING_SESSION = f"{BASE}/activity-types/consulting-session"
TYPE_SPECIAL_LECTURE = f"{BASE}/activity-types/special-lecture"
TYPE_CAREER_PROGRAMME = f"{BASE}/activity-types/career-programme"
EXT_MODE = f"{BASE}/extensions/mode"
EXT_SESSION_KIND = f"{BASE}/extensions/session-kind"

# Where each kind of platform activity lives under the profile's namespace.
KIND_CONSULTING = "consulting-sessions"
KIND_LECTURE = "special-lectures"
KIND_CAREER = "career-programmes"


def activity_id(kind: str, *parts: object) -> str:
    """A stable IRI for one of the platform's activities."""
    return "/".join([f"{BASE}/activities/{kind}", *(str(p) for p in parts)])


def lecture_activity_id(lecture_public_id: object) -> str:
    """The IRI a streaming or metaverse platform reports ``attended`` against."""
    return activity_id(KIND_LECTURE, lecture_public_id)


def _recorder() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("seoullearn.lrs.services")
    except ModuleNotFoundError:
        return None
    recorder = getattr(module, "platform_statement_record", None)
    return recorder if callable(recorder) else None


def lrs_available() -> bool:
    return _recorder() is not None


def duration_iso(minutes: int) -> str:
    return f"PT{int(minutes)}M"


def statement_record(
    *,
    learner: Any,
    verb: tuple[str, str, str],
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
    verb_id, display_ko, display_en = verb
    statement_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{object_id}|{learner.pseudonym}|{verb_id}")
    result: dict[str, Any] = {"completion": True}
    if duration_minutes:
        result["duration"] = duration_iso(duration_minutes)
    kwargs: dict[str, Any] = {
        "user": learner,
        "verb_id": verb_id,
        "verb_display": {"ko-KR": display_ko, "en-US": display_en},
        "activity_id": object_id,
        "activity_type": activity_type,
        "activity_name": {"ko-KR": name_ko, "en-US": name_en or name_ko},
        "result": result,
        "context_extensions": extensions or None,
        "timestamp": timestamp,
        "statement_id": statement_id,
    }

    def _send() -> None:
        try:
            recorder(**kwargs)
        except Exception:
            # The domain row is the record of truth; a statement the store refused is logged
            # and can be sent again (the id makes a resend idempotent).
            logger.exception("platform statement %s was not stored", statement_id)

    transaction.on_commit(_send)
    return True
