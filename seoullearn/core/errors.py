"""Domain errors with one shape everywhere: ``code``, ``message``, ``details``.

Services raise these; the API turns them into JSON (see ``config/api.py``) and views into form
errors or messages. ``message`` is a lazily translated string, so the same error reads in Korean
or English depending on the request's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class InvalidInput(DomainError):
    status_code = 400
    default_code = "invalid_input"


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (already decided, already taken, ...)."""

    status_code = 409
    default_code = "conflict"


class RuleViolation(DomainError):
    """A programme rule refuses the action; ``code`` names the rule."""

    status_code = 422
    default_code = "rule_violation"
