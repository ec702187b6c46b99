"""Reads about accounts, consent and guardianship that other apps rely on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from seoullearn.accounts.models import ConsentNotice, ConsentRecord, GuardianLink, User

# Under this age a legal guardian must consent to processing of the child's personal data
# (Personal Information Protection Act, art. 22-2).
GUARDIAN_CONSENT_AGE = 14


def needs_guardian_consent(learner: User, on: dt.date | None = None) -> bool:
    return learner.is_under(GUARDIAN_CONSENT_AGE, on)


def current_notices() -> list[ConsentNotice]:
    """The newest effective version of each notice kind."""
    from seoullearn.core.timeutil import today

    latest: dict[str, ConsentNotice] = {}
    for notice in ConsentNotice.objects.filter(effective_from__lte=today()).order_by(
        "kind", "-effective_from"
    ):
        latest.setdefault(notice.kind, notice)
    return list(latest.values())


def verified_guardians(learner: User) -> QuerySet[User]:
    return User.objects.filter(
        children_links__learner=learner, children_links__status=GuardianLink.Status.VERIFIED
    )


def is_guardian_of(guardian: Any, learner: User) -> bool:
    return bool(
        guardian is not None
        and guardian.is_authenticated
        and GuardianLink.objects.filter(
            guardian=guardian, learner=learner, status=GuardianLink.Status.VERIFIED
        ).exists()
    )


def children_of(guardian: User) -> QuerySet[User]:
    return User.objects.filter(
        guardian_links__guardian=guardian, guardian_links__status=GuardianLink.Status.VERIFIED
    ).distinct()


def guardian_consent_verified(learner: User) -> bool:
    """True when a verified guardian has an active consent to the current guardian notice."""
    notice = next((n for n in current_notices() if n.kind == ConsentNotice.Kind.GUARDIAN), None)
    if notice is None:
        return False
    return ConsentRecord.objects.filter(
        subject=learner,
        notice=notice,
        withdrawn_at__isnull=True,
        given_by__in=verified_guardians(learner),
    ).exists()


def may_apply(learner: User) -> bool:
    """A learner under 14 may submit an application only with verified guardian consent."""
    return not needs_guardian_consent(learner) or guardian_consent_verified(learner)
