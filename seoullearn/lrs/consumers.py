"""Downstream consumers of new Statements (learner progress, analytics, ...).

An app subscribes from its ``AppConfig.ready``::

    from seoullearn.lrs.consumers import register

    def on_statements(events: list[StatementEvent]) -> None: ...

    register("learning.progress", on_statements)

Contract:

- Events arrive in batches, in the order the Statements were stored (oldest first), shortly
  after they are stored (a worker on the ``lrs`` queue delivers them).
- Delivery is at least once per consumer; the handler runs inside a transaction together with
  the record of the delivery, so a handler whose writes go to the platform database sees each
  batch exactly once. A handler that raises leaves the batch undelivered for that consumer
  only; it is tried again on the next run, other consumers are not held up.
- Voided Statements are delivered like any other (``voided`` tells); a voiding Statement is
  delivered too, so consumers can undo what they derived from the voided one.
- ``user_id`` is the member the actor stands for (platform pseudonymous account) or None.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StatementEvent:
    pk: int
    statement_id: uuid.UUID
    stored: dt.datetime
    timestamp: dt.datetime
    verb_id: str
    activity_id: str | None
    registration: uuid.UUID | None
    user_id: int | None
    voided: bool
    voids: uuid.UUID | None
    client_id: int | None
    statement: dict[str, Any]


Handler = Callable[[list[StatementEvent]], None]

_REGISTRY: dict[str, Handler] = {}


def register(name: str, handler: Handler) -> None:
    """Subscribe ``handler`` under a stable ``name`` (its delivery record is kept by name)."""
    if not name or len(name) > 100:
        raise ValueError("a consumer name of 1 to 100 characters is required")
    _REGISTRY[name] = handler


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered() -> dict[str, Handler]:
    return dict(_REGISTRY)
