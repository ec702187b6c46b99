"""Small helpers shared by the page views of the workspace apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest

from seoullearn.core.errors import DomainError

T = TypeVar("T")


def attempt(request: HttpRequest, action: Callable[[], T], success: str = "") -> T | None:
    """Run a service call for a page: a domain error becomes a message instead of a crash."""
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return None
    if success:
        messages.success(request, success)
    return result


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def decorate(obj: Any, **values: Any) -> Any:
    """Attach display-only values to a model instance for a template."""
    for name, value in values.items():
        setattr(obj, name, value)
    return obj
