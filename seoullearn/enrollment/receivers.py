"""Signal receivers: a membership that ends releases its seats."""

from __future__ import annotations

from typing import Any

from seoullearn.eligibility.signals import membership_ended


def _on_membership_ended(sender: Any, membership: Any, reason: str = "", **kwargs: Any) -> None:
    from seoullearn.enrollment.services import selections_end_for_membership

    selections_end_for_membership(membership=membership, reason=reason)


def connect() -> None:
    membership_ended.connect(_on_membership_ended, dispatch_uid="enrollment.release_seats")
