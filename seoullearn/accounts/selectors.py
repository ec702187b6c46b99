"""Reads about accounts, consent and guardianship that other apps rely on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from seoullearn.accounts.models import ApiToken, ConsentNotice, ConsentRecord, GuardianLink, User
from seoullearn.core.crypto import blind_index
from seoullearn.core.timeutil import now, today

# Under this age a legal guardian must consent to processing of the child's personal data
# (Personal Information Protection Act, art. 22-2).
GUARDIAN_CONSENT_AGE = 14


def needs_guardian_consent(learner: User, on: dt.date | None = None) -> bool:
    return learner.is_under(GUARDIAN_CONSENT_AGE, on)


def current_notices() -> list[ConsentNotice]:
    """The newest effective version of each notice kind, in the order of ``Kind``."""
    latest: dict[str, ConsentNotice] = {}
    for notice in ConsentNotice.objects.filter(effective_from__lte=today()).order_by(
        "kind", "-effective_from", "-created_at"
    ):
        latest.setdefault(notice.kind, notice)
    order = list(ConsentNotice.Kind.values)
    return sorted(latest.values(), key=lambda n: order.index(n.kind) if n.kind in order else 99)


def current_notice(kind: str) -> ConsentNotice | None:
    return next((n for n in current_notices() if n.kind == kind), None)


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
    """True when an active consent to the current guardian notice was given by a verified
    guardian (link and code) or recorded in person by an operator."""
    notice = current_notice(ConsentNotice.Kind.GUARDIAN)
    if notice is None:
        return False
    return (
        ConsentRecord.objects.filter(subject=learner, notice=notice, withdrawn_at__isnull=True)
        .filter(
            Q(
                method=ConsentRecord.Method.GUARDIAN_LINK,
                given_by__in=verified_guardians(learner),
            )
            | Q(method=ConsentRecord.Method.GUARDIAN_IN_PERSON)
        )
        .exists()
    )


def may_apply(learner: User) -> bool:
    """A learner under 14 may submit an application only with verified guardian consent."""
    return not needs_guardian_consent(learner) or guardian_consent_verified(learner)


# --- more reads used by the account pages and API -------------------------------------------


def phone_index(phone: str) -> str:
    return blind_index(phone, purpose="phone")


def has_totp(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return bool(
        user is not None
        and getattr(user, "pk", None)
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def active_api_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now())
    )


def consents_of(subject: User) -> QuerySet[ConsentRecord]:
    return (
        ConsentRecord.objects.filter(subject=subject)
        .select_related("notice", "given_by", "withdrawn_by")
        .order_by("-given_at")
    )


def active_consent_kinds(subject: User) -> set[str]:
    return set(
        ConsentRecord.objects.filter(subject=subject, withdrawn_at__isnull=True).values_list(
            "notice__kind", flat=True
        )
    )


def guardian_links_of_learner(learner: User) -> QuerySet[GuardianLink]:
    return GuardianLink.objects.filter(learner=learner).select_related("guardian")


def guardian_links_of_guardian(guardian: User) -> QuerySet[GuardianLink]:
    return GuardianLink.objects.filter(guardian=guardian).select_related("learner")


@dataclass(frozen=True)
class ChildStatus:
    child: User
    link: GuardianLink
    guardian_consent: bool
    may_apply: bool
    active_kinds: frozenset[str]


def children_status(guardian: User) -> list[ChildStatus]:
    """The guardian's verified children with their consent status (for the guardian home)."""
    result = []
    links = GuardianLink.objects.filter(
        guardian=guardian, status=GuardianLink.Status.VERIFIED
    ).select_related("learner")
    for link in links.order_by("learner__full_name"):
        child = link.learner
        result.append(
            ChildStatus(
                child=child,
                link=link,
                guardian_consent=guardian_consent_verified(child),
                may_apply=may_apply(child),
                active_kinds=frozenset(active_consent_kinds(child)),
            )
        )
    return result


def child_of_guardian(guardian: User, child_public_id: Any) -> User | None:
    """The child with this public id if the guardian is verified for them, else None."""
    return children_of(guardian).filter(public_id=child_public_id).first()
