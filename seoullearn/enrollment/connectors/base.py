"""What the platform needs from any content provider, whatever its technology."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class ConnectorError(Exception):
    """A call to a provider failed. ``transient`` errors (network, timeouts, 5xx, 429, replies
    that cannot be parsed) are retried with backoff; permanent ones (other 4xx) are not."""

    def __init__(self, message: str, *, transient: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


@dataclass(frozen=True)
class AccountRef:
    account_id: str
    status: str  # active, suspended, closed


@dataclass(frozen=True)
class LaunchTarget:
    """Where the browser posts the signed launch (form_post of ``id_token``)."""

    url: str


@dataclass(frozen=True)
class UsageRow:
    day: dt.date
    account_id: str
    learner_id: str
    minutes: int
    lessons_completed: int


class ProviderConnector(Protocol):
    def create_account(
        self, *, idempotency_key: str, learner_id: str, offering_code: str
    ) -> AccountRef: ...

    def suspend(self, *, account_id: str) -> AccountRef: ...

    def reactivate(self, *, account_id: str) -> AccountRef: ...

    def close(self, *, account_id: str) -> AccountRef: ...

    def sso_launch(self) -> LaunchTarget: ...

    def pull_usage(self, *, day: dt.date) -> list[UsageRow]: ...
