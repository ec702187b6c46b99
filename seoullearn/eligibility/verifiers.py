"""Verifiers: who confirms that an applicant really belongs to the declared category.

Every verifier implements one method, ``verify(request) -> VerificationResult``. The platform
ships two:

- ``RuleVerifier`` applies the programme's policy (``rules.evaluate``) to the declared data;
- ``SandboxWelfareRegistry`` answers from a local table (``SandboxWelfareRecord``), standing
  where a government welfare-data API (e.g. the social security information system) would.

A real registry adapter implements the same interface: build the lookup key from the request
(never a resident registration number is passed around here), call the remote service,
map its answer to an outcome with reasons, and return ``UNAVAILABLE`` when the service cannot
be reached so the application falls back to an operator. Deployers list the verifiers in the
``ELIGIBILITY_VERIFIERS`` setting (dotted paths); see docs/eligibility-and-membership.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from seoullearn.core.crypto import blind_index
from seoullearn.eligibility import rules

logger = logging.getLogger(__name__)

VERIFIED = "verified"
NOT_VERIFIED = "not_verified"
INCONCLUSIVE = "inconclusive"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class VerificationRequest:
    application_id: uuid.UUID
    full_name: str
    birth_date: dt.date | None
    district_code: str
    category: str
    household_size: int | None
    monthly_income_krw: int | None
    evidence_kinds: frozenset[str]
    policy: rules.Policy
    on: dt.date

    @property
    def facts(self) -> rules.Facts:
        return rules.Facts(
            birth_date=self.birth_date,
            district_code=self.district_code,
            category=self.category,
            household_size=self.household_size,
            monthly_income_krw=self.monthly_income_krw,
            evidence_kinds=self.evidence_kinds,
        )


@dataclass(frozen=True)
class VerificationResult:
    verifier: str
    outcome: str  # VERIFIED, NOT_VERIFIED, INCONCLUSIVE or UNAVAILABLE
    reasons: tuple[rules.Reason, ...]


@runtime_checkable
class Verifier(Protocol):
    name: str

    def verify(self, request: VerificationRequest) -> VerificationResult: ...


class RuleVerifier:
    """The policy's rules on the declared data (age, residency, category, income, documents)."""

    name = "rules"

    def verify(self, request: VerificationRequest) -> VerificationResult:
        decision = rules.evaluate(request.policy, request.facts, on=request.on)
        outcome = {
            rules.Outcome.ELIGIBLE: VERIFIED,
            rules.Outcome.INELIGIBLE: NOT_VERIFIED,
            rules.Outcome.REVIEW: INCONCLUSIVE,
        }[decision.outcome]
        return VerificationResult(self.name, outcome, decision.reasons)


def person_key(full_name: str, birth_date: dt.date | None, district_code: str) -> str:
    """Blind index identifying a person in the sandbox registry (name + birth date + district)."""
    born = birth_date.isoformat() if birth_date else ""
    return blind_index(f"{full_name}|{born}|{district_code}", purpose="eligibility.sandbox_welfare")


