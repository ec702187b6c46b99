"""Main-menu entries per role. Apps register entries in ``AppConfig.ready``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    order: int = 100


_ITEMS: list[NavItem] = []


def register(
    label: str | Promise, url_name: str, *, roles: set[str] | frozenset[str], order: int = 100
) -> None:
    item = NavItem(label, url_name, frozenset(roles), order)
    if item not in _ITEMS:
        _ITEMS.append(item)


def items_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    result = []
    for item in sorted(_ITEMS, key=lambda i: (i.order, str(i.label))):
        if user.role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url or (url != "/" and current_path.startswith(url))
        result.append({"label": item.label, "url": url, "active": active})
    return result