class SandboxWelfareRegistry:
    """SANDBOX: a local table standing where the government welfare-data API would answer."""

    name = "sandbox_welfare_registry"

    def verify(self, request: VerificationRequest) -> VerificationResult:
        from seoullearn.eligibility.models import SandboxWelfareRecord

        if not request.full_name or request.birth_date is None:
            return VerificationResult(
                self.name,
                INCONCLUSIVE,
                (
                    rules.Reason(
                        "registry_key_incomplete",
                        None,
                        "이름과 생년월일이 없어 복지 자격 정보를 조회하지 못했습니다.",
                        "Name and birth date are needed to query the welfare registry.",
                    ),
                ),
            )
        key = person_key(request.full_name, request.birth_date, request.district_code)
        return self.judge(list(SandboxWelfareRecord.objects.filter(person_index=key)), request)

    def judge(self, records: list[Any], request: VerificationRequest) -> VerificationResult:
        """The verdict from the person's registry records (objects with ``categories``,
        ``valid_from`` and ``valid_until``)."""
        if not records:
            return VerificationResult(
                self.name,
                INCONCLUSIVE,
                (
                    rules.Reason(
                        "registry_no_record",
                        None,
                        "복지 자격 정보(샌드박스)에 일치하는 기록이 없어 서류로 확인해야 합니다.",
                        "No matching record in the (sandbox) welfare registry: "
                        "check the documents.",
                    ),
                ),
            )
        label_ko, label_en = rules.CATEGORY_LABELS.get(
            request.category, (request.category, request.category)
        )
        holding = [r for r in records if request.category in (r.categories or [])]
        current = [
            r
            for r in holding
            if r.valid_from <= request.on and (r.valid_until is None or r.valid_until >= request.on)
        ]
        if current:
            return VerificationResult(
                self.name,
                VERIFIED,
                (
                    rules.Reason(
                        "registry_confirms_category",
                        True,
                        f"복지 자격 정보(샌드박스)에서 '{label_ko}' 자격이 확인되었습니다.",
                        f"The (sandbox) welfare registry confirms '{label_en}'.",
                        {"category": request.category},
                    ),
                ),
            )
        if holding:
            return VerificationResult(
                self.name,
                NOT_VERIFIED,
                (
                    rules.Reason(
                        "registry_status_ended",
                        False,
                        f"복지 자격 정보(샌드박스)에 '{label_ko}' 자격이 있었으나 "
                        "현재 유효하지 않습니다.",
                        f"The (sandbox) welfare registry shows '{label_en}' but not currently.",
                        {"category": request.category},
                    ),
                ),
            )
        return VerificationResult(
            self.name,
            NOT_VERIFIED,
            (
                rules.Reason(
                    "registry_category_mismatch",
                    False,
                    f"복지 자격 정보(샌드박스)에서 '{label_ko}' 자격을 찾지 못했습니다.",
                    f"The (sandbox) welfare registry does not show '{label_en}'.",
                    {"category": request.category},
                ),
            ),
        )


RULES_PATH = "seoullearn.eligibility.verifiers.RuleVerifier"
SANDBOX_PATH = "seoullearn.eligibility.verifiers.SandboxWelfareRegistry"


def default_verifier_paths() -> tuple[str, ...]:
    """Rules plus the sandbox registry in development; rules only in production, where every
    application the rules cannot refute goes to an operator until a real adapter is set."""
    if getattr(settings, "PRODUCTION", False):
        return (RULES_PATH,)
    return (RULES_PATH, SANDBOX_PATH)


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...]) -> tuple[Verifier, ...]:
    loaded: list[Verifier] = []
    for path in paths:
        verifier = import_string(path)()
        if not isinstance(verifier, Verifier):
            raise TypeError(f"{path} does not implement Verifier")
        loaded.append(verifier)
    return tuple(loaded)


def configured_verifiers() -> tuple[Verifier, ...]:
    """The verifiers named in ``settings.ELIGIBILITY_VERIFIERS`` (default: rules + sandbox)."""
    paths = tuple(getattr(settings, "ELIGIBILITY_VERIFIERS", None) or default_verifier_paths())
    return _load(paths)


def combine(results: list[VerificationResult]) -> str:
    """Application-level verdict: FAILED when any verifier refutes, AUTO_VERIFIED when every
    verifier confirms, otherwise NEEDS_REVIEW (an operator checks the documents)."""
    from seoullearn.eligibility.models import Application

    outcomes = [r.outcome for r in results]
    if any(o == NOT_VERIFIED for o in outcomes):
        return Application.Verification.FAILED
    if outcomes and all(o == VERIFIED for o in outcomes):
        return Application.Verification.AUTO_VERIFIED
    return Application.Verification.NEEDS_REVIEW


def safe_verify(verifier: Verifier, request: VerificationRequest) -> VerificationResult:
    """Run a verifier; a crash of a remote adapter becomes UNAVAILABLE, never a lost task."""
    try:
        return verifier.verify(request)
    except Exception:
        logger.exception("verifier %s failed", getattr(verifier, "name", verifier))
        return VerificationResult(
            getattr(verifier, "name", type(verifier).__name__),
            UNAVAILABLE,
            (
                rules.Reason(
                    "verifier_unavailable",
                    None,
                    "자격 정보 조회에 실패해 담당자가 직접 확인합니다.",
                    "The verification service failed; an operator will check.",
                ),
            ),
        )
